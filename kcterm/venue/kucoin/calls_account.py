"""Typed account and position calls of the REST client (spec/REFERENCE.md 7.14, 7.15, 7.17)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from kcterm.venue.kucoin.replies import JsonObject, as_object, as_objects
from kcterm.venue.priority import Priority


class AccountCalls:
    request: Callable[..., Awaitable[Any]]

    async def positions(self, *, priority: Priority | None = None) -> list[JsonObject]:
        """Every open position (GET /api/v1/positions, all currencies)."""
        path = "/api/v1/positions"
        data = await self.request("GET", path, signed=True, priority=priority)
        return as_objects(data, "GET", path)

    async def account_overview(
        self, currency: str = "USDT", *, priority: Priority | None = None
    ) -> JsonObject:
        params = {"currency": currency}
        path = "/api/v1/account-overview"
        data = await self.request("GET", path, params=params, signed=True, priority=priority)
        return as_object(data, "GET", path)

    async def recent_fills(
        self, symbol: str | None = None, *, priority: Priority | None = None
    ) -> list[JsonObject]:
        """The last 1000 fills of the last 24 h, newest first (spec/REFERENCE.md 7.14)."""
        params = {"symbol": symbol} if symbol else None
        path = "/api/v1/recentFills"
        data = await self.request("GET", path, params=params, signed=True, priority=priority)
        return as_objects(data, "GET", path)

    async def funding_history(
        self, symbol: str, *, max_count: int = 100, priority: Priority | None = None
    ) -> JsonObject:
        """The funding paid and received on `symbol`, newest first (spec/REFERENCE.md 7.x
        funding history): a page with `dataList` and `hasMore`."""
        params = {"symbol": symbol, "maxCount": max_count}
        path = "/api/v1/funding-history"
        data = await self.request("GET", path, params=params, signed=True, priority=priority)
        return as_object(data, "GET", path)
