"""The outbound order path of the KuCoin adapter: core hands a typed order down and gets an
order id, a typed order (kcterm.venue.events) or a VenueError back. The paths, the bodies
(order_body.py) and the reply fields of placing, looking up and cancelling are read here and
nowhere above (spec/REFERENCE.md 7.9 to 7.13).

Retrying is not done here: core's order gateway decides when an unknown outcome is looked up
and when an order may go again. This class only says, for each request, what the exchange
answered, and raises an *ambiguous* error when the answer cannot tell whether the order exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kcterm.venue.base import BracketTerms, OnWait, OrderTerms
from kcterm.venue.errors import VenueError
from kcterm.venue.events import OrderDetail
from kcterm.venue.kucoin.calls_trading import BATCH_LIMIT
from kcterm.venue.kucoin.errors import (
    SUCCESS_CODE,
    ExchangeUnavailableError,
    NotPlacedError,
    OutcomeUnknownError,
    error_for,
)
from kcterm.venue.kucoin.order_body import bracket_body, order_body
from kcterm.venue.kucoin.order_events import Unreadable, order_detail
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.priority import Priority

ORDERS = "/api/v1/orders"
ST_ORDERS = "/api/v1/st-orders"
BATCH = "/api/v1/orders/multi"
BY_CLIENT_OID = "/api/v1/orders/byClientOid"
STOP_ORDERS = "/api/v1/stopOrders"


def placed_id(reply: Any, path: str) -> str:
    """The order id of a place reply. A success without one says nothing about the order:
    it is an unknown outcome (ambiguous), so the gateway looks the order up, never resends."""
    order_id = reply.get("orderId") if isinstance(reply, dict) else None
    if not order_id:
        raise ExchangeUnavailableError(
            "500000", f"a place reply without an orderId: {reply!r}", 200, method="POST", path=path
        )
    return str(order_id)


def batch_results(replies: Sequence[Any], count: int) -> list[str | VenueError]:
    """Per order of a batch (spec/REFERENCE.md 7.11): its id, or the exchange's refusal as the
    error its code names, or an ambiguous error when its item cannot tell (the gateway then
    settles that order alone). A reply that does not pair one item with each order is an
    unknown outcome for the whole batch (raised)."""
    if len(replies) != count:
        raise ExchangeUnavailableError(
            "500000", f"{len(replies)} results for a batch of {count}", 200, method="POST",
            path=BATCH,
        )  # fmt: skip
    results: list[str | VenueError] = []
    for item in replies:
        code = str(item.get("code") or "") if isinstance(item, dict) else ""
        if code and code != SUCCESS_CODE:
            msg = str(item.get("msg") or "")
            results.append(error_for(code, msg, 200, method="POST", path=BATCH))
            continue
        try:  # a success without an id, or an item that is no object: ambiguous, that order only
            results.append(placed_id(item, BATCH))
        except VenueError as exc:
            results.append(exc)
    return results


class KucoinOrders:
    """Typed order calls on a RestClient (its throttling, signing and retry policy apply)."""

    batch_limit = BATCH_LIMIT  # orders per place_batch (spec/REFERENCE.md 7.11)

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    async def place(
        self, order: OrderTerms, *, priority: Priority | None = None, on_wait: OnWait | None = None
    ) -> str:
        return await self._post(ORDERS, order_body(order), priority, on_wait)

    async def place_bracket(
        self,
        order: BracketTerms,
        *,
        priority: Priority | None = None,
        on_wait: OnWait | None = None,
    ) -> str:
        """A TP/SL st-order; looked up by clientOid like any order (byClientOid finds both)."""
        return await self._post(ST_ORDERS, bracket_body(order), priority, on_wait)

    async def _post(
        self, path: str, body: dict[str, Any], priority: Priority | None, on_wait: OnWait | None
    ) -> str:
        reply = await self.rest.request(
            "POST", path, body=body, signed=True, priority=priority, on_wait=on_wait
        )
        return placed_id(reply, path)

    async def place_batch(self, orders: Sequence[OrderTerms]) -> list[str | VenueError]:
        """One batch of at most BATCH_LIMIT; an error raised is the batch's, a result the
        order's."""
        if len(orders) > BATCH_LIMIT:
            raise ValueError(f"at most {BATCH_LIMIT} orders per batch")
        body = [order_body(order) for order in orders]
        replies = await self.rest.request("POST", BATCH, body=body, signed=True)
        return batch_results(replies if isinstance(replies, list) else [], len(orders))

    async def by_client_oid(
        self,
        client_oid: str,
        *,
        priority: Priority | None = None,
        on_wait: OnWait | None = None,
    ) -> OrderDetail | None:
        """The order (ordinary or stop) with this clientOid, or None when the exchange
        definitely does not know it."""
        found = await self.rest.order_by_client_oid(client_oid, priority=priority, on_wait=on_wait)
        if found is None:
            return None
        try:
            return order_detail(found)
        except Unreadable as exc:
            # It exists (the exchange answered with it) but cannot be read: not a "not found"
            raise ExchangeUnavailableError(
                "500000", f"order {client_oid} unreadable: {exc}", 200, path=BY_CLIENT_OID
            ) from None

    async def order(self, order_id: str) -> OrderDetail:
        return order_detail(await self.rest.order(order_id))

    async def cancel(self, order_id: str) -> None:
        """Cancel one order or stop order by id; a VenueError of kind NOT_FOUND when it is
        done or unknown."""
        await self.rest.cancel_order(order_id)

    async def cancel_all(self, symbol: str) -> list[str]:
        """Cancel every open order of `symbol`; the ids the exchange cancelled."""
        reply = await self.rest.cancel_all(symbol)
        return [str(i) for i in reply.get("cancelledOrderIds") or []]

    async def cancel_all_stops(self) -> None:
        """Cancel every untriggered stop order on every contract."""
        await self.rest.request("DELETE", STOP_ORDERS, signed=True)

    async def active_symbols(self) -> set[str]:
        """The contracts that have open orders, by the exchange's own list."""
        return {str(o["symbol"]) for o in await self.rest.active_orders() if o.get("symbol")}

    async def waiting_stop_ids(
        self, symbol: str | None = None, *, closing_only: bool = False
    ) -> list[str]:
        """The ids of the untriggered stop orders (of `symbol`); `closing_only`: those that
        can only reduce a position (reduce-only or closing it)."""
        items = await self.rest.stop_orders(symbol)
        return [
            str(item["id"])
            for item in items
            if item.get("id")
            and (not closing_only or item.get("reduceOnly") or item.get("closeOrder"))
        ]

    # -- kcterm's own verdicts, as errors of this venue -------------------------------------

    @staticmethod
    def unanswered(text: str) -> VenueError:
        """No lookup got an answer: the exchange is not serving (ambiguous)."""
        return error_for("503000", text, 503, method="GET", path=BY_CLIENT_OID)

    @staticmethod
    def not_placed(text: str) -> VenueError:
        return NotPlacedError(text, method="POST", path=ORDERS)

    @staticmethod
    def outcome_unknown(text: str) -> VenueError:
        return OutcomeUnknownError(text, method="POST", path=ORDERS)
