"""The margin resting orders hold, estimated locally so the account bar is true now.

KuCoin freezes order margin the moment an order rests: for each active order, the lots that
would open or grow a position, times their value / leverage (value: lots x multiplier x price,
or lots x |multiplier| / price coins for an inverse contract); reducing lots (and
reduce-only or close orders) need none (spec/REFERENCE.md 7.17 account-overview `orderMargin`,
`availableBalance`; the practice exchange computes it the same way). The exchange's own
numbers come with the wallet feed and the overview, but not always at once; between them the
account bar would show a balance that ignores an order just placed, or keeps one just
cancelled.

So the estimate is only ever used as a difference: `unconfirmed(currency)` is what the resting
orders hold now minus what they held when the exchange last reported that currency's balance.
An order placed since adds its margin, one cancelled since gives it back, and a new exchange
balance sets the difference to zero again. An estimator that is a little off (a leverage it had
to guess) is off on both sides of the difference and so cannot bias the figures for long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kcterm.core.contract import Contract
from kcterm.core.orders import OpenOrder
from kcterm.core.positions import Position
from kcterm.venue.events import OrderDetail, OrderUpdate

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderTerms:
    """What the order event does not carry, from the order's REST detail (7.13)."""

    leverage: Decimal | None = None
    reduce_only: bool = False
    close_order: bool = False
    margin_mode: str = ""

    @classmethod
    def from_detail(cls, detail: OrderDetail) -> OrderTerms:
        return cls(
            leverage=detail.leverage,
            reduce_only=detail.reduce_only,
            close_order=detail.close_order,
            margin_mode=detail.margin_mode,
        )


def opening_lots(order: OpenOrder, terms: OrderTerms, position_qty: int) -> int:
    """How many of the order's remaining lots would open or grow a position."""
    if terms.reduce_only or terms.close_order:
        return 0
    remaining = max(0, order.remaining)
    grows = position_qty == 0 or (position_qty > 0) == (order.side == "buy")
    return remaining if grows else max(0, remaining - abs(position_qty))


class OrderMargin:
    """Per-order terms, the estimate, and the baseline the exchange's last balance included."""

    def __init__(
        self,
        orders: Callable[[], Iterable[OpenOrder]],
        positions: Callable[[str], Position | None],
        contracts: Mapping[str, Contract],
        cross_leverage: Callable[[str], int | None],
    ) -> None:
        self._orders = orders
        self._positions = positions
        self._contracts = contracts
        self._cross_leverage = cross_leverage
        self.terms: dict[str, OrderTerms] = {}
        self.modes: dict[str, str] = {}  # order id -> marginMode from its events
        # currency -> order id -> margin, as the exchange's last balance of it held them
        self._baseline: dict[str, dict[str, Decimal | None]] = {}
        # currency -> exchange time (ms) of the last report, when it said (the wallet does)
        self._reported_ms: dict[str, int] = {}
        self.version = 0

    # -- what the feed and REST tell us ------------------------------------------------------

    def note_update(self, update: OrderUpdate) -> None:
        """One order event, after OpenOrders applied it."""
        order_id = update.order_id
        if update.margin_mode:
            self.modes[order_id] = update.margin_mode
        done = update.done
        self._settle_late_event(order_id, update, done)
        if done:
            self.terms.pop(order_id, None)
            self.modes.pop(order_id, None)
        self.version += 1

    def _settle_late_event(self, order_id: str, update: OrderUpdate, done: bool) -> None:
        """An event the last report already counted (the wallet message overtook it on the
        feed) changes the baseline too, so the difference does not count it twice."""
        contract = self._contracts.get(update.symbol)
        ts = update.ts_ns
        if contract is None or not ts:
            return
        currency = contract.settle_currency or "USDT"
        reported = self._reported_ms.get(currency)
        base = self._baseline.get(currency)
        if reported is None or base is None or ts // 1_000_000 > reported:
            return
        if done:
            base.pop(order_id, None)
            return
        order = next((o for o in self._orders() if o.order_id == order_id), None)
        if order is not None:
            base[order_id] = self.of(order)

    def note_terms(self, order_id: str, terms: OrderTerms) -> None:
        self.terms[order_id] = terms
        # A balance taken since the order opened already holds its margin: whatever the
        # terms now say it is, that is what the baseline holds for it too.
        for held in self._baseline.values():
            if order_id in held:
                order = next((o for o in self._orders() if o.order_id == order_id), None)
                if order is not None:
                    held[order_id] = self.of(order)
        self.version += 1

    def needs_terms(self, order_id: str) -> bool:
        return order_id not in self.terms

    # -- the estimate ------------------------------------------------------------------------

    def of(self, order: OpenOrder) -> Decimal | None:
        """The margin `order` holds, or None when its leverage cannot be told yet."""
        if order.order_type != "limit" or order.price <= 0:
            return ZERO  # market orders never rest
        contract = self._contracts.get(order.symbol)
        if contract is None:
            return None
        terms = self.terms.get(order.order_id, OrderTerms())
        position = self._positions(order.symbol)
        lots = opening_lots(order, terms, position.qty if position else 0)
        if lots == 0:
            return ZERO
        mode = terms.margin_mode or self.modes.get(order.order_id, "")
        leverage = terms.leverage
        if mode == "CROSS":  # cross orders use the symbol's cross leverage (REFERENCE §10.14)
            cross = self._cross_leverage(order.symbol)
            leverage = Decimal(cross) if cross else leverage
        if leverage is None and position is not None and position.leverage > 0:
            leverage = position.leverage
        if leverage is None or leverage <= 0:
            return None
        # In the settlement currency: coins (lots x |mult| / price) for an inverse contract.
        return contract.value(lots, order.price) / leverage

    def held(self, currency: str) -> dict[str, Decimal | None]:
        """order id -> estimated margin of each open order settling in `currency` (None: its
        leverage is not known yet)."""
        out: dict[str, Decimal | None] = {}
        for order in self._orders():
            contract = self._contracts.get(order.symbol)
            if contract is None or (contract.settle_currency or "USDT") != currency:
                continue
            out[order.order_id] = self.of(order)
        return out

    def confirm(self, currency: str, at_ms: int | None = None) -> None:
        """The exchange just reported `currency`'s balance (at exchange time `at_ms`, when the
        report says): it holds the orders open now."""
        self._baseline[currency] = self.held(currency)
        if at_ms is None:
            self._reported_ms.pop(currency, None)
        else:
            self._reported_ms[currency] = at_ms
        self.version += 1

    def unconfirmed(self, currency: str) -> Decimal:
        """Margin the resting orders hold now that the last exchange balance did not show
        (negative: margin an order since cancelled or filled gave back)."""
        base = self._baseline.get(currency)
        if base is None:
            return ZERO  # no exchange balance yet: nothing to adjust
        now = self.held(currency)
        return _total(now) - _total(base)


def _total(held: Mapping[str, Decimal | None]) -> Decimal:
    return sum((margin for margin in held.values() if margin is not None), ZERO)
