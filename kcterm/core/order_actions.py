"""Order actions made of several requests: move an order to a new price, cancel everywhere.

KuCoin Futures has no amend for ordinary orders, so moving one is cancel, wait until the
exchange says it is done, then place the part that did not fill at the new price with a new
clientOid. If the cancel fails (the order filled meanwhile) nothing new is placed.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from kcterm.api.errors import KucoinError
from kcterm.api.replies import JsonObject
from kcterm.api.rest import RestClient
from kcterm.core.contract import Contract
from kcterm.core.journal import Journal
from kcterm.core.orders import OpenOrder
from kcterm.core.validation import OrderDraft, validate_order

DONE_POLLS = 30  # x 0.1 s: how long to wait for a cancel to take effect


async def wait_until_done(rest: RestClient, order_id: str) -> JsonObject:
    """The order once the exchange reports it inactive (a cancel reply only confirms receipt)."""
    order = await rest.order(order_id)
    for _ in range(DONE_POLLS):
        if not order.get("isActive", False):
            return order
        await asyncio.sleep(0.1)
        order = await rest.order(order_id)
    raise KucoinError("timeout", f"order {order_id} still active after the cancel", 0)


async def move_order(
    rest: RestClient, journal: Journal, contract: Contract, order: OpenOrder, price: Decimal
) -> str | None:
    """Cancel `order` and place its unfilled rest at `price`. Returns the new order id, or None
    when nothing was left to place. Raises KucoinError or OrderRejected (already journaled)."""
    symbol = order.symbol
    text = contract.format_price(price)
    request = validate_order(  # checked before the old order is touched
        contract,
        OrderDraft(symbol, order.side, "limit", str(order.remaining), text),
    )
    journal.action(
        f"Move {order.side} order {order.order_id} from "
        f"{contract.format_price(order.price)} to {text}",
        symbol,
    )
    try:
        await rest.cancel_order(order.order_id)
        done = await wait_until_done(rest, order.order_id)
    except KucoinError as exc:
        journal.error(f"Move of order {order.order_id} stopped at the cancel", exc, symbol)
        raise
    left = int(done.get("size") or 0) - int(done.get("filledSize") or done.get("dealSize") or 0)
    if left <= 0:
        journal.reply(f"Order {order.order_id} filled before the move; nothing placed", symbol)
        return None
    leverage = int(Decimal(str(done.get("leverage") or request.leverage)))
    request = validate_order(
        contract,
        OrderDraft(
            symbol,
            order.side,
            "limit",
            str(left),
            text,
            leverage=max(1, min(leverage, contract.max_leverage)),
            margin_mode=str(done.get("marginMode") or "ISOLATED"),
        ),
    )
    try:
        reply = await rest.place_order(request.to_body())
    except KucoinError as exc:
        journal.error(f"Move of order {order.order_id}: new order refused", exc, symbol)
        raise
    new_id = str(reply["orderId"])
    journal.reply(f"Moved: {order.side} {left} @ {text} is order {new_id}", symbol)
    return new_id


async def cancel_everywhere(
    rest: RestClient, journal: Journal, known_symbols: set[str]
) -> list[str]:
    """Cancel every open order on every contract. The exchange's own list of open orders
    decides which contracts to clear (the local table is only a cache)."""
    journal.action("Cancel all orders on every contract")
    symbols = set(known_symbols)
    try:
        symbols |= {str(o["symbol"]) for o in await rest.active_orders()}
    except KucoinError as exc:
        journal.error("Listing open orders failed; cancelling the known contracts", exc)
    cancelled: list[str] = []
    failures: list[KucoinError] = []
    for symbol in sorted(symbols):
        try:
            reply = await rest.cancel_all(symbol)
        except KucoinError as exc:
            journal.error(f"Cancel all {symbol} failed", exc, symbol)
            failures.append(exc)
            continue
        ids = [str(i) for i in (reply or {}).get("cancelledOrderIds") or []]
        cancelled.extend(ids)
        journal.reply(f"Cancel all {symbol}: {len(ids)} order(s) cancelled", symbol)
    if failures:
        raise failures[0]
    return cancelled
