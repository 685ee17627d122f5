"""Settings → Profiles and keys: edit, store keys, test the connection, switch with consent."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QToolButton

from kcterm.embedded import EmbeddedExchange
from kcterm.profile_runner import check_profile
from kcterm.profiles import Profile, SecretStore, SettingsFile
from kcterm.profiles.profile import default_profiles
from kcterm.sim.config import READ_ONLY_KEY
from kcterm.ui.profile_menu import install_settings_menu
from kcterm.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import until
from tests.memory_keyring import MemoryKeyring


def make_dialog(qtbot, tmp_path: Path, secrets: SecretStore, confirm=None) -> SettingsDialog:
    settings = SettingsFile(tmp_path / "profiles.json")

    async def check(profile: Profile, typed):
        return await check_profile(profile, secrets, typed)

    dialog = SettingsDialog(settings, secrets, "practice", check, confirm_live=confirm)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def select(dialog: SettingsDialog, name: str) -> None:
    for row in range(dialog.list.count()):
        item = dialog.list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == name:
            dialog.list.setCurrentItem(item)
            return
    raise AssertionError(f"no {name} in the list")


async def test_without_a_keyring_it_says_so_and_switching_live_needs_consent(
    qtbot, tmp_path: Path
) -> None:
    answers: list[Profile] = []
    consent = [False, True]

    def confirm(profile: Profile) -> bool:
        answers.append(profile)
        return consent[len(answers) - 1]

    dialog = make_dialog(qtbot, tmp_path, SecretStore(environ={}), confirm)  # no ring (conftest)
    assert "● in use" in dialog.list.item(0).text() and not dialog.use_button.isEnabled()
    select(dialog, "kucoin")
    form = dialog.form
    assert "No keyring backend" in form.storage_label.text()
    assert "KCTERM_KUCOIN_API_SECRET" in form.storage_label.text()
    assert not form.secret_edit.isEnabled()  # nowhere safe to put what would be typed
    assert form.secret_edit.echoMode() == QLineEdit.EchoMode.Password
    switched: list[str] = []
    dialog.switch_requested.connect(switched.append)
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in answers] == ["kucoin"] and switched == []
    assert "Stayed" in dialog.message.text()
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    assert switched == ["kucoin"] and dialog.result() == dialog.DialogCode.Accepted
    assert json.loads((tmp_path / "profiles.json").read_text())["active"] == "kucoin"


async def test_a_custom_profile_is_saved_its_key_kept_in_the_keyring_and_tested(
    qtbot, tmp_path: Path, exchange: EmbeddedExchange
) -> None:
    ring = MemoryKeyring()
    secrets = SecretStore(ring, environ={})
    dialog = make_dialog(qtbot, tmp_path, secrets)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    cfg = exchange.config
    form.name_edit.setText("lab sim")
    form.address_edit.setText(exchange.base_url + "/")
    form.key_name_edit.setText("desk key")
    form.key_edit.setText(cfg.key)
    form.secret_edit.setText(cfg.secret)
    form.passphrase_edit.setText(cfg.passphrase)
    assert dialog.save()
    assert form.secret_edit.text() == "" and "keyring" in form.secret_edit.placeholderText()
    assert ring.store[("kcterm", "lab sim/secret")] == cfg.secret
    on_disk = (tmp_path / "profiles.json").read_text()
    assert cfg.secret not in on_disk and cfg.passphrase not in on_disk and cfg.key not in on_disk
    assert "desk key" in on_disk and exchange.base_url in on_disk

    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)  # stored keys
    await until(lambda: "Trading" in dialog.report_view.toPlainText(), 10, "the test result")
    assert (
        "✔ API key" in dialog.report_view.toPlainText()
        and "Connection works" in dialog.message.text()
    )

    form.key_edit.setText(READ_ONLY_KEY)  # typed, not saved: tested as typed
    form.secret_edit.setText(cfg.secret)
    form.passphrase_edit.setText(cfg.passphrase)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    await until(
        lambda: "✘ Trading" in dialog.report_view.toPlainText(), 10, "the read-only key's result"
    )
    assert "400007" in dialog.report_view.toPlainText()

    select(dialog, "lab sim")
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert ring.store == {} and "lab sim" not in SettingsFile(tmp_path / "profiles.json").names()


async def test_a_bad_address_is_refused_naming_the_field(qtbot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, tmp_path, SecretStore(MemoryKeyring(), environ={}))
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    dialog.form.address_edit.setText("localhost:8600")
    assert not dialog.save()
    assert dialog.message.text().startswith("address:")
    dialog.form.address_edit.setText("http://127.0.0.1:8600")
    dialog.form.name_edit.setText("practice")
    assert not dialog.save() and "already" in dialog.message.text()


async def test_the_journal_panel_exports_through_the_profile_action(window, tmp_path: Path) -> None:
    """The Settings menu's "Export fills and PnL as CSV…" is also a button on the journal panel,
    and both run the same export."""
    exported: list[Path] = []
    menu = install_settings_menu(
        window,
        default_profiles()[0],
        open_settings=lambda: None,
        export=lambda path: exported.append(path) or "1 fill",
        log_dir=None,
    )
    action = next(a for a in menu.actions() if a.objectName() == "exportJournalAction")
    button = window.journal.findChild(QToolButton, "journalExportButton")
    assert button is not None and button.defaultAction() is action
    assert button.isVisibleTo(window.journal)
