"""Logging for the desktop app: rotating files in the user log directory, secrets redacted.

Every secret kcterm loads (API key, secret, passphrase) is registered with REDACTOR the moment
it is read, and every handler set up here runs records through it after formatting-free
rendering, so a secret that slips into a message, an exception text or a traceback is replaced
before it reaches a file or the console. The same redactor cleans crash reports and journal
lines (kcterm.crash_report, kcterm.journal_store).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import re
import threading
from pathlib import Path

from kcterm.private_files import FILE_MODE, private_dir

LOG_FILE = "kcterm.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
MASK = "«redacted»"
# A secret of any length is masked. From this length on, wherever it appears, even inside a
# longer word; a shorter one (a 3-letter passphrase is allowed) wherever it stands as a token
# of its own (`passphrase=abc`, `'abc'`, `"abc"`), so that it hides without masking every
# "abc" inside ordinary words of the log.
SUBSTRING_SECRET_LEN = 8
_TOKEN_EDGE = "A-Za-z0-9"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

# Signed headers, should a request ever be logged whole: the signature and the HMAC of the
# passphrase are derived from the secret and are as good as a password for 5 seconds.
_HEADER_VALUE = re.compile(
    r"(KC-API-(?:SIGN|PASSPHRASE|KEY)['\"]?\s*[:=]\s*['\"]?)([^'\",}\s]+)", re.IGNORECASE
)


class SecretRedactor:
    """A thread-safe set of strings that must never be written anywhere."""

    def __init__(self) -> None:
        self._known: frozenset[str] = frozenset()
        self._secrets: tuple[str, ...] = ()
        self._short: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        with self._lock:
            known = set(self._known)
            known.update(v for v in values if v)
            self._known = frozenset(known)
            # Longest first, so a secret containing another is masked whole.
            ordered = sorted(known, key=len, reverse=True)
            short = [v for v in ordered if len(v) < SUBSTRING_SECRET_LEN]
            self._short = (
                re.compile(
                    f"(?<![{_TOKEN_EDGE}])(?:{'|'.join(map(re.escape, short))})(?![{_TOKEN_EDGE}])"
                )
                if short
                else None
            )
            self._secrets = tuple(v for v in ordered if len(v) >= SUBSTRING_SECRET_LEN)

    def clear(self) -> None:
        with self._lock:
            self._known = frozenset()
            self._secrets = ()
            self._short = None

    def redact(self, text: str) -> str:
        for secret in self._secrets:  # a tuple swap is atomic: no lock on the hot path
            if secret in text:
                text = text.replace(secret, MASK)
        short = self._short
        if short is not None:
            text = short.sub(MASK, text)
        return _HEADER_VALUE.sub(lambda m: m.group(1) + MASK, text)


REDACTOR = SecretRedactor()


class RedactingFilter(logging.Filter):
    """Renders the message (and any traceback) once, redacted, before a handler formats it."""

    def __init__(self, redactor: SecretRedactor = REDACTOR) -> None:
        super().__init__()
        self.redactor = redactor
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format in someone's log call must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = self.redactor.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is 0600: logs say what was traded, when and how much.
    Rotation renames files (the mode goes with them) and opens the next one through _open."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        if os.name == "posix":
            os.fchmod(fd, FILE_MODE)  # a file left by an older version was 0644
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def default_log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("kcterm", appauthor=False))


_installed: list[logging.Handler] = []


def setup_logging(
    level: str | int = "INFO", log_dir: Path | None = None, *, console: bool = True
) -> Path:
    """Log to a rotating file (and stderr); return the file's path. Safe to call again."""
    directory = private_dir(log_dir or default_log_dir())
    path = directory / LOG_FILE
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    file_handler = PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # aiohttp's debug logs can carry request headers, and websockets' log every frame (a
    # busy market's worth per second): neither below INFO.
    for noisy in ("aiohttp", "websockets"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.INFO))
    return path
