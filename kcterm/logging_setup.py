"""Logging for the desktop app: rotating files in the user log directory, secrets redacted.

Every secret kcterm loads (API key, secret, passphrase) is registered with REDACTOR the moment
it is read, and every handler set up here runs records through it after formatting-free
rendering, so a secret that slips into a message, an exception text or a traceback is replaced
before it reaches a file or the console. The same redactor cleans crash reports and journal
lines (kcterm.crash_report, kcterm.journal_store).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import threading
from pathlib import Path

LOG_FILE = "kcterm.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
MASK = "«redacted»"
# Shorter values would mask ordinary words; real keys, secrets and passphrases are longer.
MIN_SECRET_LEN = 6
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

# Signed headers, should a request ever be logged whole: the signature and the HMAC of the
# passphrase are derived from the secret and are as good as a password for 5 seconds.
_HEADER_VALUE = re.compile(
    r"(KC-API-(?:SIGN|PASSPHRASE|KEY)['\"]?\s*[:=]\s*['\"]?)([^'\",}\s]+)", re.IGNORECASE
)


class SecretRedactor:
    """A thread-safe set of strings that must never be written anywhere."""

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        with self._lock:
            known = set(self._secrets)
            known.update(v for v in values if v and len(v) >= MIN_SECRET_LEN)
            # Longest first, so a secret containing another is masked whole.
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def clear(self) -> None:
        with self._lock:
            self._secrets = ()

    def redact(self, text: str) -> str:
        for secret in self._secrets:  # a tuple swap is atomic: no lock on the hot path
            if secret in text:
                text = text.replace(secret, MASK)
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


def default_log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir("kcterm", appauthor=False))


_installed: list[logging.Handler] = []


def setup_logging(
    level: str | int = "INFO", log_dir: Path | None = None, *, console: bool = True
) -> Path:
    """Log to a rotating file (and stderr); return the file's path. Safe to call again."""
    directory = log_dir or default_log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOG_FILE
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    file_handler = logging.handlers.RotatingFileHandler(
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
