"""The venue's domain events and values: what an adapter (kcterm.venue.kucoin) turns its wire
messages into, and all that core/ and ui/ read of a venue.

Field names are ours, not the venue's: `filled_size`, never `filledSize`. Money and prices are
Decimals, sizes are whole lots (int), times are nanoseconds since the epoch (`*_ns`) unless a
name says otherwise. Every type is a frozen, slotted dataclass: cheap to build on a hot path,
safe to hand to several subscribers of the bus (core.bus) at once. BookDelta, the hottest of
all (one per level2 message), is a NamedTuple: as immutable, and built in well under half the time.

A value here never carries the venue's raw payload: a consumer that needs a field adds it
here and the adapter fills it, so a second venue knows exactly what it must provide.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class Trigger(StrEnum):
    """The price a stop order or a TP/SL watches. Each adapter maps its venue's words onto
    these (KuCoin's stopPriceType TP / MP / IP: venue.kucoin.order_events)."""

    LAST = "last"  # the last trade price
    MARK = "mark"
    INDEX = "index"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"
    # An event that does not say (a stop's "triggered" echo may carry its id alone): kept,
    # not dropped, because its id is what matters; consumers take the side from what they know.
    UNKNOWN = ""


# -- market data ----------------------------------------------------------------------------


class BookDelta(NamedTuple):
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
    reduce_only: bool = False  # a closing order: it protects a position, it opens nothing
    close_order: bool = False

    @property
    def remaining(self) -> int:
        return self.size - self.filled_size


@dataclass(frozen=True, slots=True)
class StopOrder:
    """An untriggered stop order as the venue lists it (or the stop feed opened it)."""

    order_id: str
    symbol: str
    side: str
    size: int
    stop: str  # "up" | "down"
    stop_price: Decimal
    price: Decimal  # 0 for a market stop
    trigger: Trigger | None = None  # the price it watches; None: the venue did not say
    reduce_only: bool = False
    close_order: bool = False  # closes the whole position (size 0)

    @property
    def closing(self) -> bool:
        """A TP/SL: it can only reduce or close a position."""
        return self.reduce_only or self.close_order


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
    # "trade" for an ordinary fill; the venue's word for a liquidation, an auto-deleveraging
    # or a settlement otherwise (the journal keeps them all, the fills panel only trades).
    trade_type: str = "trade"


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
    trigger: Trigger | None  # the price it watches; None: the venue did not say
    ts_ns: int
    order_price: Decimal = Decimal(0)  # the limit price once triggered; 0 for a market stop
    error: str = ""  # why a triggered stop was refused, when it was
    reduce_only: bool = False  # when the event says (KuCoin's does not: REST lists do)
    close_order: bool = False


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
    adl_rank: Decimal | None = None  # where it stands in the auto-deleveraging queue (0-1)
    inverse: bool = False  # coin-margined: money fields are in the coin
    # The fields this update reports; None: all of them. A feed update may carry only some
    # (a mark price move): the others keep what the position had, and read as 0 here.
    fields: frozenset[str] | None = None

    def reports(self, name: str) -> bool:
        return self.fields is None or name in self.fields


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
    risk_ratio: Decimal | None = None  # the venue's cross-margin risk rate, when it says
    cross_equity: Decimal | None = None  # the cross positions' equity (the risk rate's base)


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


# -- market data: snapshots and statistics (what the market-data part reads by REST) --------


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """A whole level-2 book at `sequence`: (price, size) levels, best first on each side.
    Levels of size 0 are left out by the adapter."""

    symbol: str
    sequence: int
    bids: tuple[tuple[Decimal, int], ...]
    asks: tuple[tuple[Decimal, int], ...]


@dataclass(frozen=True, slots=True)
class LastPrice:
    """The price of the latest trade of a contract (the watchlist's live column); `side` is
    the taker's, None when the venue did not say."""

    symbol: str
    price: Decimal
    side: Side | None = None


@dataclass(frozen=True, slots=True)
class TickerSnapshot:
    """The venue's ticker by REST: the touch, and the last trade when there was one."""

    top: TopOfBook
    last: LastPrice | None


@dataclass(frozen=True, slots=True)
class MarkIndex:
    """Mark and index prices of a contract (either may be unknown)."""

    symbol: str
    mark: Decimal | None
    index: Decimal | None
    ts_ns: int = 0


@dataclass(frozen=True, slots=True)
class FundingRate:
    """The funding rate of the current period, a fraction (0.0001 is 0.01 %)."""

    symbol: str
    rate: Decimal
    ts_ns: int = 0


@dataclass(frozen=True, slots=True)
class DayStats:
    """The last 24 hours of a contract. `open_24h` is the price 24 h ago (the base of the
    change); `change` / `change_fraction` are given instead when the venue has no such price.
    `funding_rate`, `mark` and `index` come with it when the venue lists them together."""

    symbol: str
    last: Decimal | None = None
    open_24h: Decimal | None = None
    change: Decimal | None = None
    change_fraction: Decimal | None = None
    volume: Decimal | None = None
    turnover: Decimal | None = None
    funding_rate: Decimal | None = None
    mark: Decimal | None = None
    index: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Kline:
    """One candle of the venue's history: `start_ms` is the candle's opening time in ms."""

    start_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """A contract's trading rules as the venue states them. `multiplier` is the value of one
    lot, always positive (an inverse contract's is in the quote currency: USD per lot)."""

    symbol: str
    base_currency: str
    quote_currency: str
    settle_currency: str
    tick_size: Decimal
    lot_size: int
    multiplier: Decimal
    max_order_qty: int
    max_price: Decimal
    max_leverage: int
    maker_fee_rate: Decimal
    taker_fee_rate: Decimal
    buy_limit: Decimal | None = None
    sell_limit: Decimal | None = None
    status: str = "Open"
    maintain_margin: Decimal = Decimal(0)
    is_inverse: bool = False
