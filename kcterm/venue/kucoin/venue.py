"""KuCoin Futures as one Venue (venue.base): the adapter's parts composed on one REST client
and the two stream groups, so the session holds one object and core sees only Protocols.

KucoinVenue.open(rest) is how the profile layer (kcterm.profile_runner) and the tests make one:
it builds the two stream groups on the client, their state and connected callbacks forwarded to
whoever on_link() names (the session's health and market data, which exist after the venue).
"""

from __future__ import annotations

from typing import Any

from kcterm.venue.base import OnConnected, OnStreamState, Spawn, Venue
from kcterm.venue.kucoin.account_calls import KucoinAccount
from kcterm.venue.kucoin.margin_calls import KucoinMargin
from kcterm.venue.kucoin.market_source import KucoinMarketSource
from kcterm.venue.kucoin.orders import KucoinOrders
from kcterm.venue.kucoin.private_feed import KucoinPrivateFeed
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup
from kcterm.venue.stream_status import StreamState

CLOCK_RESYNC_S = 300.0  # the clock is measured again every few minutes (and on 400002)


class LinkListeners:
    """The stream groups' callbacks, forwarded to the listeners on_link() names (none yet:
    nothing is heard)."""

    def __init__(self) -> None:
        self.on_state: OnStreamState | None = None
        self.on_public: OnConnected | None = None
        self.on_private: OnConnected | None = None

    def state(self, name: str, state: StreamState, detail: str) -> None:
        if self.on_state is not None:
            self.on_state(name, state, detail)

    async def public_connected(self, topics: list[str]) -> None:
        if self.on_public is not None:
            await self.on_public(topics)

    async def private_connected(self, topics: list[str]) -> None:
        if self.on_private is not None:
            await self.on_private(topics)


class KucoinVenue:
    @classmethod
    def open(
        cls,
        rest: RestClient,
        stream_options: dict[str, Any] | None = None,
        *,
        clock_resync_s: float = CLOCK_RESYNC_S,
    ) -> KucoinVenue:
        """The venue on `rest`: the client throttles by pool and retries what is safe
        (venue/kucoin/retry.py), and the public and private stream groups are built on it."""
        rest.enable_resilience()
        listeners = LinkListeners()
        options = stream_options or {}
        public = StreamGroup(
            rest.bullet_public,
            private=False,
            name="public",
            on_state=listeners.state,
            on_connected=listeners.public_connected,
            **options,
        )
        private = StreamGroup(
            rest.bullet_private,
            private=True,
            name="private",
            on_state=listeners.state,
            on_connected=listeners.private_connected,
            **options,
        )
        return cls(rest, public, private, clock_resync_s=clock_resync_s, listeners=listeners)

    def __init__(
        self,
        rest: RestClient,
        public: StreamGroup,
        private: StreamGroup,
        *,
        clock_resync_s: float = CLOCK_RESYNC_S,
        listeners: LinkListeners | None = None,
    ) -> None:
        self.rest = rest
        self.address = rest.base_url
        # The groups of open() call these; groups built by the caller have their own callbacks.
        self.listeners = listeners or LinkListeners()
        self.public = public
        self.private = private
        self.requests = rest  # the budget and the clock are the REST client's
        self.market = KucoinMarketSource(rest, public)
        self.orders = KucoinOrders(rest)
        self.account = KucoinAccount(rest)
        self.margin = KucoinMargin(rest)
        self.private_feed = KucoinPrivateFeed(private)
        self.clock_resync_s = clock_resync_s

    def on_link(
        self,
        *,
        state: OnStreamState,
        public_connected: OnConnected,
        private_connected: OnConnected,
    ) -> None:
        self.listeners.on_state = state
        self.listeners.on_public = public_connected
        self.listeners.on_private = private_connected

    async def connect(self) -> None:
        await self.rest.sync_clock()  # signed requests carry the venue's time

    def start(self, spawn: Spawn) -> None:
        spawn(self.public.run())
        spawn(self.private.run())
        spawn(self.rest.keep_clock_synced(self.clock_resync_s))

    async def close_streams(self) -> None:
        await self.public.close()
        await self.private.close()

    async def close(self) -> None:
        await self.rest.close()


def _checked(venue: KucoinVenue) -> Venue:
    return venue  # mypy: KucoinVenue is a venue.base Venue
