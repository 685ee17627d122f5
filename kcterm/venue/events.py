"""The venue's domain events and values: what an adapter (kcterm.venue.kucoin) turns its wire
messages into, and all that core/ and ui/ read of a venue.

Field names are ours, not the venue's: `filled_size`, never `filledSize`. Money and prices are
Decimals, sizes are whole lots (int), times are nanoseconds since the epoch (`*_ns`) unless a
name says otherwise. Every type is a frozen, slotted dataclass: cheap to build on a hot path,
safe to hand to several subscribers of the bus (core.bus) at once.

A value here never carries the venue's raw payload: a consumer that needs a field adds it
here and the adapter fills it, so a second venue knows exactly what it must provide.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"
    # An event that does not say (a stop's "triggered" echo may carry its id alone): kept,
    # not dropped, because its id is what matters; consumers take the side from what they know.
    UNKNOWN = ""


# -- market data ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookDelta:
    """One change of a level-2 book: the size now resting at `price` on `side` (0 removes the
    level). `sequence` orders the changes of one symbol; the snapshot shares it."""

    symbol: str
    sequence: int
    side: Side
    price: Decimal
    size: int
    ts_ns: int = 0


@dataclass(frozen=True, slots=True)
class Trade:
    """One public trade (the tape). `side` is the taker's."""

    symbol: str
    trade_id: str
    side: Side
    price: Decimal
    size: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TopOfBook:
    """Best bid and ask with their sizes, as the venue's ticker reports them."""

    symbol: str
    sequence: int
    best_bid: Decimal
    best_bid_size: int
    best_ask: Decimal
    best_ask_size: int
    ts_ns: int


# -- orders ---------------------------------------------------------------------------------


class OrderEventKind(StrEnum):
    """Why an order update was sent: it rests (OPEN), part of it traded (MATCH), it ended
    (FILLED, CANCELED), or its size or price changed while it rests (UPDATE)."""

    RECEIVED = "received"
    OPEN = "open"
    MATCH = "match"
    UPDATE = "update"
    FILLED = "filled"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """One event of the private order feed. `done` is true once the order will change no more
    (filled or cancelled); a MATCH carries the trade in the `match_*` fields."""

    kind: OrderEventKind
    order_id: str
    client_oid: str
    symbol: str
    side: Side
    order_type: str  # "limit" | "market"
    price: Decimal | None  # the order's limit price; None when the event does not say
    size: int | None  # None when the event does not say (keep what is known)
    filled_size: int
    remaining_size: int
    done: bool
    ts_ns: int
    status: str = ""  # the order's state after the event: "open" | "match" | "done"
    order_time_ns: int = 0
    margin_mode: str = ""  # "ISOLATED" | "CROSS" when the event says
    match_price: Decimal | None = None
    match_size: int = 0
    trade_id: str = ""
    liquidity: str = ""  # "maker" | "taker" on a MATCH
    old_size: int | None = None  # on UPDATE: the size before the change
    liquidation: bool = False  # the trade was the venue closing the position

    @property
    def is_match(self) -> bool:
        return self.kind is OrderEventKind.MATCH


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """An order resting on the venue's book, as the venue lists it or the feed opened it."""

    order_id: str
    client_oid: str
    symbol: str
    side: str
    order_type: str
    price: Decimal
    size: int
    filled_size: int
    status: str
    order_time_ns: int

    @property
    def remaining(self) -> int:
        return self.size - self.filled_size


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """One order as the venue reports it on request: its state and the terms an order event
    does not carry (leverage, margin mode, flags), which a modify keeps for the replacement."""

    order_id: str
    client_oid: str
    symbol: str
    side: Side
    order_type: str
    price: Decimal | None
    size: int
    filled_size: int
    active: bool
    leverage: Decimal | None = None
    margin_mode: str = ""
    time_in_force: str = "GTC"
    post_only: bool = False
    reduce_only: bool = False
    close_order: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: int = 0
    avg_price: Decimal | None = None
    end_ns: int = 0


@dataclass(frozen=True, slots=True)
class Fill:
    """One of our trades, with its fee once the venue has reported it (`fee` is None when the
    fill is known only from the order feed, which carries no fee)."""

    trade_id: str
    order_id: str
    symbol: str
    side: Side
    price: Decimal
    size: int
    liquidity: str
    ts_ns: int
    fee: Decimal | None = None
    fee_currency: str = ""


class StopEventKind(StrEnum):
    OPEN = "open"  # the stop order is placed and waits for its trigger
    TRIGGERED = "triggered"  # its trigger was hit: it became an ordinary order
    CANCELED = "canceled"  # cancelled, or refused when it triggered


@dataclass(frozen=True, slots=True)
class StopOrderUpdate:
    """One event of the stop-order feed (untriggered stop orders)."""

    kind: StopEventKind
    order_id: str
    symbol: str
    side: Side
    order_type: str
    size: int
    stop_price: Decimal
    stop_direction: str  # "up" | "down"
    # The price it watches, in the letters core uses for it today: "TP" last trade, "MP" mark,
    # "IP" index (KuCoin's own codes; a second venue maps its words onto these three).
    trigger_price_type: str
    ts_ns: int
    order_price: Decimal = Decimal(0)  # the limit price once triggered; 0 for a market stop
    error: str = ""  # why a triggered stop was refused, when it was


# -- account --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """A position as the venue reports it after a change (qty 0: the position is closed)."""

    symbol: str
    qty: int  # signed: long > 0, short < 0
    avg_entry_price: Decimal
    mark_price: Decimal
    liquidation_price: Decimal
    unrealised_pnl: Decimal
    realised_pnl: Decimal
    margin: Decimal
    leverage: Decimal
    cross_margin: bool
    settle_currency: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BalanceUpdate:
    """The account of one settle currency. `version` orders the venue's updates (0: unknown)."""

    currency: str
    equity: Decimal
    available: Decimal
    position_margin: Decimal
    order_margin: Decimal
    unrealised_pnl: Decimal
    ts_ns: int
    version: int = 0


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """Funding paid (negative) or received (positive) on a position at one settlement."""

    payment_id: str
    symbol: str
    ts_ns: int
    rate: Decimal
    amount: Decimal
    currency: str
    position_qty: int
    mark_price: Decimal
