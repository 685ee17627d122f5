"""The JSON bodies KuCoin Futures takes for an order (POST /api/v1/orders, spec/REFERENCE.md
7.9) and for a TP/SL pair (POST /api/v1/st-orders, 7.10), written from kcterm's typed orders.
The one place that knows those field names on the way out (order_events.py reads them on the
way in).

The typed orders live in core (core.validation.OrderRequest, core.bracket.BracketOrder): the
adapter sits below core, so what it reads of them is stated as Protocols (venue.base
OrderTerms, BracketTerms), the same for every venue. Prices come as the exact texts core
rendered on the contract's tick grid; a float never reaches a body.
"""

from __future__ import annotations

from typing import Any

from kcterm.venue.base import BracketTerms, OrderTerms
from kcterm.venue.kucoin.order_events import TRIGGER_CODES


def order_body(order: OrderTerms) -> dict[str, Any]:
    """The body of POST /api/v1/orders (and of each item of /api/v1/orders/multi)."""
    body: dict[str, Any] = {
        "clientOid": order.client_oid,
        "side": order.side,
        "symbol": order.symbol,
        "leverage": order.leverage,
        "type": order.order_type,
        "marginMode": order.margin_mode,
    }
    if order.close_order:
        # The exchange takes side and size from the position (spec/REFERENCE.md 7.9): a side
        # from a stale local view must not contradict it.
        del body["side"]
        body["closeOrder"] = True
    else:
        body["size"] = order.size
    if order.price_text is not None:
        body["price"] = order.price_text
        body["timeInForce"] = order.time_in_force
    if order.stop is not None:
        body.update(
            stop=order.stop,
            stopPrice=order.stop_price_text,
            stopPriceType=TRIGGER_CODES[order.trigger],
        )
    for key, on in (
        ("postOnly", order.post_only),
        # closeOrder already reduces only; both together are refused by the exchange
        ("reduceOnly", order.reduce_only and not order.close_order),
        ("hidden", order.hidden),
        ("iceberg", order.iceberg),
    ):
        if on:
            body[key] = True
    if order.iceberg and order.visible_size is not None:
        # lots, but a string in the spec (spec/REFERENCE.md 7.9), unlike `size`
        body["visibleSize"] = str(order.visible_size)
    return body


def bracket_body(order: BracketTerms) -> dict[str, Any]:
    """The body of POST /api/v1/st-orders. Raises ValueError for an order that could open or
    grow a position (neither closeOrder nor reduceOnly): a TP/SL never may, whatever asked."""
    if not (order.close_order or order.reduce_only):
        raise ValueError("a TP/SL must be reduce-only or close the position")
    body: dict[str, Any] = {
        "clientOid": order.client_oid,
        "side": order.side,
        "symbol": order.symbol,
        "type": "market",
        "leverage": 1,  # a closing order takes no margin; the field is still expected
        "marginMode": order.margin_mode,
        "stopPriceType": TRIGGER_CODES[order.trigger],
    }
    if order.close_order:
        body["closeOrder"] = True
    else:
        body["size"] = order.size
        body["reduceOnly"] = True
    if order.up_price_text is not None:
        body["triggerStopUpPrice"] = order.up_price_text
    if order.down_price_text is not None:
        body["triggerStopDownPrice"] = order.down_price_text
    return body
