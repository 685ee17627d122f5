"""A profile on KuCoin's production host is LIVE in the window whatever it is called; the
profile form says what a custom address will be; confirmations are the profile's own.

The session talks to the embedded exchange but carries the venue label the profile gives it,
which is all the window sees (as in test_live_venue.py); no real venue is contacted.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from kcterm.embedded import EmbeddedExchange
from kcterm.profiles import CUSTOM, Profile, SecretStore
from kcterm.ui.main_window import MainWindow
from kcterm.ui.profile_form import ProfileForm
from kcterm.ui.safety_dialog import SafetyDialog
from kcterm.ui.trading_prefs import TradingPrefs
from tests.gui.conftest import dispose, open_session
from tests.memory_keyring import MemoryKeyring


async def test_a_custom_profile_on_the_kucoin_host_shows_live_and_asks(
    qtbot, exchange: EmbeddedExchange, settings: QSettings
) -> None:
    profile = Profile("desk two", CUSTOM, address="HTTPS://API-FUTURES.KUCOIN.COM:443/")
    session = await open_session(exchange, venue=profile.venue)
    session.profile_name = profile.slug
    window = MainWindow(session, "XBTUSDTM", settings=settings, remember_layout=False)
    try:
        assert window.status.venue_badge.text() == "LIVE"
        assert window.status.venue_badge.objectName() == "venueBadgeLive"
        assert "LIVE" in window.windowTitle()
        assert window.prefs.asks("order") and window.prefs.asks("bracket")
        # Turning confirmations off here is this profile's choice only.
        dialog = SafetyDialog(window.prefs)  # no parent: qtbot closes it, not the window
        qtbot.addWidget(dialog)
        assert "profile DESK_TWO (LIVE)" in dialog.asks_group.title()
        for box in dialog.confirm_boxes.values():
            box.setChecked(False)
        assert dialog.save()
        assert not window.prefs.asks("order")
    finally:
        await session.stop()
        dispose(window)
    assert TradingPrefs(settings, True, "KUCOIN").asks("order")  # the other live profile


async def test_the_profile_form_says_live_for_a_remote_address_and_offers_test_venue(
    qtbot, tmp_path: Path
) -> None:
    form = ProfileForm(SecretStore(MemoryKeyring(), environ={}))
    qtbot.addWidget(form)
    form.show()
    form.show_profile(Profile("lab", CUSTOM, address="http://127.0.0.1:8600"), new=True)
    assert form.money_combo.isVisibleTo(form) and form.live_label.isVisibleTo(form)
    assert form.live_label.text().startswith("Not live")
    form.address_edit.setText("http://192.0.2.5:8600")
    assert form.live_label.text().startswith("LIVE")
    assert form.read_profile().is_live
    form.money_combo.setCurrentIndex(form.money_combo.findData("test"))
    assert form.live_label.text().startswith("Not live")
    typed = form.read_profile()
    assert typed.test_venue and not typed.is_live
    form.address_edit.setText("https://api-futures.kucoin.com")  # never a test venue
    assert form.live_label.text().startswith("test_venue:")
    form.money_combo.setCurrentIndex(form.money_combo.findData("auto"))
    assert form.live_label.text().startswith("LIVE")
    form.show_profile(Profile("practice", "embedded"))
    assert not form.money_combo.isVisibleTo(form)
