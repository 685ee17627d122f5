"""Files that hold the trader's history are private: 0600 files in 0700 directories.

The journal (fills, PnL), the logs, the settings and the practice database say what someone
trades, when and how much. Each is created through these helpers, and an existing one that is
readable by others is closed again, so a shared machine shows them to no other user. No Qt.

On Windows the POSIX mode bits mean little (ACLs decide; the user profile directory is already
private), so the helpers only create there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700
_POSIX = os.name == "posix"


def private_dir(path: Path) -> Path:
    """Create `path` (and any missing parent) as 0700; tighten `path` itself if it is looser.

    Only directories created here, and `path`, are touched: a parent that already exists
    (the home directory, ~/.local/share) keeps the mode its owner gave it.
    """
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made meanwhile by another thread or process
            pass
        _tighten(directory, DIR_MODE)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists as a 0600 file in a 0700 directory (created empty if missing)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.close(fd)
    _tighten(path, FILE_MODE)
    return path


def open_private(path: Path, mode: str = "w", encoding: str = "utf-8") -> IO[str]:
    """open() for a new or rewritten private file: 0600 from the first byte, never 0644."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    _tighten(path, FILE_MODE)
    return os.fdopen(fd, mode, encoding=encoding)


def _tighten(path: Path, mode: int) -> None:
    if not _POSIX:
        return
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:  # group or other can read, write or enter: close it
            os.chmod(path, current & mode)
    except OSError:
        pass  # not ours to change (a shared mount): the file is still written
