"""A session with known secrets leaves no trace of them: not in any log, journal or settings
file, not in any text on screen, not in a crash report, not on the console.

Two runs: the desk in this process (profile opened the app's way, window, Settings dialog with
Test connection, orders accepted and refused, a crash report), at DEBUG level; and the real
`kcterm` command in screenshot mode on the same profile. Then every file under the run's
home directories and every widget's text is searched for each secret.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)

from kcterm import logging_setup
from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.profile_runner import check_profile, open_profile
from kcterm.profiles import CUSTOM, Profile, SecretStore, SettingsFile
from kcterm.sim import SimConfig
from kcterm.ui.crash_dialog import CrashHandler
from kcterm.ui.main_window import MainWindow
from kcterm.ui.profile_menu import install_settings_menu
from kcterm.ui.settings_dialog import SettingsDialog
from kcterm.venue.kucoin.errors import KucoinError
from tests.gui import conftest as gui
from tests.waiting import wait_for

RUN = uuid.uuid4().hex[:10]
KEY, SECRET, PASSPHRASE = f"leak-key-{RUN}", f"leak-secret-{RUN}", f"leak-pass-{RUN}"
SECRETS = (KEY, SECRET, PASSPHRASE)
SYMBOL = "XBTUSDTM"

qloop = gui.qloop  # the GUI tests' qasync loop: run once below, from opening to closing


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    return tmp_path


@pytest.fixture
def exchange() -> Iterator[EmbeddedExchange]:
    config = SimConfig(
        port=0, seed=3, tick_interval=0.05, key=KEY, secret=SECRET, passphrase=PASSPHRASE
    )
    embedded = EmbeddedExchange(config)
    embedded.start()
    yield embedded
    embedded.stop()


def environ() -> dict[str, str]:
    return {
        "KCTERM_LAB_API_KEY": KEY,
        "KCTERM_LAB_API_SECRET": SECRET,
        "KCTERM_LAB_API_PASSPHRASE": PASSPHRASE,
    }


def widget_texts() -> list[str]:
    """Every string the screen could show: titles, labels, fields, buttons, tables, menus."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        if isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # list models (combo boxes) keep columnCount private
                columns = 1
            for row in range(model.rowCount(QModelIndex())):
                for column in range(columns):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        texts.append(str(model.data(index, role) or ""))
        for action in widget.actions():
            texts += [action.text(), action.toolTip()]
    return texts


def assert_clean(home: Path, texts: list[str]) -> int:
    files = [p for p in home.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} found in {path}"
    joined = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in joined, f"{secret} is shown on screen or in a report"
    return len(files)


def test_no_secret_anywhere_after_a_session(
    home: Path, qtbot, qloop, exchange: EmbeddedExchange
) -> None:
    logging_setup.setup_logging("DEBUG", home / "state" / "kcterm" / "log", console=False)
    settings = SettingsFile()
    profile = Profile("lab", CUSTOM, address=exchange.base_url, key_name="leak test")
    settings.put(profile)
    settings.save()
    secrets = SecretStore(environ=environ())  # no keyring (tests/conftest.py): the fallback
    ui_settings = QSettings(str(home / "ui.ini"), QSettings.Format.IniFormat)

    async def desk_on_screen() -> list[str]:
        # One run of the loop from opening to closing, as the app runs it: tasks the session
        # spawns never take a step while no loop is running.
        opened = await open_profile(profile, secrets, [SYMBOL])
        window = MainWindow(opened.session, SYMBOL, settings=ui_settings)
        window.show()
        crashes = CrashHandler(lambda: None, show=True)
        try:
            install_settings_menu(
                window, profile, open_settings=lambda: None, export=None, log_dir=None
            )
            session = opened.session
            await wait_for(lambda: session.market_data.books[SYMBOL].is_live, 15, "a live book")
            await session.trading.place(
                session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "3"))
            )
            # 182,500 USDT at 1x: inside the fat-finger limit (250,000) but beyond the
            # 100,000 balance, so the exchange refuses it with KuCoin 300003.
            big = OrderDraft(SYMBOL, "buy", "market", "2000", leverage=1)
            with pytest.raises(KucoinError) as refused:
                await session.trading.place(session.trading.prepare(big))
            assert refused.value.code == "300003"
            await wait_for(lambda: len(session.journal) > 4, 10, "order events")
            await asyncio.sleep(0.3)  # a frame or two, so the panels show the journal
            dialog = SettingsDialog(
                settings,
                secrets,
                "lab",
                lambda p, typed: check_profile(p, secrets, typed, opened),
                parent=window,
            )
            dialog.show()
            qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "Trading" in dialog.report_view.toPlainText(), 10, "the test")
            assert "✔ Trading" in dialog.report_view.toPlainText()
            try:
                raise RuntimeError(f"signing failed for {SECRET} / {PASSPHRASE}")
            except RuntimeError as exc:
                crashes.report(RuntimeError, exc, exc.__traceback__, "the leak test")
            texts = widget_texts() + crashes.reports
            assert any("leak test" in text for text in texts)  # the key's name is shown, not it
            assert any("error" in text.lower() for text in texts)  # the refusal is on screen
            return texts
        finally:
            window.close()
            await opened.close()
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)

    texts = qloop.run_until_complete(desk_on_screen())
    for handler in logging_setup._installed:
        handler.flush()
    logs = (home / "state" / "kcterm" / "log" / "kcterm.log").read_text()
    assert "kcterm.core.session" in logs and len(logs) > 500  # it did log, at DEBUG
    assert "«redacted»" in logs  # the crash report's secrets were there to redact
    journal = home / "data" / "kcterm" / "journal" / "lab.sqlite"
    assert journal.exists()
    assert assert_clean(home, texts) >= 4


def test_the_kcterm_command_leaks_nothing(home: Path, exchange: EmbeddedExchange) -> None:
    config = home / "config" / "kcterm"
    config.mkdir(parents=True)
    profile = {"name": "lab", "kind": "custom", "address": exchange.base_url, "key_version": "3"}
    (config / "profiles.json").write_text(json.dumps({"profiles": [profile]}))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **environ())
    shot = home / "shot.png"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kcterm",
            "--profile",
            "lab",
            "--screenshot",
            str(shot),
            "--after",
            "0.3",
            "--log-level",
            "DEBUG",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert shot.exists() and (home / "data" / "kcterm" / "journal" / "lab.sqlite").exists()
    assert "DEBUG" in done.stderr  # the console log ran at DEBUG too
    assert_clean(home, [done.stdout, done.stderr])
