"""Order actions made of several requests: wait for a cancel to take effect, cancel
everywhere.

KuCoin Futures has no amend for ordinary orders, so a modify (session_trading.modify_order)
is cancel, `wait_until_done`, then the part that did not fill placed again with a new
clientOid.
"""

from __future__ import annotations

import asyncio

from kcterm.core.journal import Journal
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.replies import JsonObject
from kcterm.venue.kucoin.rest import RestClient

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
