"""Files that hold the trader's history are private (issue 10): the journal, the logs, the
settings (profiles.json and the QSettings file) and the practice database are 0600 files in
0700 directories; secrets of every length are masked in the logs."""

from __future__ import annotations

import json
import logging
import os
import stat
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kcterm import logging_setup
from kcterm.journal_store import JournalWriter
from kcterm.logging_setup import MASK, REDACTOR, SecretRedactor, setup_logging
from kcterm.private_files import private_dir, private_file
from kcterm.profiles import CUSTOM, Profile, SettingsFile
from kcterm.ui.trading_prefs import TradingPrefs

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """A umask of 022, as most desktops have: without care, files come out 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_journal_is_0600_in_a_0700_directory(tmp_path: Path) -> None:
    path = tmp_path / "data" / "journal" / "practice.sqlite"
    writer = JournalWriter(path)
    writer.start()
    try:
        writer.execute("INSERT INTO meta(key, value) VALUES ('x', '1')")
        assert writer.flush()
    finally:
        writer.close()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            assert mode(side) == 0o600


def test_an_old_world_readable_journal_is_closed_again(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    directory.mkdir(mode=0o755)
    path = directory / "old.sqlite"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    writer = JournalWriter(path)
    writer.start()
    writer.close()
    assert mode(path) == 0o600 and mode(directory) == 0o700


def test_an_existing_parent_keeps_its_mode(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    private_dir(tmp_path / "kcterm")
    assert mode(tmp_path) == 0o755 and mode(tmp_path / "kcterm") == 0o700


def test_logs_are_0600_and_stay_so_when_they_rotate(tmp_path: Path) -> None:
    root = logging.getLogger()
    level = root.level
    path = setup_logging("INFO", tmp_path / "log" / "kcterm", console=False)
    try:
        handler = logging_setup._installed[0]
        handler.maxBytes = 1_000  # type: ignore[attr-defined]
        for i in range(100):
            logging.getLogger("kcterm.test.private").info("line %d %s", i, "x" * 40)
        files = sorted(path.parent.iterdir())
        assert len(files) >= 3
        assert all(mode(f) == 0o600 for f in files), [(f.name, oct(mode(f))) for f in files]
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    finally:
        for handler in logging_setup._installed:
            root.removeHandler(handler)
            handler.close()
        logging_setup._installed.clear()
        root.setLevel(level)


def test_profiles_json_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "config" / "kcterm" / "profiles.json"
    settings = SettingsFile(path)
    settings.put(Profile("lab", CUSTOM, address="http://127.0.0.1:8600"))
    settings.save()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert json.loads(path.read_text())["profiles"]
    settings.save()  # rewritten through a temporary file: still private
    assert mode(path) == 0o600


def test_the_qsettings_file_is_0600_once_a_window_has_its_prefs(tmp_path: Path) -> None:
    path = tmp_path / "config" / "kcterm" / "kcterm.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    prefs = TradingPrefs(settings, live=True, profile="KUCOIN")
    prefs.set_asks("order", False)
    settings.setValue("layout/last", "x" * 100)
    settings.sync()
    assert settings.status() == QSettings.Status.NoError
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert "KUCOIN" in path.read_text()


def test_the_practice_database_is_0600(tmp_path: Path) -> None:
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim import SimConfig

    path = tmp_path / "data" / "kcterm" / "practice.sqlite"
    exchange = EmbeddedExchange(SimConfig(port=0, seed=3, market=False, state_path=path))
    exchange.start()
    exchange.stop()
    assert path.exists() and mode(path) == 0o600 and mode(path.parent) == 0o700
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            assert mode(side) == 0o600


def test_private_file_creates_an_empty_0600_file(tmp_path: Path) -> None:
    path = private_file(tmp_path / "a" / "b.txt")
    assert path.read_text() == "" and mode(path) == 0o600


# -- secrets of every length --------------------------------------------------------------

ALPHABET = string.ascii_letters + string.digits + "+/=-_!@#"


def secret_of(length: int) -> str:
    # Deterministic, varied, and not a word that happens to be in the surrounding text.
    return "".join(ALPHABET[(7 * i + length * 3) % len(ALPHABET)] for i in range(length))


def contexts(secret: str) -> list[str]:
    return [
        f"passphrase={secret}",
        f"key {secret} failed",
        f"{{'secret': '{secret}'}}",
        f'{{"passphrase":"{secret}"}}',
        f"Credentials(key='{secret}', secret=...)",
        f"{secret}",
    ]


@pytest.mark.parametrize("length", range(1, 65))
def test_a_secret_of_any_length_is_masked(length: int) -> None:
    secret = secret_of(length)
    redactor = SecretRedactor()
    redactor.add(secret)
    for text, expected in zip(contexts(secret), contexts(MASK), strict=True):
        cleaned = redactor.redact(text)
        assert cleaned == expected, (length, text, cleaned)
    if length >= logging_setup.SUBSTRING_SECRET_LEN:
        assert secret not in redactor.redact(f"xx{secret}yy")


@pytest.mark.parametrize("length", [1, 2, 3, 5, 7, 8, 16, 64])
def test_a_short_secret_never_reaches_the_log_file(tmp_path: Path, length: int) -> None:
    root = logging.getLogger()
    level = root.level
    path = setup_logging("INFO", tmp_path / "log", console=False)
    secret = secret_of(length)
    REDACTOR.add(secret)
    try:
        log = logging.getLogger("kcterm.test.secret")
        log.info("passphrase=%s", secret)
        log.warning("signing with %r", {"passphrase": secret})
        for handler in logging_setup._installed:
            handler.flush()
        text = path.read_text()
        assert f"passphrase={secret}\n" not in text and f"'{secret}'" not in text
        assert text.count(MASK) == 2
    finally:
        REDACTOR.clear()
        for handler in logging_setup._installed:
            root.removeHandler(handler)
            handler.close()
        logging_setup._installed.clear()
        root.setLevel(level)
