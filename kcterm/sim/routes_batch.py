"""Batch and conditional order endpoints: st-orders (TP/SL), orders/multi (20 at most),
multi-cancel, and the untriggered stop-order list and cancel (spec/REFERENCE.md 7.10-7.13)."""

from __future__ import annotations

import logging
from typing import Any

from kcterm.sim import params
from kcterm.sim.engine import Engine
from kcterm.sim.errors import SimError, bad_param
from kcterm.sim.http import Call
from kcterm.sim.orders import SimOrder
from kcterm.sim.paging import numbered_page
from kcterm.sim.routes_public import Route

log = logging.getLogger("kcterm.sim.batch")

MAX_BATCH = 20


class BatchRoutes:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def table(self) -> list[Route]:
        return [
            ("POST", "/api/v1/st-orders", self.place_tpsl, True),
            ("POST", "/api/v1/orders/multi", self.place_many, True),
            ("DELETE", "/api/v1/orders/multi-cancel", self.cancel_many, True),
            ("GET", "/api/v1/stopOrders", self.list_stops, True),
            ("DELETE", "/api/v1/stopOrders", self.cancel_stops, True),
        ]

    async def place_tpsl(self, call: Call) -> dict[str, str]:
        body = call.json_object()
        params.text(body, "type", required=True, choices=("limit", "market"))  # required here
        order = self.engine.place(call.user_id, body, tpsl=True)
        return {"orderId": order.order_id, "clientOid": order.client_oid}

    async def place_many(self, call: Call) -> list[dict[str, Any]]:
        items = call.body
        if not isinstance(items, list) or not items:
            raise bad_param("the body must be a JSON array of orders")
        if len(items) > MAX_BATCH:
            raise bad_param(f"at most {MAX_BATCH} orders per batch")
        replies = []
        for item in items:
            symbol = item.get("symbol") if isinstance(item, dict) else None
            client_oid = item.get("clientOid") if isinstance(item, dict) else None
            try:
                if not isinstance(item, dict):
                    raise bad_param("each order must be a JSON object")
                order = self.engine.place(call.user_id, item)
            except Exception as exc:
                # Each order stands alone: whatever one item does, the others are still
                # placed and answered (a bug in one is logged and named on that item only).
                failure = exc if isinstance(exc, SimError) else None
                if failure is None:
                    log.exception("order %r of a batch could not be handled", client_oid)
                    failure = SimError("500000", "Internal error on this order", 200)
                replies.append(
                    {  # strings, as the spec types them: "" where the order gave none
                        "orderId": "",
                        "clientOid": client_oid if isinstance(client_oid, str) else "",
                        "symbol": symbol if isinstance(symbol, str) else "",
                        "code": failure.code,
                        "msg": failure.msg,
                    }
                )
            else:
                replies.append(
                    {
                        "orderId": order.order_id,
                        "clientOid": order.client_oid,
                        "symbol": order.symbol,
                        "code": "200000",
                        "msg": "success",
                    }
                )
        return replies

    async def cancel_many(self, call: Call) -> list[dict[str, Any]]:
        body = call.json_object()
        by_id = body.get("orderIdsList")
        by_client = body.get("clientOidsList")
        if bool(by_id) == bool(by_client):
            raise bad_param("give either orderIdsList or clientOidsList")
        targets: list[tuple[str | None, str | None]] = []
        if by_id:
            if not isinstance(by_id, list) or not all(isinstance(i, str) for i in by_id):
                raise bad_param("orderIdsList must be a list of order ids")
            targets = [(order_id, None) for order_id in by_id]
        else:
            if not isinstance(by_client, list) or not all(
                isinstance(i, dict) and isinstance(i.get("clientOid"), str) for i in by_client
            ):
                raise bad_param("clientOidsList must be a list of {symbol, clientOid}")
            for item in by_client:
                found = self.engine.by_client_oid(call.user_id, item["clientOid"])
                ok = found is not None and found.symbol == item.get("symbol")
                targets.append((found.order_id if ok and found else None, item["clientOid"]))
        if len(targets) > 100:
            raise bad_param("at most 100 orders per request")
        replies: list[dict[str, str | None]] = []
        for order_id, client_oid in targets:
            try:
                if order_id is None:
                    raise SimError("100004", "order not found", 200)
                order = self.engine.cancel(call.user_id, order_id)
                replies.append(
                    {
                        "orderId": order.order_id,
                        "clientOid": order.client_oid,
                        "code": "200",
                        "msg": "success",
                    }
                )
            except SimError as exc:
                replies.append(  # no such order: "" for its id (a string in the spec)
                    {
                        "orderId": order_id or "",
                        "clientOid": client_oid,
                        "code": exc.code,
                        "msg": exc.msg,
                    }
                )
        return replies

    async def list_stops(self, call: Call) -> dict[str, Any]:
        query = call.query
        waiting = [
            o
            for o in self.engine.stops.waiting.values()
            if o.user_id == call.user_id
            and all(
                not query.get(k) or query[k] == v
                for k, v in (("symbol", o.symbol), ("side", o.side), ("type", o.order_type))
            )
        ]
        waiting.sort(key=lambda o: o.order_time_ns, reverse=True)
        return numbered_page(waiting, query, SimOrder.to_api)

    async def cancel_stops(self, call: Call) -> dict[str, list[str]]:
        symbol = call.query.get("symbol")
        if symbol:
            self.engine.market(symbol)
        mine = [
            o
            for o in list(self.engine.stops.waiting.values())
            if o.user_id == call.user_id and (not symbol or o.symbol == symbol)
        ]
        for order in mine:
            self.engine.stops.cancel(order)
        return {"cancelledOrderIds": [o.order_id for o in mine]}
