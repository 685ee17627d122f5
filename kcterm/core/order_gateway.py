"""Order placement that survives a bad day without ever placing an order twice, and never
late.

Every order carries a clientOid made before it is first sent. When a place request fails in a
way that leaves its outcome unknown (a timeout, a 5xx, a dropped connection), the exchange is
asked by clientOid before anything is sent again: found means placed, and only a definite "not
found" allows the same order, with the same clientOid, to go again. A refusal the exchange gave
before serving (429) is retried once the reset the reply announced has passed (the throttler
holds the pool until then), after the same lookup. Modify is cancel-and-replace with the link
kept; batches go in the venue's batch size (KuCoin's: twenty, spec/REFERENCE.md 6.3, 7.11).

Trying has limits (issue 10 item 6: an order placed 62 s after the click, at a stale price): an
order that executes at once (market) is tried for a few seconds only; one that rests, while the
market stays within a drift of the price at the click (and for half a minute at most). The
trader may also abandon a pending order. Then kcterm stops, waits for nothing more, looks the
clientOid up when the order may have reached the exchange, and says plainly what happened:
placed (with its id) or not placed. Meanwhile `pending` shows every order on its way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from kcterm.core.bracket import BracketOrder
from kcterm.core.journal import Journal
from kcterm.core.pending_orders import CHECKING, RETRYING, SENDING, PendingOrder, PendingOrders
from kcterm.core.validation import OrderRequest
from kcterm.venue.backoff import Backoff
from kcterm.venue.base import OrderVenue
from kcterm.venue.errors import ErrorKind, VenueError
from kcterm.venue.priority import Priority

log = logging.getLogger("kcterm.core.order_gateway")

MAX_SENDS = 6  # the same clientOid sent at most this often (each after a "not found")
MAX_LOOKUPS = 20  # lookups of one unknown outcome before giving up (the order may exist)
MARKET_DEADLINE_S = 5.0  # a market order not placed by then is not placed at all
RESTING_DEADLINE_S = 30.0  # a limit or trigger order: half a minute at most
MAX_DRIFT = Decimal("0.005")  # ... and while the market stays within 0.5 % of the click's
LOOKUP_GRACE_S = 5.0  # once stopped, how long the lookup that settles the outcome may take
WATCH_S = 0.1  # how often a send in progress checks its deadline and drift
OUTCOMES_KEPT = 50

T = TypeVar("T")

# What the gateway places: an ordinary order, or a TP/SL (one closing order with its triggers).
Placeable = OrderRequest | BracketOrder


@dataclass
class GatewayStats:
    sent: int = 0  # POSTs that carried an order
    placed: int = 0  # orders the exchange confirmed (by reply or lookup)
    ambiguous: int = 0  # failures with an unknown outcome
    lookups: int = 0
    found_by_lookup: int = 0  # placed although the reply was lost
    resent: int = 0  # sent again after a definite "not found"
    rate_limited: int = 0
    duplicates: int = 0  # "duplicate clientOid" refusals (must stay 0 with a sound gateway)
    stopped: int = 0  # orders kcterm stopped trying (deadline, drift, abandoned)


@dataclass(frozen=True, slots=True)
class RetryLimits:
    deadline_s: float | None  # since the click
    max_drift: Decimal | None  # a fraction of the market price at the click


@dataclass(frozen=True, slots=True)
class OrderLink:
    """A cancel-and-replace: `new_id` took the place of `old_id`."""

    old_id: str
    new_id: str
    symbol: str


class _Stopped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Attempt:
    """One order's way through the gateway."""

    pending: PendingOrder
    limits: RetryLimits
    reference: Decimal | None  # the market price when the trader clicked
    on_wire: bool = False  # some send got past the throttler
    in_doubt: bool = False  # a send may have been served without our knowing
    last: str = ""  # the exchange's last words about it, verbatim

    def note(self, exc: VenueError, *, in_doubt: bool = False) -> None:
        self.last = f"{exc.code} · {exc.msg}" if exc.msg else exc.code
        self.pending.note = self.last
        self.in_doubt = self.in_doubt or in_doubt


class OrderGateway:
    def __init__(self, venue: OrderVenue, journal: Journal) -> None:
        self.venue = venue  # the venue's typed order calls (venue.base OrderVenue)
        self.journal = journal
        self.stats = GatewayStats()
        self.placed: dict[str, str] = {}  # clientOid -> order id, every order we placed
        self.links: dict[str, OrderLink] = {}  # new order id -> the link to the one it replaced
        self.replaced_by: dict[str, str] = {}  # old order id -> new order id
        self.pending = PendingOrders()
        # What became of orders kcterm stopped trying: (level, sentence), newest last.
        self.outcomes: deque[tuple[str, str]] = deque(maxlen=OUTCOMES_KEPT)
        self.outcomes_version = 0
        self.market_deadline_s: float | None = MARKET_DEADLINE_S
        self.resting_deadline_s: float | None = RESTING_DEADLINE_S
        self.max_drift: Decimal | None = MAX_DRIFT
        # The market price of a symbol now (the session's last price); None: drift unchecked.
        self.price_of: Callable[[str], Decimal | None] | None = None

    # -- placing -------------------------------------------------------------------------------

    async def place(self, order: Placeable, *, priority: Priority | None = None) -> str:
        """Place one order; returns its order id. Raises VenueError for refusals, and one of
        kind NOT_PLACED (or OUTCOME_UNKNOWN) when kcterm stopped trying it: its deadline
        passed, the market drifted away, or the trader abandoned it. A BracketOrder (TP/SL)
        is placed the same safe way (the lookup by clientOid finds both kinds)."""
        client_oid = order.client_oid
        if not client_oid:
            raise ValueError("an order needs its clientOid before it is sent")
        if client_oid in self.placed:
            return self.placed[client_oid]
        if priority is None:
            closing = order.close_order or order.reduce_only
            priority = Priority.CANCEL if closing else Priority.PLACE
        pending = self.pending.add(order)
        attempt = _Attempt(pending, self.limits_for(order), self._price(pending.symbol))
        try:
            return await self._place(order, priority, attempt)
        finally:
            self.pending.remove(client_oid)

    def abandon(self, client_oid: str) -> bool:
        """The trader gives up on a pending order; False when it is no longer pending."""
        return self.pending.abandon(client_oid)

    def limits_for(self, order: Placeable) -> RetryLimits:
        """An order that executes at once (market, no trigger) is worth placing only soon after
        the click; one that rests or waits for its trigger, while the market stays near the
        price the trader saw. (A TP/SL counts as a market order: it is sent as one closing
        market order, and its triggers belong to the venue, not to a `stop` of its own.)"""
        if order.order_type == "market" and not order.stop:
            return RetryLimits(self.market_deadline_s, None)
        return RetryLimits(self.resting_deadline_s, self.max_drift)

    def _price(self, symbol: str) -> Decimal | None:
        if self.price_of is None:
            return None
        try:
            return self.price_of(symbol)
        except (KeyError, ValueError, ArithmeticError):
            return None

    def _sender(self, order: Placeable) -> Callable[..., Awaitable[str]]:
        """The adapter's call that sends `order` and returns its id."""
        if isinstance(order, BracketOrder):
            return lambda **kw: self.venue.place_bracket(order, **kw)
        return lambda **kw: self.venue.place(order, **kw)

    async def _place(self, order: Placeable, priority: Priority, attempt: _Attempt) -> str:
        pending = attempt.pending
        client_oid = pending.client_oid
        send = self._sender(order)
        try:
            while True:
                reason = self._stop_reason(attempt)
                if reason:
                    raise _Stopped(reason)
                pending.sends += 1
                self.stats.sent += 1
                pending.state = SENDING
                self.pending.changed()
                try:
                    order_id = await self._watched(
                        lambda on_wait: send(priority=priority, on_wait=on_wait),
                        attempt,
                        sending=True,
                    )
                except VenueError as exc:
                    if exc.kind is ErrorKind.RATE_LIMITED:
                        # Refused whole; the throttler now holds the pool until the reset the
                        # reply gave. Ask by clientOid before sending again (the lookup waits
                        # for that reset too), so a 429 from a proxy in front of a served
                        # order never doubles it.
                        self.stats.rate_limited += 1
                        attempt.note(exc)
                        found = await self._watched_lookup(attempt)
                        if found is not None:
                            self.stats.found_by_lookup += 1
                            return self._confirm(client_oid, found, f"placed despite {exc.code}")
                        if pending.sends >= MAX_SENDS:
                            raise
                        pending.state = RETRYING
                        continue
                    if exc.kind is ErrorKind.DUPLICATE:
                        self.stats.duplicates += 1
                        found = await self._lookup(client_oid)
                        if found is None:
                            raise
                        return self._confirm(client_oid, found, "already placed")
                    if not exc.ambiguous:
                        raise
                    self.stats.ambiguous += 1
                    attempt.note(exc, in_doubt=True)
                    found = await self._watched_lookup(attempt)
                    if found is not None:
                        self.stats.found_by_lookup += 1
                        return self._confirm(client_oid, found, f"placed despite {exc.code}")
                    attempt.in_doubt = False  # asked and answered: it is not there
                    if pending.sends >= MAX_SENDS:
                        raise
                    self.stats.resent += 1
                    pending.state = RETRYING
                    log.info("order %s not on the exchange after %s; again", client_oid, exc)
                    continue
                return self._confirm(client_oid, order_id, "")
        except _Stopped as stopped:
            return await self._stop(attempt, stopped.reason)

    def _stop_reason(self, attempt: _Attempt) -> str:
        """Why to stop trying now ('' to go on): abandoned, past the deadline, or drifted."""
        pending = attempt.pending
        if pending.abandoned:
            return "abandoned by the trader"
        deadline = attempt.limits.deadline_s
        if deadline is not None and pending.age_s > deadline:
            return f"not placed within {deadline:g} s of the click"
        drift, then = attempt.limits.max_drift, attempt.reference
        if drift is not None and then is not None and then > 0:
            now = self._price(pending.symbol)
            if now is not None and abs(now - then) > then * drift:
                return f"the market moved from {then} to {now} since the click (over {drift:.1%})"
        return ""

    async def _watched(
        self,
        call: Callable[[Callable[[float | None], None]], Awaitable[T]],
        attempt: _Attempt,
        *,
        sending: bool = False,
    ) -> T:
        """Run one request of this order, watched: as soon as a stop reason appears it is
        cancelled wherever it is (queued for budget, on the wire) and _Stopped raised, so no
        wait outlives the order's deadline. The request reports its budget waits for the
        panel's countdown."""
        pending = attempt.pending
        state = pending.state

        def on_wait(until: float | None) -> None:
            pending.waiting(until)
            if until is None:
                pending.state = state
                if sending:
                    attempt.on_wire = True  # past the throttler: the exchange may see it
            self.pending.changed()

        task = asyncio.ensure_future(call(on_wait))
        abandon = pending.abandon_requested
        watch: set[asyncio.Future[Any]] = {task} if abandon is None else {task, abandon}
        try:
            while True:
                await asyncio.wait(watch, timeout=WATCH_S, return_when=asyncio.FIRST_COMPLETED)
                if task.done():
                    return task.result()
                reason = self._stop_reason(attempt)
                if reason:
                    if sending and attempt.on_wire:
                        attempt.in_doubt = True  # cut off mid-flight: the outcome is unknown
                    raise _Stopped(reason)
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, VenueError):
                    await task

    async def _watched_lookup(self, attempt: _Attempt) -> str | None:
        attempt.pending.state = CHECKING
        self.pending.changed()
        return await self._watched(
            lambda on_wait: self._lookup(attempt.pending.client_oid, on_wait=on_wait), attempt
        )

    async def _stop(self, attempt: _Attempt, reason: str) -> str:
        """Stop trying: say what happened, after a lookup when the order may be there."""
        pending = attempt.pending
        client_oid = pending.client_oid
        self.stats.stopped += 1
        last = f"; the exchange last said {attempt.last}" if attempt.last else ""
        what = f"{pending.side} {pending.size} {pending.symbol} (clientOid {client_oid})"
        if attempt.in_doubt:
            pending.state = CHECKING
            self.pending.changed()
            try:
                async with asyncio.timeout(LOOKUP_GRACE_S):
                    found = await self._lookup(client_oid, priority=Priority.CANCEL)
            except (TimeoutError, VenueError) as exc:
                text = (
                    f"Order {what}: kcterm stopped ({reason}) and could not learn whether it "
                    f"was placed{last}. Check Open orders."
                )
                self._tell("error", text)
                raise self.venue.outcome_unknown(text) from exc
            if found is not None:
                self.stats.found_by_lookup += 1
                self._tell(
                    "info",
                    f"Order {what} placed as order {found}: kcterm had stopped ({reason}) "
                    f"and looked it up{last}",
                )
                return self._confirm(client_oid, found, "found after stopping")
        text = f"Order {what} NOT placed: kcterm stopped ({reason}){last}"
        self._tell("error", text)
        raise self.venue.not_placed(text)

    def _tell(self, level: str, text: str) -> None:
        self.outcomes.append((level, text))
        self.outcomes_version += 1
        self.journal.info(text)

    async def _lookup(
        self,
        client_oid: str,
        *,
        priority: Priority = Priority.PLACE,
        on_wait: Callable[[float | None], None] | None = None,
    ) -> str | None:
        """The order id the exchange has for `client_oid`, or None when it definitely has none.
        An unanswered lookup is asked again: only a real answer may lead to a resend."""
        backoff = Backoff(0.2, 5.0)
        for _ in range(MAX_LOOKUPS):
            self.stats.lookups += 1
            try:
                found = await self.venue.by_client_oid(
                    client_oid, priority=priority, on_wait=on_wait
                )
            except VenueError as exc:
                if not (exc.ambiguous or exc.kind is ErrorKind.RATE_LIMITED):
                    raise
                await asyncio.sleep(backoff.next_delay())
                continue
            return found.order_id if found is not None else None
        raise self.venue.unanswered(f"could not learn whether {client_oid} was placed")

    def _confirm(self, client_oid: str, order_id: str, how: str) -> str:
        self.placed[client_oid] = order_id
        self.stats.placed += 1
        if how:
            self.journal.info(f"Order {client_oid} is order {order_id} ({how})")
        return order_id

    async def place_batch(self, orders: Sequence[OrderRequest]) -> list[str | VenueError]:
        """Place many orders in batches of the venue's batch_limit; per order its id or the
        exchange's refusal."""
        results: list[str | VenueError] = []
        limit = self.venue.batch_limit
        for start in range(0, len(orders), limit):
            results.extend(await self._one_batch(orders[start : start + limit]))
        return results

    async def _one_batch(self, chunk: Sequence[OrderRequest]) -> list[str | VenueError]:
        if any(not order.client_oid for order in chunk):
            raise ValueError("every order of a batch needs its clientOid before it is sent")
        self.stats.sent += len(chunk)
        try:
            replies = await self.venue.place_batch(chunk)
        except VenueError as exc:
            if not (exc.ambiguous or exc.kind is ErrorKind.RATE_LIMITED):
                raise
            # Unknown which made it: each order goes the single way (lookup before resend).
            return [await self._settle(order) for order in chunk]
        results: list[str | VenueError] = []
        for order, result in zip(chunk, replies, strict=True):
            if isinstance(result, str):
                results.append(self._confirm(order.client_oid, result, ""))
            elif result.ambiguous:  # its item said nothing we can trust: this one alone
                results.append(await self._settle(order))
            else:
                results.append(result)
        return results

    async def _settle(self, order: OrderRequest) -> str | VenueError:
        try:
            return await self.place(order)
        except VenueError as exc:
            return exc

    # -- cancelling and replacing ------------------------------------------------------------------

    async def cancel(self, order_id: str) -> bool:
        """Cancel an order. Returns False when it was already done (filled or cancelled),
        which after a retried cancel is the expected answer, not an error."""
        try:
            await self.venue.cancel(order_id)
        except VenueError as exc:
            if exc.kind is not ErrorKind.NOT_FOUND:
                raise
            if (await self.venue.order(order_id)).active:
                raise
            return False
        return True

    def link(self, old_id: str, new_id: str, symbol: str) -> OrderLink:
        link = OrderLink(old_id, new_id, symbol)
        self.links[new_id] = link
        self.replaced_by[old_id] = new_id
        self.journal.info(f"Order {new_id} replaces order {old_id}", symbol)
        return link
