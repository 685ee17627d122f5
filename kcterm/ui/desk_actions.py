"""What the window does when a panel asks for a position or order action: it asks for a
confirmation where the user's policy wants one (trading_prefs), then lets the session act.

Position actions (market close, limit close, close half, reverse, TP/SL), the close-position
and flatten-all hotkeys, editing an order in place, dragging a TP/SL line. Refusals are shown
where the action started (the status bar for positions, the orders bar for edits); the session
writes every step to the journal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from qasync import asyncSlot

from kcterm.core.error_text import refusal_text
from kcterm.core.validation import OrderRejected, OrderRequest
from kcterm.ui.ask import ask
from kcterm.ui.bracket_dialog import BracketDialog
from kcterm.ui.formatting import price_text
from kcterm.venue.errors import VenueError
from kcterm.venue.events import Trigger

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kcterm.core.interlock import Gate
    from kcterm.core.session import Session
    from kcterm.ui.order_ticket import OrderTicket
    from kcterm.ui.orders_panel import OrdersPanel
    from kcterm.ui.trading_prefs import TradingPrefs

log = logging.getLogger("kcterm.ui.desk_actions")

# (title, question) -> go ahead? An answer without a dialog, for scripted use; the real
# question is an awaited message box (ui.ask), never a nested event loop.
ConfirmAction = Callable[[str, str], bool]

BOOK_WAIT_S = 3.0  # how long a limit close waits for a book nobody was showing
CLOSE_WORDS = {
    "close": "Close the whole {side} of {size} lots {symbol} at market?",
    "limit_best": "Close the {side} of {size} lots {symbol} with a limit at the best price?",
    "half": "Close half of the {side} of {size} lots {symbol} at market?",
    "reverse": "Reverse the {side} of {size} lots {symbol}: close it and open the same size "
    "the other way, at market?",
}


class ActingWindow(Protocol):
    """What the actions need of the main window (kcterm.ui.main_window.MainWindow), which
    owns them: its session and policy, the interlock's gate, the ticket's symbol for the
    hotkeys, the orders bar for edit results, and a widget to parent questions and dialogs
    to (QWidget.window(): the main window itself)."""

    @property
    def session(self) -> Session: ...
    @property
    def prefs(self) -> TradingPrefs: ...
    @property
    def ticket(self) -> OrderTicket: ...
    @property
    def open_orders(self) -> OrdersPanel: ...
    def gate(self, symbol: str) -> Gate: ...
    def window(self) -> QWidget: ...


class DeskActions:
    def __init__(self, window: ActingWindow, confirm: ConfirmAction | None) -> None:
        self.window = window
        self.session = window.session
        self._confirm = confirm
        self.bracket_dialog: BracketDialog | None = None
        self.last_error = ""

    async def confirm(self, action: str, title: str, text: str) -> bool:
        """Ask only where the policy wants it (live: every action until turned off). Awaited:
        the streams keep running while the trader reads the question."""
        if not self.window.prefs.asks(action):
            return True
        if self._confirm is not None:
            return self._confirm(title, text)
        live = self.session.is_live
        return await ask(self.window.window(), f"REAL {title}" if live else title, text, live=live)

    async def confirm_margin(self, text: str) -> bool:
        return await self.confirm("margin", "Margin", text)

    def fail(self, text: str) -> None:
        self.last_error = text
        self.session.notify("error", text)

    # -- positions ---------------------------------------------------------------------------

    def position_action(self, action: str, symbol: str) -> None:
        if action == "bracket":
            self.open_bracket(symbol)  # at once: the dialog is the answer
        else:
            self._position_order(action, symbol)

    @asyncSlot(str, str)
    async def _position_order(self, action: str, symbol: str) -> None:
        position = self.session.account.positions.get(symbol)
        if position is None:
            return
        if action == "reverse" and not self.window.gate(symbol).open:
            self.fail(f"Not reversed: {self.window.gate(symbol).reason}.")
            return
        words = CLOSE_WORDS["close" if action == "close" else action]
        text = words.format(side=position.side, size=abs(position.qty), symbol=symbol)
        # A limit close is priced at the touch: the symbol's book must be live, and a position
        # row is no lease of its own (its mark comes from the position feed). Lease it while
        # the trader confirms, so the book is there by the time the price is read.
        lease = self.session.market_data.lease(symbol, "close") if action == "limit_best" else None
        try:
            if not await self.confirm("close", "Close position", text):
                return
            if lease is not None:
                await self._book_live(symbol)
            await self._close(symbol, action)
        finally:
            if lease is not None:
                lease.release()

    async def _book_live(self, symbol: str, timeout: float = BOOK_WAIT_S) -> None:
        """Wait (bounded) for `symbol`'s book to be live; the close refuses in words if not."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            book = self.session.market_data.books.get(symbol)
            if book is not None and book.is_live:
                return
            await asyncio.sleep(0.05)

    async def _close(self, symbol: str, action: str) -> None:
        try:
            if action == "reverse":
                await self.session.trading.reverse_position(symbol)
            else:
                how = "market" if action == "close" else action
                await self.session.trading.close_position(symbol, how)
        except OrderRejected as rejected:
            self.fail(f"Not sent: {rejected.reason}")
        except VenueError as exc:
            self.last_error = refusal_text(exc)  # the session has notified

    @asyncSlot()
    async def close_position_hotkey(self) -> None:
        symbol = self.window.ticket.symbol
        position = self.session.account.positions.get(symbol)
        if position is None:
            self.fail(f"No open position on {symbol} to close.")
            return
        text = CLOSE_WORDS["close"].format(
            side=position.side, size=abs(position.qty), symbol=symbol
        )
        if await self.confirm("close_hotkey", "Close position", text):
            await self._close(symbol, "close")

    @asyncSlot()
    async def flatten_all(self) -> None:
        count = len(self.session.account.positions)
        text = (
            f"Cancel every open order and stop order and close all {count} position(s) at "
            "market, on every contract?"
        )
        if not await self.confirm("flatten", "Flatten all", text):
            return
        try:
            await self.session.trading.flatten_all()
        except (VenueError, OrderRejected) as exc:
            self.fail(f"Flatten all incomplete: {exc}")

    # -- TP/SL -------------------------------------------------------------------------------

    def open_bracket(self, symbol: str, request: OrderRequest | None = None) -> BracketDialog:
        if self.bracket_dialog is not None:
            self.bracket_dialog.close()
        policy = lambda text: self.confirm("bracket", "TP/SL", text)  # noqa: E731
        dialog = BracketDialog(
            self.session, symbol, request=request, confirm=policy, parent=self.window.window()
        )
        self.bracket_dialog = dialog
        dialog.open()
        return dialog

    @asyncSlot(str, str, object)
    async def level_moved(self, order_id: str, kind: str, price: Decimal) -> None:
        """An SL/TP line dropped at `price`: replace that TP/SL with the level moved."""
        symbol = next(
            (s.symbol for s in self.session.trading.stop_orders.all() if s.order_id == order_id), ""
        )
        contract = self.session.contracts.get(symbol)
        if contract is None:
            return
        levels = {
            lv.kind: lv for lv in self.session.trading.protection(symbol) if lv.order_id == order_id
        }
        if kind not in levels:
            return
        trigger = levels[kind].trigger or Trigger.MARK
        fmt = contract.format_price
        sl = fmt(price) if kind == "SL" else (fmt(levels["SL"].price) if "SL" in levels else "")
        tp = fmt(price) if kind == "TP" else (fmt(levels["TP"].price) if "TP" in levels else "")
        try:
            plan = self.session.trading.plan_for_position(symbol, sl, tp, trigger)
        except OrderRejected as rejected:
            self.fail(f"TP/SL not moved: {rejected.reason}")
            return
        old = price_text(contract, levels[kind].price)
        text = f"Move the {kind} of {symbol} from {old} to {price_text(contract, price)}?"
        if not await self.confirm("bracket", "Move TP/SL", text):
            return
        try:
            await self.session.trading.replace_bracket(order_id, plan)
        except VenueError as exc:
            self.last_error = refusal_text(exc)

    # -- orders ------------------------------------------------------------------------------

    @asyncSlot(str, object, object)
    async def modify_order(self, order_id: str, price: Decimal | None, size: int | None) -> None:
        orders = self.window.open_orders
        order = self.session.trading.orders.get(order_id)
        if order is None:
            return
        contract = self.session.contracts.get(order.symbol)
        new_price = price_text(contract, price if price is not None else order.price)
        new_size = size if size is not None else order.remaining
        text = (
            f"Replace your {order.side.upper()} order {order.remaining} @ "
            f"{price_text(contract, order.price)} on {order.symbol} with {new_size} @ "
            f"{new_price}?\n\nIt is cancelled and placed again (new queue position)."
        )
        if not await self.confirm("move", "Edit order", text):
            orders.show_message("Not changed: not confirmed.", True)
            return
        orders.show_message(f"Replacing order {order_id}…")
        try:
            new_id = await self.session.trading.modify_order(order_id, price=price, size=size)
        except OrderRejected as rejected:
            orders.show_message(f"Not changed: {rejected.reason}", True)
            return
        except (VenueError, KeyError) as exc:
            reason = refusal_text(exc) if isinstance(exc, VenueError) else str(exc)
            orders.show_message(f"Edit failed: {reason}", True)
            return
        if new_id is None:
            orders.show_message(f"Order {order_id} filled before the edit; nothing placed.")
        else:
            orders.show_message(f"Order {order_id} replaced by {new_id}.")
