"""Typed account and position calls of the REST client (spec/REFERENCE.md 7.14, 7.15, 7.17)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from kcterm.api.throttle import Priority


class AccountCalls:
    request: Callable[..., Awaitable[Any]]

    async def positions(self, *, priority: Priority | None = None) -> list[dict]:
        """Every open position (GET /api/v1/positions, all currencies)."""
        return await self.request("GET", "/api/v1/positions", signed=True, priority=priority) or []

    async def account_overview(
        self, currency: str = "USDT", *, priority: Priority | None = None
    ) -> dict:
        params = {"currency": currency}
        return await self.request(
            "GET", "/api/v1/account-overview", params=params, signed=True, priority=priority
        )

    async def recent_fills(
        self, symbol: str | None = None, *, priority: Priority | None = None
    ) -> list[dict]:
        """The last 1000 fills of the last 24 h, newest first (spec/REFERENCE.md 7.14)."""
        params = {"symbol": symbol} if symbol else None
        data = await self.request(
            "GET", "/api/v1/recentFills", params=params, signed=True, priority=priority
        )
        return data or []
