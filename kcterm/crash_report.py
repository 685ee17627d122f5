"""The text of a crash report: what failed, where, on which versions — with secrets redacted.

Kept free of Qt so the same report can go to the log, to stderr and to the crash dialog.
"""

from __future__ import annotations

import platform
import sys
import traceback
from types import TracebackType

from kcterm.logging_setup import REDACTOR


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"Python {platform.python_version()}", platform.platform()]
    for dist in ("kcterm", "PySide6-Essentials", "qasync", "aiohttp"):
        try:
            parts.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            continue
    return "; ".join(parts)


def build_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    context: str = "",
) -> str:
    lines = [
        f"kcterm crash report: {exc_type.__name__}: {exc}",
        f"Where: {context}" if context else "",
        f"Versions: {versions()}",
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)).rstrip(),
    ]
    return REDACTOR.redact("\n".join(line for line in lines if line is not None))


def summary(exc: BaseException) -> str:
    """One line for the dialog's headline (redacted too)."""
    text = str(exc) or type(exc).__name__
    return REDACTOR.redact(f"{type(exc).__name__}: {text}")[:300]


def is_fatal(exc: BaseException) -> bool:
    """Errors after which carrying on is not safe: out of memory, interpreter teardown."""
    return isinstance(exc, MemoryError | SystemError | KeyboardInterrupt | SystemExit) or (
        sys.is_finalizing()
    )
