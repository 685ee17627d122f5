"""Typed order calls of the REST client (spec/REFERENCE.md 7.9 to 7.13), mixed into RestClient.

Kept apart from the request plumbing in rest.py; each one is a thin wrapper that names the
path, the signing and the priority its request waits with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.replies import JsonObject, as_object, as_objects
from kcterm.venue.priority import Priority

ACTIVE_ORDERS_PAGE_SIZE = 1000  # the maximum the endpoint accepts (spec/REFERENCE.md 7.13)
STOP_ORDERS_PAGE_SIZE = 100
BATCH_LIMIT = 20  # orders per POST /api/v1/orders/multi (spec/REFERENCE.md 6.3)
_MAX_PAGES = 100  # a guard against a server that never reports the last page


class TradingCalls:
    request: Callable[..., Awaitable[Any]]

    async def place_order(
        self, order: Mapping[str, Any], *, priority: Priority | None = None
    ) -> JsonObject:
        path = "/api/v1/orders"
        data = await self.request("POST", path, body=dict(order), signed=True, priority=priority)
        return as_object(data, "POST", path)

    async def place_orders(self, orders: Sequence[Mapping[str, Any]]) -> list[JsonObject]:
        """One batch of at most 20 (callers split); per-item code/msg in the reply (7.11)."""
        if len(orders) > BATCH_LIMIT:
            raise ValueError(f"at most {BATCH_LIMIT} orders per batch")
        body = [dict(order) for order in orders]
        path = "/api/v1/orders/multi"
        return as_objects(await self.request("POST", path, body=body, signed=True), "POST", path)

    async def cancel_order(self, order_id: str) -> JsonObject:
        path = f"/api/v1/orders/{quote(str(order_id), safe='')}"
        return as_object(await self.request("DELETE", path, signed=True), "DELETE", path)

    async def cancel_by_client_oid(self, client_oid: str, symbol: str) -> JsonObject:
        path = f"/api/v1/orders/client-order/{quote(client_oid, safe='')}"
        data = await self.request("DELETE", path, params={"symbol": symbol}, signed=True)
        return as_object(data, "DELETE", path)

    async def cancel_all(self, symbol: str) -> JsonObject:
        # v3: the v1 cancel-all is abandoned (spec/REFERENCE.md 7.12); symbol is mandatory.
        path = "/api/v3/orders"
        data = await self.request("DELETE", path, params={"symbol": symbol}, signed=True)
        return as_object(data, "DELETE", path)

    async def active_orders(
        self, symbol: str | None = None, *, priority: Priority | None = None
    ) -> list[JsonObject]:
        """Every open order (all pages), optionally for one symbol."""
        params: dict[str, Any] = {"status": "active"}
        if symbol is not None:
            params["symbol"] = symbol
        return await self._all_pages(
            "/api/v1/orders", params, ACTIVE_ORDERS_PAGE_SIZE, priority=priority
        )

    async def stop_orders(
        self, symbol: str | None = None, *, priority: Priority | None = None
    ) -> list[JsonObject]:
        """Every untriggered stop order (all pages), optionally for one symbol (7.13)."""
        params: dict[str, Any] = {"symbol": symbol} if symbol is not None else {}
        return await self._all_pages(
            "/api/v1/stopOrders", params, STOP_ORDERS_PAGE_SIZE, priority=priority
        )

    async def _all_pages(
        self, path: str, base: dict[str, Any], size: int, *, priority: Priority | None
    ) -> list[JsonObject]:
        items: list[JsonObject] = []
        for page in range(1, _MAX_PAGES + 1):
            params = {**base, "currentPage": page, "pageSize": size}
            data = await self.request("GET", path, params=params, signed=True, priority=priority)
            chunk = (data or {}).get("items") or []
            items.extend(chunk)
            total_pages = (data or {}).get("totalPage")
            if isinstance(total_pages, int):
                if page >= total_pages:
                    break
            elif len(chunk) < size:
                break
        return items

    async def order(self, order_id: str) -> JsonObject:
        """One order by id, open or done (spec/REFERENCE.md 7.13)."""
        path = f"/api/v1/orders/{quote(str(order_id), safe='')}"
        return as_object(await self.request("GET", path, signed=True), "GET", path)

    async def recent_done_orders(
        self, symbol: str | None = None, *, priority: Priority | None = None
    ) -> list[JsonObject]:
        """Orders closed in the last 24 h, up to 1000 (spec/REFERENCE.md 7.13)."""
        params = {"symbol": symbol} if symbol else None
        path = "/api/v1/recentDoneOrders"
        data = await self.request("GET", path, params=params, signed=True, priority=priority)
        return as_objects(data, "GET", path)

    async def order_by_client_oid(
        self,
        client_oid: str,
        *,
        priority: Priority | None = None,
        on_wait: Callable[[float | None], None] | None = None,
    ) -> JsonObject | None:
        """The order with this clientOid, or None when the exchange does not know it.

        Not-found is accepted in both shapes servers use: ``data: null`` with 200000, or
        an HTTP 404 error envelope.
        """
        try:
            data = await self.request(
                "GET",
                "/api/v1/orders/byClientOid",
                params={"clientOid": client_oid},
                signed=True,
                priority=priority,
                on_wait=on_wait,
            )
        except KucoinError as exc:
            if exc.http_status == 404:
                return None
            raise
        return as_object(data, "GET", "/api/v1/orders/byClientOid") if data else None
