"""Dock layouts in QSettings: the last one (restored at start), named ones, and the default.

Qt's saveState/restoreState find docks by object name, so every dock has a stable one; the
default is captured right after the window builds it, so "restore default" needs no file.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

STATE_VERSION = 3  # bump when docks are added or renamed: older states are then ignored
_NAMED = "layouts/named"


class LayoutStore:
    def __init__(self, window: QMainWindow, settings: QSettings) -> None:
        self._window = window
        self.settings = settings
        self.default_state: QByteArray = window.saveState(STATE_VERSION)

    def names(self) -> list[str]:
        self.settings.beginGroup(_NAMED)
        try:
            return sorted(self.settings.childKeys())
        finally:
            self.settings.endGroup()

    def save(self, name: str) -> None:
        name = name.strip().replace("/", "-")
        if not name:
            raise ValueError("a layout needs a name")
        self.settings.setValue(f"{_NAMED}/{name}", self._window.saveState(STATE_VERSION))
        self.settings.sync()

    def restore(self, name: str) -> bool:
        state = self.settings.value(f"{_NAMED}/{name}")
        return isinstance(state, QByteArray) and self._restore(state)

    def delete(self, name: str) -> None:
        self.settings.remove(f"{_NAMED}/{name}")
        self.settings.sync()

    def restore_default(self) -> None:
        self._restore(self.default_state)

    def save_last(self) -> None:
        self.settings.setValue("layout/state", self._window.saveState(STATE_VERSION))
        self.settings.setValue("layout/geometry", self._window.saveGeometry())
        self.settings.sync()

    def restore_last(self) -> bool:
        geometry = self.settings.value("layout/geometry")
        if isinstance(geometry, QByteArray):
            self._window.restoreGeometry(geometry)
        state = self.settings.value("layout/state")
        return isinstance(state, QByteArray) and self._restore(state)

    def _restore(self, state: QByteArray) -> bool:
        return bool(self._window.restoreState(state, STATE_VERSION))
