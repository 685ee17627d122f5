"""The ticket's live checks: the draft is validated by core for a buy and for a sell as the
user types (and a few times a second as the market moves). Each side's line shows what the
order would cost — value, margin, fee, the liquidation price it leads to, and the R multiple
of an attached TP/SL — or why it would be refused; a field refused for both sides is marked.

Besides the contract's rules, the refusals the exchange would make from the book and the
position (post-only crossing, reduce-only growing: core.refusal_forecast) are shown here and
stop the order before it is sent. A field the trader has not typed in yet is not an error: its
line is a plain hint ("A limit order needs a price"), red only once something was typed.

The checks see the ticket through `CheckedTicket`, so this module never imports the ticket.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from kcterm.core.bracket import BracketPlan
from kcterm.core.contract import Contract
from kcterm.core.refusal_forecast import forecast_refusal
from kcterm.core.session import Session
from kcterm.core.size_units import SizeError, describe_lots, to_lots
from kcterm.core.validation import OrderDraft, OrderRejected, OrderRequest

TYPED_FIELDS = ("price", "size", "stop", "visible", "sl", "tp")


class CheckedTicket(Protocol):
    """What the checks read and write of the order ticket."""

    price_edit: QLineEdit
    stop_edit: QLineEdit
    size_edit: QLineEdit
    buy_preview: QLabel
    sell_preview: QLabel
    conversion_label: QLabel

    @property
    def kind(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def contract(self) -> Contract | None: ...
    @property
    def size_unit(self) -> str: ...
    @property
    def closes_position(self) -> bool: ...
    def draft(self, side: str) -> OrderDraft: ...
    def bracket_plan(self, request: OrderRequest) -> BracketPlan | None: ...
    def field_widget(self, field: str | None) -> QWidget | None: ...
    def mark_invalid(self, fields: set[str]) -> None: ...


class TicketChecks:
    def __init__(self, session: Session, ticket: CheckedTicket) -> None:
        self._session = session
        self._ticket = ticket
        self.refused: dict[str, OrderRejected] = {}  # side -> why, for the last run
        self.waiting: dict[str, OrderRejected] = {}  # side -> a field still to fill in

    def forecast(self, request: OrderRequest) -> None:
        """Raise OrderRejected when the exchange would refuse `request` as the book and the
        position stand now (post-only crossing, reduce-only opening or growing)."""
        refusal = forecast_refusal(
            self._session.contracts[request.symbol],
            request,
            self._session.trading.market_context(request.symbol),
            self._session.account.positions.get(request.symbol),
        )
        if refusal is not None:
            raise refusal

    def entry_price(self) -> Decimal | None:
        """The price the ticket's order is expected to trade at (for sizing and previews)."""
        ticket = self._ticket
        text = ticket.price_edit.text() if ticket.kind in ("limit", "stop_limit") else ""
        if ticket.kind == "stop_market":
            text = ticket.stop_edit.text()
        try:
            price = Decimal(text.strip().replace(",", ""))
            if price.is_finite() and price > 0:
                return price
        except ArithmeticError:
            pass
        market = self._session.trading.market_context(ticket.symbol)
        return market.mark or market.last

    def run(self) -> None:
        ticket = self._ticket
        contract = ticket.contract
        if contract is None:
            return
        self.refused, self.waiting = {}, {}
        for side, label in (("buy", ticket.buy_preview), ("sell", ticket.sell_preview)):
            # Only what changed: a new text or style relays out and repaints the ticket's
            # dock, and the checks run a few times a second on a still market too.
            text = self._line(side)
            if label.text() != text:
                label.setText(text)
            refused = side in self.refused
            if label.property("refused") is not refused:  # None: never set yet
                label.setProperty("refused", refused)
                label.style().polish(label)
        both = {r.field for r in self.refused.values()} if len(self.refused) == 2 else set()
        common = {
            f for f in both if all(r.field == f for r in self.refused.values())
        } & self._typed_fields()
        ticket.mark_invalid(common)
        self._convert()

    def _line(self, side: str) -> str:
        ticket = self._ticket
        contract = ticket.contract
        assert contract is not None
        name = "Buy" if side == "buy" else "Sell"
        try:
            request = self._session.trading.prepare(ticket.draft(side))
            plan = ticket.bracket_plan(request)
            self.forecast(request)
        except OrderRejected as rejected:
            if rejected.field in TYPED_FIELDS and rejected.field not in self._typed_fields():
                self.waiting[side] = rejected  # nothing typed there yet: a hint, not an error
                return f"{name}: {rejected.reason}"
            self.refused[side] = rejected
            return f"{name}: ✕ {rejected.reason}"
        preview = self._session.trading.preview(request)
        text = f"{name}: " + (preview.describe(contract) if preview else "no price yet")
        r_multiple = plan.reward_over_risk(contract) if plan is not None else None
        if r_multiple is not None:
            text += f" · {r_multiple:.2f} R"
        return text

    def _typed_fields(self) -> set[str]:
        """Fields with something in them: an empty field is not marked red before typing."""
        ticket = self._ticket
        out = set()
        for name in TYPED_FIELDS:
            widget = ticket.field_widget(name)
            text = getattr(widget, "text", lambda: "")()
            if text.strip():
                out.add(name)
        return out

    def _convert(self) -> None:
        ticket = self._ticket
        contract = ticket.contract
        assert contract is not None
        if ticket.closes_position:
            _show(ticket.conversion_label, "= the whole position")
            return
        price = self.entry_price()
        try:
            lots = to_lots(contract, ticket.size_unit, ticket.size_edit.text(), price)
        except SizeError:
            _show(ticket.conversion_label, "")
            return
        _show(ticket.conversion_label, "= " + describe_lots(contract, lots, price))


def _show(label: QLabel, text: str) -> None:
    if label.text() != text:  # the same text again would still relay out the dock
        label.setText(text)
