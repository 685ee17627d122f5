"""The account's REST truth on KuCoin Futures, typed (venue.base AccountVenue): the reconciler
and flatten-all ask here and get the venue's values (venue.events), never a reply to read.

Each call is one RestClient call and one parse (order_events, account_events); an item that
cannot be read is logged and left out by those parsers, as before.
"""

from __future__ import annotations

from kcterm.venue.events import (
    BalanceUpdate,
    Fill,
    FundingPayment,
    OpenOrder,
    OrderDetail,
    PositionUpdate,
    StopOrder,
)
from kcterm.venue.kucoin.account_events import (
    balance_from_overview,
    fills_from_rest,
    funding_from_rest,
    positions_from_rest,
)
from kcterm.venue.kucoin.order_events import open_orders, order_details, stop_orders
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.priority import Priority


class KucoinAccount:
    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    async def open_orders(self, *, priority: Priority | None = None) -> list[OpenOrder]:
        return open_orders(await self.rest.active_orders(priority=priority))

    async def stop_orders(self, *, priority: Priority | None = None) -> list[StopOrder]:
        return stop_orders(await self.rest.stop_orders(priority=priority))

    async def positions(self, *, priority: Priority | None = None) -> list[PositionUpdate]:
        return positions_from_rest(await self.rest.positions(priority=priority))

    async def balance(self, *, priority: Priority | None = None) -> BalanceUpdate | None:
        return balance_from_overview(await self.rest.account_overview(priority=priority) or {})

    async def recent_fills(self, *, priority: Priority | None = None) -> list[Fill]:
        return fills_from_rest(await self.rest.recent_fills(priority=priority))

    async def done_orders(self, *, priority: Priority | None = None) -> list[OrderDetail]:
        return order_details(await self.rest.recent_done_orders(priority=priority))

    async def funding(
        self, symbol: str, *, priority: Priority | None = None
    ) -> list[FundingPayment]:
        return funding_from_rest(await self.rest.funding_history(symbol, priority=priority))
