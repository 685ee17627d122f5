"""Private REST endpoints: the private token, placing, cancelling and querying orders."""

from __future__ import annotations

from typing import Any

from kcterm.sim import params
from kcterm.sim.engine import Engine
from kcterm.sim.errors import SimError, bad_param
from kcterm.sim.http import Call
from kcterm.sim.orders import SimOrder
from kcterm.sim.paging import numbered_page
from kcterm.sim.routes_public import PublicRoutes, Route

MAX_PAGE_SIZE = 1000


class TradingRoutes:
    def __init__(self, engine: Engine, public: PublicRoutes) -> None:
        self.engine = engine
        self.public = public

    def table(self) -> list[Route]:
        return [
            ("POST", "/api/v1/bullet-private", self.bullet_private, True),
            ("POST", "/api/v1/orders", self.place, True),
            ("POST", "/api/v1/orders/test", self.place_test, True),
            ("DELETE", "/api/v1/orders/client-order/{clientOid}", self.cancel_by_client_oid, True),
            ("DELETE", "/api/v1/orders/{orderId}", self.cancel, True),
            ("DELETE", "/api/v3/orders", self.cancel_all, True),
            ("DELETE", "/api/v1/orders", self.cancel_all_v1, True),
            ("GET", "/api/v1/orders", self.list_orders, True),
            ("GET", "/api/v1/orders/byClientOid", self.by_client_oid, True),
            ("GET", "/api/v1/orders/{orderId}", self.one_order, True),
            ("GET", "/api/v1/recentDoneOrders", self.recent_done, True),
        ]

    async def bullet_private(self, call: Call) -> dict[str, Any]:
        return self.public.bullet(call, call.user_id)

    async def place(self, call: Call) -> dict[str, str]:
        order = self.engine.place(call.user_id, call.json_object())
        return {"orderId": order.order_id, "clientOid": order.client_oid}

    async def place_test(self, call: Call) -> dict[str, str]:
        order = self.engine.place(call.user_id, call.json_object(), dry_run=True)
        return {"orderId": order.order_id, "clientOid": order.client_oid}

    async def cancel(self, call: Call) -> dict[str, list[str]]:
        order = self.engine.cancel(call.user_id, call.request.match_info["orderId"])
        return {"cancelledOrderIds": [order.order_id]}

    async def cancel_by_client_oid(self, call: Call) -> dict[str, str]:
        client_oid = call.request.match_info["clientOid"]
        symbol = call.query.get("symbol")
        if not symbol:
            raise bad_param("symbol is required")
        order = self.engine.by_client_oid(call.user_id, client_oid)
        if order is None or order.symbol != symbol:
            raise SimError(
                "100004",
                f"The order with clientOid {client_oid} cannot be "
                "canceled: it does not exist or is already done",
                200,
            )
        self.engine.cancel(call.user_id, order.order_id)
        return {"clientOid": client_oid}

    async def cancel_all(self, call: Call) -> dict[str, list[str]]:
        symbol = call.query.get("symbol")
        if not symbol:
            raise bad_param("symbol is required")
        self.engine.market(symbol)
        return {"cancelledOrderIds": self.engine.cancel_all(call.user_id, symbol)}

    async def cancel_all_v1(self, call: Call) -> dict[str, list[str]]:
        """Cancel All Orders V1 (deprecated, still served): symbol optional, every symbol when
        absent; like V3 it leaves stop orders alone (spec/REFERENCE.md 7.12)."""
        symbol = call.query.get("symbol") or None
        if symbol is not None:
            self.engine.market(symbol)
        return {"cancelledOrderIds": self.engine.cancel_all(call.user_id, symbol)}

    async def list_orders(self, call: Call) -> dict[str, Any]:
        query = call.query
        status = params.text(query, "status", default="done", choices=("active", "done"))
        # Untriggered stop orders are open but live only under /api/v1/stopOrders until they
        # trigger, as on KuCoin.
        waiting = self.engine.stops.waiting
        orders = [
            o
            for o in self.engine.user_orders(call.user_id)
            if o.is_active == (status == "active")
            and not (status == "active" and o.order_id in waiting)
            and _matches(o, query)
        ]
        orders.sort(key=lambda o: o.order_time_ns, reverse=True)
        return numbered_page(orders, query, SimOrder.to_api)

    async def by_client_oid(self, call: Call) -> dict[str, Any] | None:
        client_oid = params.text(call.query, "clientOid", required=True, max_len=40)
        order = self.engine.by_client_oid(call.user_id, client_oid)
        return order.to_api() if order is not None else None

    async def one_order(self, call: Call) -> dict[str, Any]:
        order = self.engine.orders.get(call.request.match_info["orderId"])
        if order is None or order.user_id != call.user_id:
            raise SimError("100001", "order does not exist", 404)
        return order.to_api()

    async def recent_done(self, call: Call) -> list[dict[str, Any]]:
        symbol = call.query.get("symbol")
        done = [
            o
            for o in self.engine.user_orders(call.user_id)
            if not o.is_active and (not symbol or o.symbol == symbol)
        ]
        done.sort(key=lambda o: o.order_time_ns, reverse=True)
        return [o.to_api() for o in done[:1000]]


def _matches(order: SimOrder, query: dict[str, str]) -> bool:
    for name, value in (("symbol", order.symbol), ("side", order.side), ("type", order.order_type)):
        if query.get(name) and query[name] != value:
            return False
    start = query.get("startAt")
    end = query.get("endAt")
    if start and start.isdigit() and order.created_ms < int(start):
        return False
    return not (end and end.isdigit() and order.created_ms > int(end))
