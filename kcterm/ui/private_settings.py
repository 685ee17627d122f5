"""The QSettings file (layouts, hotkeys, safety choices) is private like the journal: 0600 in a
0700 directory. Qt writes it through QSaveFile, which keeps the mode of the file it replaces, so
making the file private once, before Qt first writes it, keeps it private for good."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QSettings

from kcterm.private_files import private_file

log = logging.getLogger("kcterm.ui.settings")


def make_private(settings: QSettings) -> None:
    if os.name != "posix":  # the registry (Windows) has no mode bits; the profile is private
        return
    if settings.format() not in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        return
    name = settings.fileName()
    if not name:
        return
    try:
        private_file(Path(name))
    except OSError as exc:  # a read-only home must not stop the window from opening
        log.warning("could not make the settings file %s private: %s", name, exc)
