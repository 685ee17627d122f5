"""Order entry rules checked before any request is built (spec/REFERENCE.md 7.2, 7.9 and 7.10).

Everything a user types arrives here as text. It leaves as an `OrderRequest` whose prices are
exact multiples of the tick and whose size is a whole number of lots, or as `OrderRejected`
naming the field and the reason in words a trader reads in the ticket.

Order kinds: limit, market, stop-limit and stop-market. A stop watches the last trade price,
the mark or the index (venue.events Trigger); its `stop` direction
is not typed but derived: a stop price above the watched price fires on the way up, below on
the way down. The fat-finger limits (maximum order value, maximum distance from the mark) are
the user's own and apply to every order that can open risk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kcterm.core.contract import Contract
from kcterm.core.size_units import SizeError, to_lots
from kcterm.venue.events import Trigger

ORDER_KINDS = ("limit", "market", "stop_limit", "stop_market")
TRIGGERS = {trigger: trigger.value for trigger in Trigger}  # trigger -> the price, in words


class OrderRejected(ValueError):
    """A ticket entry that breaks a contract rule; `field` says which input to point at."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """What the ticket holds, as typed."""

    symbol: str
    side: str  # "buy" | "sell"
    order_type: str  # one of ORDER_KINDS
    size: str
    price: str = ""
    leverage: int = 5
    margin_mode: str = "ISOLATED"
    size_unit: str = "lots"  # lots | coins | usdt (size_units.py)
    stop_price: str = ""
    trigger: Trigger = Trigger.LAST  # the price a stop watches
    time_in_force: str = "GTC"  # GTC | IOC
    post_only: bool = False
    reduce_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: str = ""
    close_position: bool = False  # close the position: the exchange takes side and size from it


@dataclass(frozen=True, slots=True)
class MarketContext:
    """The prices the rules compare against; None where not known yet."""

    last: Decimal | None = None
    mark: Decimal | None = None
    index: Decimal | None = None
    best_bid: Decimal | None = None
    best_ask: Decimal | None = None

    def watched(self, trigger: Trigger) -> Decimal | None:
        return {Trigger.LAST: self.last, Trigger.MARK: self.mark, Trigger.INDEX: self.index}.get(
            trigger
        )

    def reference(self, side: str) -> Decimal | None:
        """The price a market order is expected to trade at: the touch, else mark or last."""
        touch = self.best_ask if side == "buy" else self.best_bid
        return touch or self.mark or self.last


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """Fat-finger limits: None switches one off."""

    max_order_value: Decimal | None = None  # in the settlement currency (USDT, XBT...)
    max_mark_distance_pct: Decimal | None = None  # percent, e.g. 5 for 5 %


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A validated order, ready to be sent: the venue's adapter writes its request from these
    typed terms (kcterm.venue.kucoin.order_body); core never builds a venue's body."""

    client_oid: str
    symbol: str
    side: str
    order_type: str  # the wire type: limit | market
    size: int  # 0 with close_order (the exchange takes the position's size)
    price: Decimal | None
    price_text: str | None
    leverage: int
    margin_mode: str
    kind: str = ""  # the ticket's kind (ORDER_KINDS); "" means order_type
    stop: str | None = None  # up | down
    stop_price: Decimal | None = None
    stop_price_text: str | None = None
    trigger: Trigger = Trigger.LAST
    time_in_force: str = "GTC"
    post_only: bool = False
    reduce_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: int | None = None
    close_order: bool = False

    def describe(self) -> str:
        """`buy 3 XBTUSDTM stop-limit @ 86000.0 (stop up 85990.0 on last)`: for the journal."""
        size = "the position" if self.close_order else str(self.size)
        kind = (self.kind or self.order_type).replace("_", "-")
        text = f"{self.side} {size} {self.symbol} {kind}"
        if self.price_text:
            text += f" @ {self.price_text}"
        if self.stop:
            text += f" (stop {self.stop} {self.stop_price_text} on {TRIGGERS[self.trigger]})"
        return text

    @property
    def value_price(self) -> Decimal | None:
        """The price the order's value is figured at when it is known from the order alone."""
        return self.price if self.price is not None else self.stop_price


def new_client_oid() -> str:
    """32 hex characters: inside KuCoin's 40-character [A-Za-z0-9_-] rule and unique."""
    return uuid.uuid4().hex


def validate_order(
    contract: Contract,
    draft: OrderDraft,
    market: MarketContext | None = None,
    limits: SafetyLimits | None = None,
) -> OrderRequest:
    market = market or MarketContext()
    if draft.side not in ("buy", "sell"):
        raise OrderRejected("side", f"Side must be buy or sell, not {draft.side!r}.")
    kind = draft.order_type
    if kind not in ORDER_KINDS:
        raise OrderRejected(
            "type", f"Order type must be limit, market, stop-limit or stop-market, not {kind!r}."
        )
    wire_type = "limit" if kind in ("limit", "stop_limit") else "market"
    if not 1 <= draft.leverage <= contract.max_leverage:
        raise OrderRejected("leverage", f"Leverage must be between 1 and {contract.max_leverage}x.")
    if draft.margin_mode not in ("ISOLATED", "CROSS"):
        raise OrderRejected("margin", "Margin mode must be isolated or cross.")
    price: Decimal | None = None
    if wire_type == "limit":
        price = _parse_price(contract, draft.price, "price", "A limit order needs a price.")
        if kind == "limit":
            _check_band(contract, price, draft.side)
    stop, stop_price = (
        _stop_of(contract, draft, market) if kind.startswith("stop") else (None, None)
    )
    _check_flags(draft, wire_type)
    size = 0
    if not draft.close_position:
        size = _parse_size(contract, draft, price or stop_price or market.reference(draft.side))
    visible = _parse_visible(draft, size) if draft.iceberg else None
    request = OrderRequest(
        client_oid=new_client_oid(),
        symbol=contract.symbol,
        side=draft.side,
        order_type=wire_type,
        size=size,
        price=price,
        price_text=None if price is None else contract.format_price(price),
        leverage=draft.leverage,
        margin_mode=draft.margin_mode,
        kind=kind,
        stop=stop,
        stop_price=stop_price,
        stop_price_text=None if stop_price is None else contract.format_price(stop_price),
        trigger=draft.trigger,
        time_in_force=draft.time_in_force,
        post_only=draft.post_only,
        reduce_only=draft.reduce_only or draft.close_position,
        hidden=draft.hidden,
        iceberg=draft.iceberg,
        visible_size=visible,
        close_order=draft.close_position,
    )
    if limits is not None:
        check_limits(contract, request, market, limits)
    return request


def check_limits(
    contract: Contract, request: OrderRequest, market: MarketContext, limits: SafetyLimits
) -> None:
    """The fat-finger limits. An order that can only reduce a position is never held back
    by the value limit (closing must always be possible); every typed price is kept near
    the mark."""
    mark = market.mark or market.last
    distance = limits.max_mark_distance_pct
    if distance is not None and mark:
        for field, typed in (("price", request.price), ("stop", request.stop_price)):
            if typed is None:
                continue
            off = abs(typed - mark) / mark * 100
            if off > distance:
                raise OrderRejected(
                    field,
                    f"{'Price' if field == 'price' else 'Stop price'} is {off:.1f}% from the "
                    f"mark {contract.format_price(mark)}; your limit is {distance.normalize():f}%.",
                )
    cap = limits.max_order_value
    if cap is None or request.reduce_only:
        return
    price = request.value_price or market.reference(request.side)
    if price is None:
        return
    value = contract.value(request.size, price)  # the coin for an inverse contract
    if value > cap:
        places = contract.money_places
        raise OrderRejected(
            "size",
            f"Order value {value:,.{places}f} {contract.settle_currency or 'USDT'} is above "
            f"your maximum of {cap:,.{places}f}.",
        )


def _stop_of(contract: Contract, draft: OrderDraft, market: MarketContext) -> tuple[str, Decimal]:
    if draft.trigger not in TRIGGERS:
        raise OrderRejected("trigger", "Trigger on the last, mark or index price.")
    stop_price = _parse_price(
        contract, draft.stop_price, "stop", "A stop order needs a stop price."
    )
    watched = market.watched(draft.trigger)
    name = TRIGGERS[draft.trigger]
    if watched is None:
        raise OrderRejected("stop", f"No {name} price yet to place the stop against.")
    if stop_price == watched:
        raise OrderRejected(
            "stop",
            f"Stop price equals the {name} price {contract.format_price(watched)}: it would "
            "trigger at once; use a limit or market order.",
        )
    return ("up" if stop_price > watched else "down"), stop_price


def _check_flags(draft: OrderDraft, wire_type: str) -> None:
    if draft.time_in_force not in ("GTC", "IOC"):
        raise OrderRejected("tif", "Time in force must be GTC or IOC.")
    if wire_type == "market":
        for on, name in (
            (draft.post_only, "Post-only"),
            (draft.hidden, "Hidden"),
            (draft.iceberg, "Iceberg"),
            (draft.time_in_force == "IOC", "IOC"),
        ):
            if on:
                raise OrderRejected("flags", f"{name} applies to limit orders only.")
    if draft.hidden and draft.iceberg:
        raise OrderRejected("flags", "Choose hidden or iceberg, not both.")
    if draft.post_only and (draft.hidden or draft.iceberg or draft.time_in_force == "IOC"):
        raise OrderRejected("flags", "Post-only cannot be combined with hidden, iceberg or IOC.")
    if draft.close_position and draft.iceberg:
        raise OrderRejected("flags", "Closing the position takes its whole size: no iceberg.")


def _parse_size(contract: Contract, draft: OrderDraft, price: Decimal | None) -> int:
    try:
        size = to_lots(contract, draft.size_unit, draft.size, price)
    except SizeError as exc:
        raise OrderRejected("size", str(exc)) from None
    if size < 1:
        raise OrderRejected("size", "Size must be at least 1 lot.")
    if size % contract.lot_size:
        raise OrderRejected("size", f"Size must be a multiple of the lot size {contract.lot_size}.")
    if size > contract.max_order_qty:
        raise OrderRejected(
            "size", f"Size {size} is above the maximum of {contract.max_order_qty} lots."
        )
    return size


def _parse_visible(draft: OrderDraft, size: int) -> int:
    cleaned = draft.visible_size.strip().replace(",", "")
    if not cleaned:
        raise OrderRejected("visible", "An iceberg needs a visible size in lots.")
    try:
        visible = Decimal(cleaned)
    except InvalidOperation:
        raise OrderRejected("visible", f"Visible size {cleaned!r} is not a number.") from None
    if not visible.is_finite() or visible != visible.to_integral_value() or visible < 1:
        raise OrderRejected("visible", "Visible size must be a whole number of lots, at least 1.")
    if visible >= size:
        raise OrderRejected("visible", f"Visible size must be smaller than the size ({size}).")
    return int(visible)


def _parse_price(contract: Contract, text: str, field: str, missing: str) -> Decimal:
    label = "Price" if field == "price" else "Stop price"
    price = parse_tick_price(contract, text, field, label)
    if price is None:
        raise OrderRejected(field, missing)
    return price


def parse_tick_price(contract: Contract, text: str, field: str, label: str) -> Decimal | None:
    """A typed price as an exact Decimal on the contract's tick grid; None when left blank.
    ``label`` names the field in the reason ("Stop-loss 91000.05 is not on the tick grid")."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return None
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        raise OrderRejected(field, f"{label} {text!r} is not a number.") from None
    if not price.is_finite() or price <= 0:
        raise OrderRejected(field, f"{label} must be above zero.")
    if not contract.is_on_tick(price):
        raise OrderRejected(
            field,
            f"{label} {cleaned} is not on the tick grid: use a multiple of "
            f"{contract.format_price(contract.tick_size)}.",
        )
    if price > contract.max_price:
        raise OrderRejected(field, f"{label} is above the contract maximum {contract.max_price}.")
    return price


def _check_band(contract: Contract, price: Decimal, side: str) -> None:
    if side == "buy" and contract.buy_limit is not None and price > contract.buy_limit:
        raise OrderRejected(
            "price",
            f"Buy price is above the exchange's band {contract.format_price(contract.buy_limit)}.",
        )
    if side == "sell" and contract.sell_limit is not None and price < contract.sell_limit:
        raise OrderRejected(
            "price",
            "Sell price is below the exchange's band "
            f"{contract.format_price(contract.sell_limit)}.",
        )
