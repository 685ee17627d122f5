"""KuCoin Futures as one Venue (venue.base): the adapter's parts composed on one REST client
and the two stream groups, so the session holds one object and core sees only Protocols.

The stream groups are built by the caller (core.session, the wiring point): their callbacks
(state changes, connected) go to the session's parts, which exist before the venue does.
"""

from __future__ import annotations

from kcterm.venue.base import Spawn
from kcterm.venue.kucoin.account_calls import KucoinAccount
from kcterm.venue.kucoin.margin_calls import KucoinMargin
from kcterm.venue.kucoin.market_source import KucoinMarketSource
from kcterm.venue.kucoin.orders import KucoinOrders
from kcterm.venue.kucoin.private_feed import KucoinPrivateFeed
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup

CLOCK_RESYNC_S = 300.0  # the clock is measured again every few minutes (and on 400002)


class KucoinVenue:
    def __init__(
        self,
        rest: RestClient,
        public: StreamGroup,
        private: StreamGroup,
        *,
        clock_resync_s: float = CLOCK_RESYNC_S,
    ) -> None:
        self.rest = rest
        self.public = public
        self.private = private
        self.requests = rest  # the budget and the clock are the REST client's
        self.market = KucoinMarketSource(rest, public)
        self.orders = KucoinOrders(rest)
        self.account = KucoinAccount(rest)
        self.margin = KucoinMargin(rest)
        self.private_feed = KucoinPrivateFeed(private)
        self.clock_resync_s = clock_resync_s

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
