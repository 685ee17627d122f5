"""What core needs of a venue, as Protocols: the one contract between kcterm's trading logic
and an exchange adapter (today venue.kucoin, the only one).

Written from what core actually calls, nothing more. Core holds these types and never an
adapter's class: the profile layer (kcterm.profile_runner) builds an adapter (KucoinVenue) and
gives it to the Session, which hands its parts down. Every value crossing this boundary is
typed (venue.events), every failure a VenueError with a stable `kind` (venue.errors): no field
name, path or code of a venue is seen above it. A second venue is a second package beside
venue/kucoin/ implementing `Venue`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol

from kcterm.venue.errors import VenueError
from kcterm.venue.events import (
    BalanceUpdate,
    Fill,
    FundingPayment,
    OpenOrder,
    OrderDetail,
    PositionUpdate,
    StopOrder,
    Trigger,
)
from kcterm.venue.market import MarketSource
from kcterm.venue.priority import Priority
from kcterm.venue.stream_status import StreamState, StreamStatus

# Told how long a request waits for rate-limit budget (None: it no longer waits).
OnWait = Callable[[float | None], None]
# Spawns a coroutine as one of the session's supervised tasks.
Spawn = Callable[[Coroutine[Any, Any, Any]], object]
# Told of one stream connection's state: (connection name, state, detail in words).
OnStreamState = Callable[[str, StreamState, str], None]
# Told that a stream connection (re)connected, with the topics it carries.
OnConnected = Callable[[list[str]], Awaitable[None]]


# -- the typed orders core hands down (core.validation.OrderRequest, core.bracket.BracketOrder)


class OrderTerms(Protocol):
    """An ordinary order (limit, market, stop-limit, stop-market), validated."""

    @property
    def client_oid(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> str: ...  # buy | sell
    @property
    def order_type(self) -> str: ...  # limit | market
    @property
    def size(self) -> int: ...  # lots; ignored with close_order
    @property
    def price_text(self) -> str | None: ...  # a limit price, exact on the tick grid
    @property
    def leverage(self) -> int: ...
    @property
    def margin_mode(self) -> str: ...  # ISOLATED | CROSS
    @property
    def stop(self) -> str | None: ...  # up | down: the trigger's direction
    @property
    def stop_price_text(self) -> str | None: ...
    @property
    def trigger(self) -> Trigger: ...  # the price a stop watches
    @property
    def time_in_force(self) -> str: ...  # GTC | IOC
    @property
    def post_only(self) -> bool: ...
    @property
    def reduce_only(self) -> bool: ...
    @property
    def hidden(self) -> bool: ...
    @property
    def iceberg(self) -> bool: ...
    @property
    def visible_size(self) -> int | None: ...
    @property
    def close_order(self) -> bool: ...


class BracketTerms(Protocol):
    """One closing market order with a take-profit and/or stop-loss trigger on one price."""

    @property
    def client_oid(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> str: ...  # the closing side
    @property
    def size(self) -> int: ...  # ignored with close_order
    @property
    def margin_mode(self) -> str: ...
    @property
    def trigger(self) -> Trigger: ...
    @property
    def close_order(self) -> bool: ...  # the position's whole size when it fires
    @property
    def reduce_only(self) -> bool: ...
    @property
    def up_price_text(self) -> str | None: ...  # fires when the price rises to it
    @property
    def down_price_text(self) -> str | None: ...  # fires when the price falls to it


# -- orders ----------------------------------------------------------------------------------


class OrderVenue(Protocol):
    """The outbound order path: what the order gateway and the order actions call. Retrying is
    core's (core.order_gateway); a method raises a VenueError whose kind says whether the
    outcome is known (AMBIGUOUS: look the clientOid up before anything is sent again)."""

    @property
    def batch_limit(self) -> int: ...  # orders per place_batch

    async def place(
        self, order: OrderTerms, *, priority: Priority | None = None, on_wait: OnWait | None = None
    ) -> str:
        """The order id."""
        ...

    async def place_bracket(
        self,
        order: BracketTerms,
        *,
        priority: Priority | None = None,
        on_wait: OnWait | None = None,
    ) -> str:
        """A TP/SL pair as one venue order; its id. Found by clientOid like any order."""
        ...

    async def place_batch(self, orders: Sequence[OrderTerms]) -> list[str | VenueError]:
        """At most batch_limit orders: per order its id or its error; a raise is the batch's."""
        ...

    async def by_client_oid(
        self,
        client_oid: str,
        *,
        priority: Priority | None = None,
        on_wait: OnWait | None = None,
    ) -> OrderDetail | None:
        """The order (ordinary or stop) with this clientOid; None: the venue definitely does
        not know it (only then may the same order go again)."""
        ...

    async def order(self, order_id: str) -> OrderDetail: ...

    async def cancel(self, order_id: str) -> None:
        """An order or stop order; a VenueError of kind NOT_FOUND when done or unknown."""
        ...

    async def cancel_all(self, symbol: str) -> list[str]:
        """Every open order of `symbol`; the ids cancelled."""
        ...

    async def cancel_all_stops(self) -> None:
        """Every untriggered stop order on every contract."""
        ...

    async def active_symbols(self) -> set[str]:
        """The contracts with open orders, by the venue's own list."""
        ...

    async def waiting_stop_ids(
        self, symbol: str | None = None, *, closing_only: bool = False
    ) -> list[str]:
        """Untriggered stop orders (of `symbol`); `closing_only`: those that only reduce."""
        ...

    # kcterm's own verdicts, as errors of this venue (so their code and path read like its own)
    def unanswered(self, text: str) -> VenueError: ...  # no lookup got an answer (ambiguous)
    def not_placed(self, text: str) -> VenueError: ...  # kcterm stopped trying; never placed
    def outcome_unknown(self, text: str) -> VenueError: ...  # stopped; it may exist


# -- account ---------------------------------------------------------------------------------


class AccountVenue(Protocol):
    """The REST truth the reconciler (and flatten-all) reads, typed. An item the adapter
    cannot read is logged and left out, never guessed."""

    async def open_orders(self, *, priority: Priority | None = None) -> list[OpenOrder]: ...
    async def stop_orders(self, *, priority: Priority | None = None) -> list[StopOrder]: ...
    async def positions(self, *, priority: Priority | None = None) -> list[PositionUpdate]: ...

    async def balance(self, *, priority: Priority | None = None) -> BalanceUpdate | None:
        """The account in the settlement currency; None when the reply cannot be read."""
        ...

    async def recent_fills(self, *, priority: Priority | None = None) -> list[Fill]:
        """Newest first, fees included."""
        ...

    async def done_orders(self, *, priority: Priority | None = None) -> list[OrderDetail]:
        """Recently ended orders (the order history)."""
        ...

    async def funding(
        self, symbol: str, *, priority: Priority | None = None
    ) -> list[FundingPayment]:
        """The recent funding payments of one contract."""
        ...


class MarginVenue(Protocol):
    """A contract's margin mode and cross leverage."""

    async def margin_mode(self, symbol: str) -> str: ...  # ISOLATED | CROSS
    async def cross_leverage(self, symbol: str) -> int: ...

    async def set_margin_mode(self, symbol: str, mode: str) -> None:
        """Refused (a VenueError) while the contract has orders or a position."""
        ...

    async def set_cross_leverage(self, symbol: str, leverage: int) -> None: ...


class PrivateFeed(Protocol):
    def follow(self, publish: Callable[[object], None]) -> None:
        """From now on, publish every private event as its typed value (OrderUpdate,
        StopOrderUpdate, PositionUpdate, BalanceUpdate) through `publish` (the bus)."""
        ...


# -- the link, as core.health shows it ------------------------------------------------------


class StreamLink(Protocol):
    """One kind of stream (public or private), however many connections carry it."""

    @property
    def state(self) -> StreamState: ...  # the worst of its connections
    @property
    def rtt_ms(self) -> float | None: ...
    @property
    def last_message_monotonic(self) -> float: ...  # 0: nothing yet
    @property
    def connections(self) -> int: ...  # successful connections so far (a reconnect adds one)
    def statuses(self) -> list[StreamStatus]: ...  # one per connection


class RateLimit(Protocol):
    """The venue's last word on the rate limit of the pool a request hit."""

    @property
    def limit(self) -> int: ...
    @property
    def remaining(self) -> int: ...
    @property
    def reset_ms(self) -> int: ...  # until the window resets, from at_monotonic
    @property
    def at_monotonic(self) -> float: ...
    @property
    def resets_at_monotonic(self) -> float: ...


class Budget(Protocol):
    """One rate-limit pool as the status bar shows it."""

    @property
    def pool(self) -> str: ...
    @property
    def limit(self) -> int | None: ...  # None: not known yet
    @property
    def remaining(self) -> int | None: ...
    @property
    def resets_in_s(self) -> float: ...
    @property
    def blocked(self) -> bool: ...  # refused and waiting for the reset
    @property
    def waiting(self) -> int: ...  # requests queued for budget


class RequestLink(Protocol):
    """The request side of the link: its budget and the measured clock."""

    @property
    def last_rate_limit(self) -> RateLimit | None: ...
    @property
    def clock_offset_ms(self) -> int: ...  # venue minus local clock
    @property
    def clock_rtt_ms(self) -> float | None: ...  # round trip of that measurement
    def pool_budgets(self) -> Mapping[str, Budget]: ...
    def now_ms(self) -> int: ...  # the venue's clock now, as measured


# -- the venue -------------------------------------------------------------------------------


class Venue(Protocol):
    """One venue account, as the session uses it: its parts, its links, its lifetime."""

    @property
    def market(self) -> MarketSource: ...
    @property
    def orders(self) -> OrderVenue: ...
    @property
    def account(self) -> AccountVenue: ...
    @property
    def margin(self) -> MarginVenue: ...
    @property
    def private_feed(self) -> PrivateFeed: ...
    @property
    def public(self) -> StreamLink: ...
    @property
    def private(self) -> StreamLink: ...
    @property
    def requests(self) -> RequestLink: ...
    @property
    def address(self) -> str: ...  # where it is, in words (a URL), for the journal

    def on_link(
        self,
        *,
        state: OnStreamState,
        public_connected: OnConnected,
        private_connected: OnConnected,
    ) -> None:
        """Who hears of the link from now on: every connection's state change, and every
        (re)connection of a public or a private stream. Set before start()."""
        ...

    async def connect(self) -> None:
        """What must hold before anything is asked (the clock measured)."""
        ...

    def start(self, spawn: Spawn) -> None:
        """Start the venue's background work (streams, clock keeping) through `spawn`."""
        ...

    async def close_streams(self) -> None:
        """First step of closing: the streams stop (the session's tasks are cancelled next)."""
        ...

    async def close(self) -> None:
        """Last step: the request side closes; nothing may be asked after it."""
        ...
