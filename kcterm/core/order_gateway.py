"""Order placement that survives a bad day without ever placing an order twice.

Every order carries a clientOid made before it is first sent. When a place request fails in a
way that leaves its outcome unknown (a timeout, a 5xx, a dropped connection), the exchange is
asked by clientOid before anything is sent again: found means placed, and only a definite "not
found" allows the same body, with the same clientOid, to go again. A refusal the exchange gave
before serving (429) is simply retried once the budget is back. Modify is cancel-and-replace
with the link kept; batches go in twenties (spec/REFERENCE.md 6.3, 7.11).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kcterm.api.backoff import Backoff
from kcterm.api.calls_trading import BATCH_LIMIT
from kcterm.api.errors import (
    DuplicateClientOidError,
    KucoinError,
    OrderNotFoundError,
    RateLimitError,
    error_for,
)
from kcterm.api.rest import RestClient
from kcterm.api.throttle import Priority
from kcterm.core.journal import Journal

log = logging.getLogger("kcterm.core.order_gateway")

MAX_SENDS = 6  # the same clientOid sent at most this often (each after a "not found")
MAX_LOOKUPS = 20  # lookups of one unknown outcome before giving up (the order may exist)


@dataclass
class GatewayStats:
    sent: int = 0  # POSTs that carried an order
    placed: int = 0  # orders the exchange confirmed (by reply or lookup)
    ambiguous: int = 0  # failures with an unknown outcome
    lookups: int = 0
    found_by_lookup: int = 0  # placed although the reply was lost
    resent: int = 0  # sent again after a definite "not found"
    rate_limited: int = 0
    duplicates: int = 0  # 300018 from the exchange (must stay 0 with a sound gateway)


@dataclass(frozen=True, slots=True)
class OrderLink:
    """A cancel-and-replace: `new_id` took the place of `old_id`."""

    old_id: str
    new_id: str
    symbol: str


class OrderGateway:
    def __init__(self, rest: RestClient, journal: Journal) -> None:
        self.rest = rest
        self.journal = journal
        self.stats = GatewayStats()
        self.placed: dict[str, str] = {}  # clientOid -> order id, every order we placed
        self.links: dict[str, OrderLink] = {}  # new order id -> the link to the one it replaced
        self.replaced_by: dict[str, str] = {}  # old order id -> new order id

    # -- placing -------------------------------------------------------------------------------

    async def place(
        self,
        body: Mapping[str, Any],
        *,
        priority: Priority | None = None,
        path: str = "/api/v1/orders",
    ) -> str:
        """Place one order; returns its order id. Raises KucoinError for refusals. `path`
        /api/v1/st-orders places a TP/SL order the same safe way (byClientOid finds both)."""
        client_oid = str(body.get("clientOid") or "")
        if not client_oid:
            raise ValueError("an order needs its clientOid before it is sent")
        if client_oid in self.placed:
            return self.placed[client_oid]
        if priority is None:
            closing = bool(body.get("closeOrder") or body.get("reduceOnly"))
            priority = Priority.CANCEL if closing else Priority.PLACE
        sends = 0
        while True:
            sends += 1
            self.stats.sent += 1
            try:
                reply = await self.rest.request(
                    "POST", path, body=dict(body), signed=True, priority=priority
                )
            except RateLimitError:
                self.stats.rate_limited += 1  # refused whole: the throttler waits, then again
                if sends >= MAX_SENDS:
                    raise
                continue
            except DuplicateClientOidError:
                self.stats.duplicates += 1
                found = await self._lookup(client_oid)
                if found is None:
                    raise
                return self._confirm(client_oid, found, "already placed")
            except KucoinError as exc:
                if not exc.ambiguous:
                    raise
                self.stats.ambiguous += 1
                found = await self._lookup(client_oid)
                if found is not None:
                    self.stats.found_by_lookup += 1
                    return self._confirm(client_oid, found, f"placed despite {exc.code}")
                if sends >= MAX_SENDS:
                    raise
                self.stats.resent += 1
                log.info("order %s not on the exchange after %s; sending again", client_oid, exc)
                continue
            return self._confirm(client_oid, str(reply["orderId"]), "")

    async def _lookup(self, client_oid: str) -> str | None:
        """The order id the exchange has for `client_oid`, or None when it definitely has none.
        An unanswered lookup is asked again: only a real answer may lead to a resend."""
        backoff = Backoff(0.2, 5.0)
        for _ in range(MAX_LOOKUPS):
            self.stats.lookups += 1
            try:
                found = await self.rest.order_by_client_oid(client_oid, priority=Priority.PLACE)
            except KucoinError as exc:
                if not (exc.ambiguous or isinstance(exc, RateLimitError)):
                    raise
                await asyncio.sleep(backoff.next_delay())
                continue
            return str(found["id"]) if found else None
        raise error_for("503000", f"could not learn whether {client_oid} was placed", 503)

    def _confirm(self, client_oid: str, order_id: str, how: str) -> str:
        self.placed[client_oid] = order_id
        self.stats.placed += 1
        if how:
            self.journal.info(f"Order {client_oid} is order {order_id} ({how})")
        return order_id

    async def place_batch(self, bodies: Sequence[Mapping[str, Any]]) -> list[str | KucoinError]:
        """Place many orders in batches of 20; per order its id or the exchange's refusal."""
        results: list[str | KucoinError] = []
        for start in range(0, len(bodies), BATCH_LIMIT):
            results.extend(await self._one_batch(bodies[start : start + BATCH_LIMIT]))
        return results

    async def _one_batch(self, chunk: Sequence[Mapping[str, Any]]) -> list[str | KucoinError]:
        if any(not body.get("clientOid") for body in chunk):
            raise ValueError("every order of a batch needs its clientOid before it is sent")
        self.stats.sent += len(chunk)
        try:
            replies = await self.rest.place_orders(chunk)
        except KucoinError as exc:
            if not (exc.ambiguous or isinstance(exc, RateLimitError)):
                raise
            # Unknown which made it: each order goes the single way (lookup before resend).
            return [await self._settle(body) for body in chunk]
        results: list[str | KucoinError] = []
        for body, item in zip(chunk, replies, strict=True):
            code = str(item.get("code"))
            oid = str(body["clientOid"])
            if code == "200000":
                results.append(self._confirm(oid, str(item["orderId"]), ""))
            else:
                results.append(error_for(code, str(item.get("msg") or ""), 200))
        return results

    async def _settle(self, body: Mapping[str, Any]) -> str | KucoinError:
        try:
            return await self.place(body)
        except KucoinError as exc:
            return exc

    # -- cancelling and replacing ------------------------------------------------------------------

    async def cancel(self, order_id: str) -> bool:
        """Cancel an order. Returns False when it was already done (filled or cancelled),
        which after a retried cancel is the expected answer, not an error."""
        try:
            await self.rest.cancel_order(order_id)
        except OrderNotFoundError:
            order = await self.rest.order(order_id)
            if order and order.get("isActive"):
                raise
            return False
        return True

    def link(self, old_id: str, new_id: str, symbol: str) -> OrderLink:
        link = OrderLink(old_id, new_id, symbol)
        self.links[new_id] = link
        self.replaced_by[old_id] = new_id
        self.journal.info(f"Order {new_id} replaces order {old_id}", symbol)
        return link
