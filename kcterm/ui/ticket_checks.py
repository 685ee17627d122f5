"""The ticket's live checks: the draft is validated by core for a buy and for a sell as the
user types (and a few times a second as the market moves). Each side's line shows what the
order would cost — value, margin, fee, the liquidation price it leads to, and the R multiple
of an attached TP/SL — or why it would be refused; a field refused for both sides is marked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from kcterm.core.session import Session
from kcterm.core.size_units import SizeError, describe_lots, to_lots
from kcterm.core.validation import OrderRejected

if TYPE_CHECKING:
    from kcterm.ui.order_ticket import OrderTicket


class TicketChecks:
    def __init__(self, session: Session, ticket: OrderTicket) -> None:
        self._session = session
        self._ticket = ticket
        self.refused: dict[str, OrderRejected] = {}  # side -> why, for the last run

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
        market = self._session.market_context(ticket.symbol)
        return market.mark or market.last

    def run(self) -> None:
        ticket = self._ticket
        contract = ticket.contract
        if contract is None:
            return
        self.refused = {}
        for side, label in (("buy", ticket.buy_preview), ("sell", ticket.sell_preview)):
            label.setText(self._line(side))
            label.setProperty("refused", side in self.refused)
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
            request = self._session.prepare(ticket.draft(side))
            plan = ticket.bracket_plan(request)
        except OrderRejected as rejected:
            self.refused[side] = rejected
            return f"{name}: ✕ {rejected.reason}"
        preview = self._session.preview(request)
        text = f"{name}: " + (preview.describe(contract) if preview else "no price yet")
        if plan is not None and plan.r_multiple is not None:
            text += f" · {plan.r_multiple:.2f} R"
        return text

    def _typed_fields(self) -> set[str]:
        """Fields with something in them: an empty field is not marked red before typing."""
        ticket = self._ticket
        out = set()
        for name in ("price", "size", "stop", "visible", "sl", "tp"):
            widget = ticket.field_widget(name)
            text = getattr(widget, "text", lambda: "")()
            if text.strip():
                out.add(name)
        return out

    def _convert(self) -> None:
        ticket = self._ticket
        contract = ticket.contract
        assert contract is not None
        if ticket.options.close_position.isChecked():
            ticket.conversion_label.setText("= the whole position")
            return
        price = self.entry_price()
        unit = str(ticket.unit_box.currentData() or "lots")
        try:
            lots = to_lots(contract, unit, ticket.size_edit.text(), price)
        except SizeError:
            ticket.conversion_label.setText("")
            return
        ticket.conversion_label.setText("= " + describe_lots(contract, lots, price))
