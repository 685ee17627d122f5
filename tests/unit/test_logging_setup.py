"""Logs rotate in their own directory and never carry a registered secret."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kcterm.logging_setup import MASK, REDACTOR, SecretRedactor, setup_logging


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    level = root.level
    path = setup_logging("DEBUG", tmp_path / "log", console=False)
    yield path
    from kcterm import logging_setup

    for handler in logging_setup._installed:
        root.removeHandler(handler)
        handler.close()
    logging_setup._installed.clear()
    root.setLevel(level)


def test_redactor_masks_registered_values_and_signed_headers() -> None:
    redactor = SecretRedactor()
    redactor.add("abcdef-secret", "abcdef", "short", None, "")
    assert redactor.redact("x abcdef-secret y abcdef z") == f"x {MASK} y {MASK} z"
    # A short secret is masked too, where it stands alone, not inside other words.
    assert redactor.redact("short shortcut") == f"{MASK} shortcut"
    headers = "{'KC-API-SIGN': 'c2lnbmF0dXJl', 'KC-API-PASSPHRASE': 'aGFzaA==', 'X': '1'}"
    cleaned = redactor.redact(headers)
    assert "c2lnbmF0dXJl" not in cleaned and "aGFzaA" not in cleaned and "'X': '1'" in cleaned


def test_log_file_has_messages_args_and_tracebacks_redacted(logs: Path) -> None:
    REDACTOR.add("hunter2-hunter2", "pass-phrase-77")
    log = logging.getLogger("kcterm.test")
    log.info("key secret is %s", "hunter2-hunter2")
    log.warning("passphrase pass-phrase-77 in the message itself")
    try:
        raise ValueError("failed with hunter2-hunter2 inside")
    except ValueError:
        log.exception("request failed")
    log.error("bad format %d", "not a number")  # a broken log call still leaves a line
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = logs.read_text()
    assert "hunter2-hunter2" not in text and "pass-phrase-77" not in text
    assert text.count(MASK) >= 3
    assert "ValueError: failed with «redacted» inside" in text  # the traceback is kept
    assert "bad format" in text


def test_logs_rotate_at_the_size_limit(logs: Path) -> None:
    from kcterm import logging_setup

    handler = logging_setup._installed[0]
    handler.maxBytes = 2_000  # type: ignore[attr-defined]
    log = logging.getLogger("kcterm.test.rotate")
    for i in range(200):
        log.info("line %d %s", i, "x" * 40)
    names = sorted(p.name for p in logs.parent.iterdir())
    assert names[:3] == ["kcterm.log", "kcterm.log.1", "kcterm.log.2"]
    assert len(names) <= 1 + logging_setup.BACKUPS
    assert logs.stat().st_size <= 2_000 + 200
