"""Leverage and margin mode in the ticket.

The margin mode is a setting of the symbol on the exchange, not of one order: choosing it here
switches it there (refused while the symbol has orders or a position, and then put back).
Isolated leverage goes with each order; cross leverage is again the symbol's setting, changed
with "Set" (spec/REFERENCE.md 7.16). Both are read from the exchange when the symbol changes.

Leverage above the contract's maximum is set to the maximum and the note under the field says
so (a spin box bounded at the maximum would drop the typed "200" without a word).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QSpinBox, QWidget
from qasync import asyncSlot

from kcterm.core.contract import Contract
from kcterm.core.error_text import refusal_text
from kcterm.core.session import Session
from kcterm.venue.errors import VenueError

log = logging.getLogger("kcterm.ui.ticket_margin")
TYPING_ROOM = 1000  # the spin box takes up to this, so a value above the maximum is seen


class MarginControls(QObject):
    changed = Signal()
    failed = Signal(str)  # the reason, for the ticket's error line

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = ""
        # The window's per-action policy, awaited (ui.ask: no nested event loop in these slots).
        self.confirm: Callable[[str], Awaitable[bool]] | None = None
        self.mode_box = QComboBox()
        self.mode_box.addItem("Isolated", "ISOLATED")
        self.mode_box.addItem("Cross", "CROSS")
        self.mode_box.setToolTip("The symbol's margin mode on the exchange")
        self.leverage_box = QSpinBox()
        self.leverage_box.setSuffix("x")
        self.leverage_box.setRange(1, TYPING_ROOM)
        self.leverage_note = QLabel()
        self.leverage_note.setObjectName("leverageNote")
        self.leverage_note.setWordWrap(True)
        self.leverage_note.setVisible(False)
        self.max_leverage = TYPING_ROOM
        self.apply_button = QPushButton("Set")
        self.apply_button.setToolTip("Cross leverage is the symbol's setting on the exchange")
        self.apply_button.setVisible(False)
        self.mode_box.activated.connect(self._mode_chosen)  # the user's choice, not ours
        self.leverage_box.valueChanged.connect(self._leverage_changed)
        self.apply_button.clicked.connect(self._apply_cross_leverage)
        # Reads of a symbol's settings still on their way (one per symbol chosen meanwhile):
        # close() cancels them, or they would outlive the window and be destroyed pending.
        self._loads: set[asyncio.Task[None]] = set()

    @property
    def mode(self) -> str:
        return str(self.mode_box.currentData())

    def set_contract(self, contract: Contract) -> None:
        self._symbol = contract.symbol
        self.max_leverage = contract.max_leverage
        self.leverage_box.setToolTip(f"1x to {contract.max_leverage}x on {contract.symbol}")
        self.leverage_box.setValue(min(5, contract.max_leverage))
        self.leverage_note.setVisible(False)
        known = self._session.account.margin_modes.get(contract.symbol)
        self._show_mode(known or "ISOLATED")
        if known is None:
            load = asyncio.ensure_future(self._load_settings(contract.symbol))
            self._loads.add(load)
            load.add_done_callback(self._loads.discard)

    def close(self) -> None:
        """The window is closing: cancel the reads still on their way. Left pending, a read
        is destroyed with the event loop ("Task was destroyed but it is pending"), and its
        answer would land in a ticket that is gone."""
        for load in list(self._loads):
            load.cancel()

    async def _load_settings(self, symbol: str) -> None:
        try:
            mode, leverage = await self._session.account.load_margin_settings(symbol)
        except VenueError as exc:
            log.info("margin settings of %s unavailable: %s", symbol, exc)
            return
        if symbol != self._symbol:
            return
        self._show_mode(mode)
        if mode == "CROSS" and leverage:
            self.leverage_box.setValue(min(leverage, self.max_leverage))
        self.changed.emit()

    def _leverage_changed(self, value: int) -> None:
        if value > self.max_leverage:
            self.leverage_note.setText(
                f"{value}x is above {self._symbol}'s maximum of {self.max_leverage}x: "
                f"leverage set to {self.max_leverage}x."
            )
            self.leverage_note.setVisible(True)
            self.leverage_box.setValue(self.max_leverage)  # comes back here, within range
            return
        if not self.leverage_note.isHidden() and value < self.max_leverage:
            self.leverage_note.setVisible(False)  # a new choice within range
        self.changed.emit()

    def _show_mode(self, mode: str) -> None:
        self.mode_box.setCurrentIndex(max(0, self.mode_box.findData(mode)))
        self.apply_button.setVisible(mode == "CROSS")

    @asyncSlot(int)
    async def _mode_chosen(self, _index: int) -> None:
        wanted, symbol = self.mode, self._symbol
        before = self._session.account.margin_modes.get(symbol, "ISOLATED")
        if wanted == before:
            return
        text = f"Switch {symbol} to {wanted.lower()} margin?"
        if self.confirm is not None and not await self.confirm(text):
            self._show_mode(before)
            return
        try:
            await self._session.account.set_margin_mode(symbol, wanted)
        except VenueError as exc:
            self._show_mode(before)
            self.failed.emit(f"Margin mode not changed: {refusal_text(exc)}")
            return
        self._show_mode(wanted)
        if wanted == "CROSS" and symbol in self._session.account.cross_leverage:
            self.leverage_box.setValue(self._session.account.cross_leverage[symbol])
        self.changed.emit()

    @asyncSlot()
    async def _apply_cross_leverage(self) -> None:
        symbol, leverage = self._symbol, self.leverage_box.value()
        if self.confirm is not None and not await self.confirm(
            f"Set {symbol} cross leverage to {leverage}x?"
        ):
            return
        try:
            await self._session.account.set_cross_leverage(symbol, leverage)
        except VenueError as exc:
            self.failed.emit(f"Cross leverage not changed: {refusal_text(exc)}")
            return
        self.changed.emit()
