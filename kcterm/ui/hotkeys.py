"""Configurable hotkeys: buy at the best bid, sell at the best ask, cancel all, one-click toggle,
close the position, flatten all.

Bindings live in QSettings under "hotkeys/<name>". The defaults use two modifiers so typing in
the ticket can never fire a trade; every trade a hotkey starts passes the ticket's checks, the
stale-feed interlock and, on the live venue, the confirmation; closing the position and
flattening everything ask first on every venue unless the user turned that off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class HotkeySpec:
    name: str
    label: str
    default: str


HOTKEYS = (
    HotkeySpec("buy_best", "Buy at the best bid (ticket size)", "Ctrl+Shift+B"),
    HotkeySpec("sell_best", "Sell at the best ask (ticket size)", "Ctrl+Shift+S"),
    HotkeySpec("cancel_all", "Cancel all orders of the symbol", "Ctrl+Shift+X"),
    HotkeySpec("toggle_one_click", "Toggle one-click trading", "Ctrl+Shift+O"),
    HotkeySpec("close_position", "Close the ticket symbol's position at market", "Ctrl+Shift+C"),
    HotkeySpec("flatten_all", "Flatten all: cancel all, close every position", "Ctrl+Shift+F"),
)


class Hotkeys:
    def __init__(
        self, owner: QWidget, settings: QSettings, handlers: dict[str, Callable[[], object]]
    ) -> None:
        self._settings = settings
        self.actions: dict[str, QAction] = {}
        for spec in HOTKEYS:
            action = QAction(spec.label, owner)
            action.setObjectName(f"hotkey_{spec.name}")
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setShortcut(self.sequence(spec.name))
            action.triggered.connect(handlers[spec.name])
            owner.addAction(action)
            self.actions[spec.name] = action

    def sequence(self, name: str) -> QKeySequence:
        default = next(s.default for s in HOTKEYS if s.name == name)
        return QKeySequence(str(self._settings.value(f"hotkeys/{name}", default)))

    def set_sequence(self, name: str, sequence: QKeySequence) -> None:
        self._settings.setValue(f"hotkeys/{name}", sequence.toString())
        self.actions[name].setShortcut(sequence)

    def restore_defaults(self) -> None:
        for spec in HOTKEYS:
            self._settings.remove(f"hotkeys/{spec.name}")
            self.actions[spec.name].setShortcut(QKeySequence(spec.default))
