"""The session's order-management part (`session.trading`): the one owner of order state.

The gateway (clientOids, retries, lookups, pending orders), the open and stop orders, the done
orders, the fills, the TP/SL brackets and their links to the entries (bracket_guard, kept on
disk by bracket_links), the margin held by resting orders; and the actions on them: place,
cancel, cancel all, modify (cancel-and-replace), close, reverse and flatten positions, TP/SL
placed, replaced and cancelled, orphaned TP/SL offered for cancel, the cost preview.

Every order goes through the OrderGateway, so an order whose reply was lost is looked up by
its clientOid instead of being placed again; the journal says what was asked and answered.
Closing orders are closeOrder/reduceOnly orders, so a stale local position can never turn a
close into a new position. A modified entry keeps its TP/SL (bracket_guard's move).

It is given what it needs (the venue's OrderVenue and AccountVenue, the bus, the journal, the
contracts, the market data, the account part and the session's notify, spawn and reconcile
request) and knows nothing of the Session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from kcterm.core.account import Account
from kcterm.core.bracket import BracketPlan, plan_bracket
from kcterm.core.bracket_guard import (
    BracketGuard,
    OrphanBracket,
    Verdict,
    check_move,
    ensure_closing,
    find_orphans,
)
from kcterm.core.bracket_links import BracketLinkFile
from kcterm.core.bus import EventBus
from kcterm.core.contract import Contract
from kcterm.core.error_text import order_refusal
from kcterm.core.fills import Fills
from kcterm.core.journal import Journal, describe_order_update
from kcterm.core.market_data import MarketData
from kcterm.core.order_actions import OrderEnds, cancel_everywhere, wait_until_done
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.order_history import OrderHistory
from kcterm.core.order_margin import OrderMargin, OrderTerms
from kcterm.core.order_preview import OrderPreview, preview_order
from kcterm.core.orders import OpenOrders
from kcterm.core.positions import Position
from kcterm.core.protection import BracketBook, Level, levels_for
from kcterm.core.stop_orders import StopOrders
from kcterm.core.validation import (
    MarketContext,
    OrderDraft,
    OrderRejected,
    OrderRequest,
    SafetyLimits,
    new_client_oid,
    validate_order,
)
from kcterm.venue.base import AccountVenue, OrderVenue
from kcterm.venue.errors import VenueError
from kcterm.venue.events import (
    OpenOrder,
    OrderDetail,
    OrderEventKind,
    OrderUpdate,
    PositionUpdate,
    StopEventKind,
    StopOrder,
    StopOrderUpdate,
    Trigger,
)

log = logging.getLogger("kcterm.core.trading")

Notify = Callable[[str, str], None]  # (level "info" | "error", text): a line for the trader
SpawnTask = Callable[[Coroutine[Any, Any, Any]], object]  # a supervised session task


class OrderManagement:
    def __init__(
        self,
        venue: OrderVenue,
        account_venue: AccountVenue,
        bus: EventBus,
        journal: Journal,
        contracts: Mapping[str, Contract],
        market: MarketData,
        account: Account,
        *,
        notify: Notify,
        spawn: SpawnTask,
        request_reconcile: Callable[[str], None],
    ) -> None:
        self._account_venue = account_venue  # flatten-all asks the exchange's positions
        self.journal = journal
        self.contracts = contracts
        self._market = market
        self._account = account
        self._notify = notify
        self._spawn = spawn
        self._request_reconcile = request_reconcile
        self.safety_limits: SafetyLimits | None = None  # fat-finger limits the window sets
        # Exchange-owned state, kept as a cache of the exchange (reconcile.py)
        self.orders = OpenOrders()
        self.stop_orders = StopOrders()
        self.history = OrderHistory()
        self.fills = Fills()
        self.order_margin = OrderMargin(
            self.orders.all,
            account.positions.get,
            contracts,
            lambda symbol: account.cross_leverage.get(symbol),
        )
        self._terms_wanted: set[str] = set()  # order ids whose REST detail is on its way
        self.gateway = OrderGateway(venue, journal)
        # A resting order's retries stop once the market drifts from the click (issue 10).
        self.gateway.price_of = lambda symbol: self.market_context(symbol).last
        self.brackets = BracketBook()
        self.bracket_guard = BracketGuard()
        self._stops_cancelling: set[str] = set()  # cancelled here: their cancel event is no news
        # Closing stops with no entry and no position, as the last reconcile found them; the
        # window offers them for cancel (`orphans_version` moves when the list changes).
        self.orphan_brackets: list[OrphanBracket] = []
        self.orphans_version = 0
        bus.subscribe(OrderUpdate, self._on_order_update)
        bus.subscribe(StopOrderUpdate, self._on_stop_update)
        self.order_ends = OrderEnds(bus)  # a modify's cancel is confirmed by the feed

    # -- the private feed (no I/O here: update state, bump versions) -------------------------

    def _on_order_update(self, update: OrderUpdate) -> None:
        known = self.orders.get(update.order_id)
        resting = self.orders.apply_update(update)
        self.on_entry_event(update)  # an entry's end decides its TP/SL's fate (bracket_guard)
        self.order_margin.note_update(update)
        if resting is not None and self.order_margin.of(resting) is None:
            self._fetch_order_terms(resting.order_id)  # its leverage is not in the event
        kind = update.kind
        self.journal.event(describe_order_update(update), update.symbol)
        if update.done:
            self.history.on_done_update(update, known)
        if kind is OrderEventKind.MATCH:
            self.fills.on_match(update)
            self._notify(
                "info",
                f"Fill: {update.side.value} {update.match_size} {update.symbol} "
                f"@ {update.match_price} ({update.liquidity})",
            )
        elif kind in (OrderEventKind.OPEN, OrderEventKind.CANCELED, OrderEventKind.FILLED):
            self._notify("info", f"Order {update.order_id} {kind.value}")

    def _on_stop_update(self, update: StopOrderUpdate) -> None:
        self.stop_orders.apply_update(update)
        self.note_stop_event(update)

    def _fetch_order_terms(self, order_id: str) -> None:
        if order_id in self._terms_wanted or not self.order_margin.needs_terms(order_id):
            return
        self._terms_wanted.add(order_id)

        async def fetch() -> None:
            try:
                detail = await self.gateway.venue.order(order_id)
            except Exception as exc:  # a guess stays out of the figures; reconcile fixes it
                log.info("order %s detail unavailable: %s", order_id, exc)
                return
            finally:
                self._terms_wanted.discard(order_id)
            if order_id in self.orders:
                self.order_margin.note_terms(order_id, OrderTerms.from_detail(detail))

        self._spawn(fetch())

    async def _order_detail(self, order_id: str) -> OrderDetail:
        return await self.gateway.venue.order(order_id)

    # -- entry <-> TP/SL links across a restart ----------------------------------------------

    def keep_bracket_links(self, path: Path) -> BracketLinkFile:
        """Keep the guard's links in `path` (core/bracket_links.bracket_links_path: one file
        per profile and venue). Call before start(): the links a previous session kept are
        known again before the first order event, so a bracketed entry cancelled now takes
        its TP/SL with it as in the session that placed it. Then check_bracket_links()."""
        store = BracketLinkFile(path)
        links = store.load()
        self.bracket_guard.restore(store, links)
        if links:
            self.journal.info(f"{len(links)} entry TP/SL link(s) kept from the last session")
        return store

    async def check_bracket_links(self) -> None:
        """After start(): the kept links whose entry moved while the app was down. An entry
        that ended unfilled has its TP/SL cancelled, one that filled in part has it resized;
        a TP/SL no longer waiting, or an entry the exchange no longer knows, is let go (the
        orphan pass then judges the TP/SL)."""
        guard = self.bracket_guard
        if not guard.entries():
            return
        try:
            waiting = set(await self.gateway.venue.waiting_stop_ids())
        except VenueError as exc:
            self.journal.error("Checking the kept TP/SL links failed", exc)
            return
        for link in guard.links():
            if link.stop_id not in waiting:
                guard.detach_stop(link.stop_id)
                continue
            try:
                order = await self._order_detail(link.entry_id)
            except VenueError as exc:
                self.journal.error(f"Entry {link.entry_id} of TP/SL {link.stop_id}", exc)
                guard.forget_entry(link.entry_id)
                continue
            await self._enforce(guard.on_order_update(_as_update(order)))

    def prepare(self, draft: OrderDraft) -> OrderRequest:
        """Validate a ticket against its contract, the market (stop directions) and the
        fat-finger limits; raises OrderRejected with the reason."""
        return validate_order(
            self.contracts[draft.symbol],
            draft,
            self.market_context(draft.symbol),
            self.safety_limits,
        )

    def market_context(self, symbol: str) -> MarketContext:
        """Last, mark and index prices and the touch of `symbol`, as far as they are known."""
        ticker = self._market.tickers.get(symbol)
        row = self._market.watchlist.rows.get(symbol)
        book = self._market.books.get(symbol)
        bid = book.best_bid() if book is not None and book.is_live else None
        ask = book.best_ask() if book is not None and book.is_live else None
        return MarketContext(
            last=(ticker.last if ticker else None) or (row.last if row else None),
            mark=row.mark if row else None,
            index=row.index if row else None,
            best_bid=bid[0] if bid else (ticker.bid if ticker else None),
            best_ask=ask[0] if ask else (ticker.ask if ticker else None),
        )

    async def place(self, request: OrderRequest) -> str:
        """Send a validated order. The open-orders table changes when the feed confirms it."""
        what = request.describe()
        self.journal.action(f"Place {what} (clientOid {request.client_oid})", request.symbol)
        try:
            order_id = await self.gateway.place(request)
        except VenueError as exc:
            self._notify("error", order_refusal(exc))  # KuCoin's code and words, then ours
            self.journal.error(f"Order {what} refused", exc, request.symbol)
            raise
        self._notify("info", f"Sent {what}")
        self.journal.reply(f"Accepted: order {order_id}", request.symbol)
        return order_id

    async def cancel(self, order_id: str) -> None:
        symbol = order.symbol if (order := self.orders.get(order_id)) else ""
        self.journal.action(f"Cancel order {order_id}", symbol)
        try:
            live = await self.gateway.cancel(order_id)
        except VenueError as exc:
            self._notify("error", f"Cancel failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel of order {order_id} refused", exc, symbol)
            raise
        if live:
            self._notify("info", f"Cancel sent for order {order_id}")
            self.journal.reply(f"Cancel of order {order_id} received", symbol)
        else:
            self.journal.reply(f"Order {order_id} was already done", symbol)

    async def cancel_all(self, symbol: str) -> None:
        self.journal.action(f"Cancel all orders on {symbol}", symbol)
        try:
            cancelled = await self.gateway.venue.cancel_all(symbol)
        except VenueError as exc:
            self._notify("error", f"Cancel all failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel all {symbol} refused", exc, symbol)
            raise
        self._notify("info", f"Cancel all sent for {symbol}")
        self.journal.reply(f"Cancel all {symbol}: {len(cancelled)} order(s) cancelled", symbol)

    async def cancel_all_everywhere(self) -> int:
        """Cancel every open order on every contract; returns how many were cancelled."""
        known = {order.symbol for order in self.orders.all()}
        try:
            ids = await cancel_everywhere(self.gateway.venue, self.journal, known)
        except VenueError as exc:
            self._notify("error", f"Cancel everywhere incomplete: {exc.msg} (KuCoin {exc.code})")
            raise
        self._notify("info", f"Cancel everywhere: {len(ids)} order(s) cancelled")
        return len(ids)

    async def move_order(self, order_id: str, price: Decimal) -> str | None:
        """Modify an open limit order's price (see modify_order)."""
        return await self.modify_order(order_id, price=price)

    async def modify_order(
        self, order_id: str, *, price: Decimal | None = None, size: int | None = None
    ) -> str | None:
        """Edit an open limit order's price and/or size: cancel it, then place the rest at the
        new figures with a new clientOid and the same flags; the new order is linked to the old
        one (gateway.links). `size` is the new order's size; lots that fill while the cancel
        is on its way come off it. Returns the new order id, or None when nothing was left.
        Everything is validated before the old order is touched."""
        order = self.orders.get(order_id)
        if order is None:
            raise KeyError(f"order {order_id} is not open")
        contract = self.contracts[order.symbol]
        price = order.price if price is None else price
        wanted = order.remaining if size is None else size
        text = f"{price:f}"  # exact: validation refuses a price off the tick, never rounds it
        current = await self._order_detail(order_id)
        draft = replacement_draft(order.symbol, order.side, current, str(wanted), text, contract)
        validate_order(contract, draft, self.market_context(order.symbol), self.safety_limits)
        plan = self.bracket_guard.plan_of(order_id)
        if plan is not None:  # its TP/SL moves with it: the new price must stay between them
            try:
                check_move(plan, price)
            except OrderRejected as refused:  # a chart drag shows no message of its own
                self._notify("error", f"Order {order_id} not moved: {refused.reason}")
                raise
        change = f"{contract.format_price(order.price)} x {order.remaining} to {text} x {wanted}"
        self.journal.action(f"Modify {order.side} order {order_id} from {change}", order.symbol)
        guard = self.bracket_guard
        # Its TP/SL must outlive the cancel half: it moves to the replacement (bracket_guard).
        bracketed = guard.begin_move(order_id)
        done: tuple[int, int] | None = None  # (size, filled) of the cancelled order
        ended = self.order_ends.expect(order_id)  # before the cancel: its echo may come first
        try:
            await self.gateway.cancel(order_id)
            done = await wait_until_done(ended, lambda: self._order_detail(order_id), order_id)
            done_size, done_filled = done
            filled_meanwhile = done_filled - current.filled_size
            left = done_size - done_filled if size is None else wanted - filled_meanwhile
            if left <= 0:
                self.journal.reply(f"Order {order_id} filled before the modify", order.symbol)
                if bracketed:
                    await self._enforce(guard.abandon_move(order_id, _ended(*done)))
                return None
            draft = replacement_draft(order.symbol, order.side, current, str(left), text, contract)
            request = validate_order(contract, draft, self.market_context(order.symbol))
            new_id = await self.gateway.place(request)
        except (VenueError, OrderRejected) as exc:
            if isinstance(exc, VenueError):
                self._notify("error", f"Modify failed: {exc.msg} (KuCoin {exc.code})")
                self.journal.error(f"Modify of order {order_id} failed", exc, order.symbol)
            if bracketed:  # no replacement: the old order's own end decides its TP/SL
                await self._enforce(
                    guard.abandon_move(order_id, _ended(*done) if done is not None else None)
                )
            raise
        finally:
            self.order_ends.forget(order_id, ended)
        self.gateway.link(order_id, new_id, order.symbol)
        if bracketed:
            verdict = guard.end_move(order_id, new_id, done[1], left)
            stop_id = guard.stop_of(new_id) or (verdict.stop_id if verdict else "")
            self.journal.info(f"TP/SL {stop_id} now protects order {new_id}", order.symbol)
            if verdict is not None:  # resized as a task of its own: modify answers at once
                self._spawn(self._enforce(verdict))
        return new_id

    def note_stop_event(self, update: StopOrderUpdate) -> None:
        """An entry's TP/SL that triggered, or was cancelled by someone else (the exchange's
        web page, another client), while its entry still rests: the entry would fill
        unprotected, and a later resize would fail on a stop that is gone. Forget the link
        and tell the trader."""
        kind, stop_id = update.kind, update.order_id
        if kind is StopEventKind.OPEN or stop_id in self._stops_cancelling:
            return
        link = self.bracket_guard.link_of_stop(stop_id)
        if link is None or not self.bracket_guard.detach_stop(stop_id):
            return
        triggered = kind is StopEventKind.TRIGGERED
        what = "triggered" if triggered else "was cancelled outside this window"
        self._notify(
            "error",
            f"TP/SL {stop_id} {what} while its entry {link.entry_id} still rests: "
            "that entry is no longer protected.",
        )

    # -- reading -----------------------------------------------------------------------------

    def protection(self, symbol: str) -> list[Level]:
        """The SL/TP levels that protect `symbol`'s position (or its bracketed entry)."""
        position = self._account.positions.get(symbol)
        qty = position.qty if position is not None else 0
        return levels_for(symbol, qty, self.stop_orders.all(), self.brackets)

    def preview(self, request: OrderRequest) -> OrderPreview | None:
        """Value, cost, fee and resulting liquidation price of `request` (order_preview)."""
        contract = self.contracts[request.symbol]
        leverage = None
        if request.margin_mode == "CROSS" and request.symbol in self._account.cross_leverage:
            leverage = Decimal(self._account.cross_leverage[request.symbol])
        return preview_order(
            contract,
            request,
            self.market_context(request.symbol),
            self._account.positions.get(request.symbol),
            leverage=leverage,
        )

    # -- brackets ----------------------------------------------------------------------------

    def plan_for_position(
        self, symbol: str, stop_loss: str, take_profit: str, trigger: Trigger = Trigger.MARK
    ) -> BracketPlan:
        """A bracket for the open position: closes the whole position when it fires."""
        position = self._account.positions.get(symbol)
        if position is None:
            raise OrderRejected("position", f"No open position on {symbol}.")
        return plan_bracket(
            self.contracts[symbol],
            direction=position.side,
            size=abs(position.qty),
            entry=position.avg_entry,
            stop_loss=stop_loss,
            take_profit=take_profit,
            trigger=trigger,
            watched=self.market_context(symbol).watched(trigger),
            close_whole=True,
            margin_mode=position.margin_mode,
        )

    def plan_for_entry(
        self,
        request: OrderRequest,
        stop_loss: str,
        take_profit: str,
        trigger: Trigger = Trigger.MARK,
    ) -> BracketPlan:
        """A bracket for an entry about to be sent: reduce-only, the entry's size."""
        market = self.market_context(request.symbol)
        entry = request.value_price or market.reference(request.side)
        if entry is None:
            raise OrderRejected("price", "No price yet to place the bracket against.")
        return plan_bracket(
            self.contracts[request.symbol],
            direction="long" if request.side == "buy" else "short",
            size=request.size,
            entry=entry,
            stop_loss=stop_loss,
            take_profit=take_profit,
            trigger=trigger,
            close_whole=False,
            margin_mode=request.margin_mode,
        )

    async def place_bracket(self, plan: BracketPlan) -> str:
        contract = self.contracts[plan.symbol]
        order = plan.order(contract, new_client_oid())
        ensure_closing(order)  # a TP/SL can never open or increase a position
        what = plan.describe(contract)
        self.journal.action(f"Place TP/SL: {what} (clientOid {order.client_oid})", plan.symbol)
        try:
            order_id = await self.gateway.place(order)
        except VenueError as exc:
            self._notify("error", f"TP/SL rejected: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"TP/SL {what} refused", exc, plan.symbol)
            raise
        self.brackets.add(order_id, plan)
        self._notify("info", f"TP/SL placed: {what}")
        self.journal.reply(f"Accepted: TP/SL order {order_id}", plan.symbol)
        return order_id

    async def place_with_bracket(self, request: OrderRequest, plan: BracketPlan) -> str:
        """The entry, then its bracket; both were validated before anything was sent. The
        bracket is linked to the entry (bracket_guard): it goes when the entry goes unfilled
        and follows the filled size while the entry fills in part."""
        order_id = await self.place(request)
        try:
            stop_id = await self.place_bracket(plan)
        except VenueError:
            self._notify("error", f"Order {order_id} was sent WITHOUT its TP/SL (refused)")
            raise
        verdict = self.bracket_guard.attach(order_id, stop_id, plan)
        if verdict is not None:  # the entry filled or ended before the bracket's reply came
            await self._enforce(verdict)
        return order_id

    def on_entry_event(self, update: OrderUpdate) -> None:
        """Every order event (OrderManagement._on_order_update): an entry's fills and end decide its
        bracket's size and fate; the cancel or resize runs as a task, never inside the feed
        handler."""
        verdict = self.bracket_guard.on_order_update(update)
        if verdict is not None:
            self._spawn(self._enforce(verdict))
        elif update.status == "done" and self._unlinked_stops_left(update.symbol):
            # An entry this session did not link ended (it was placed before a restart):
            # a bracket it had may be an orphan now. Ask the exchange at once rather than at
            # the next periodic pass (after_reconcile lists what it finds).
            self._request_reconcile("an order ended")

    def _unlinked_stops_left(self, symbol: str) -> bool:
        if self._account.positions.get(symbol) is not None:
            return False
        guarded = self.bracket_guard.guarded_stops()
        return any(s.symbol == symbol and s.order_id not in guarded for s in self.stop_orders.all())

    async def _enforce(self, verdict: Verdict | None) -> None:
        while verdict is not None:
            verdict = await self._enforce_one(verdict)

    async def _enforce_one(self, verdict: Verdict) -> Verdict | None:
        """Carry out one verdict; returns the next one when the entry moved meanwhile."""
        guard = self.bracket_guard
        plan, stop_id = verdict.plan, verdict.stop_id
        try:
            await self.cancel_stop(stop_id)
        except VenueError:
            # Already notified and journaled: it triggered or was cancelled meanwhile.
            return guard.settled(verdict.entry_id, None, plan)
        if verdict.action == "cancel":
            self._notify("info", f"TP/SL {stop_id} cancelled: {verdict.reason}")
            return None
        resized = replace(plan, size=verdict.filled)
        try:
            new_id = await self.place_bracket(resized)
        except VenueError:
            self._notify("error", f"The {verdict.filled} filled lots have NO TP/SL: set it again")
            return guard.settled(verdict.entry_id, None, plan)
        self.gateway.link(stop_id, new_id, plan.symbol)
        self._notify(
            "info", f"TP/SL {stop_id} is now {new_id} for {verdict.filled} lots: {verdict.reason}"
        )
        return guard.settled(verdict.entry_id, new_id, resized)

    async def replace_bracket(self, old_id: str, plan: BracketPlan) -> str:
        """Edit a TP/SL: cancel the st-order, then place the new one, linked to the old. A TP/SL
        that protects a resting entry goes on protecting it: cancelled with it, resized with it
        (without the relink, the edited one outlived a cancelled entry: issue 10 item 2)."""
        link = self.bracket_guard.link_of_stop(old_id)  # cancel_stop detaches it
        await self.cancel_stop(old_id)
        new_id = await self.place_bracket(plan)
        self.gateway.link(old_id, new_id, plan.symbol)
        if link is not None:
            await self._enforce(self.bracket_guard.relink(link, new_id, plan))
        return new_id

    async def cancel_stop(self, order_id: str) -> None:
        symbol = next((s.symbol for s in self.stop_orders.all() if s.order_id == order_id), "")
        self.journal.action(f"Cancel stop order {order_id}", symbol)
        self._stops_cancelling.add(order_id)  # its cancel event may beat the reply
        try:
            await self.gateway.cancel(order_id)  # a cancel by id takes stop orders too
        except VenueError as exc:
            self._notify("error", f"Cancel failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel of stop order {order_id} refused", exc, symbol)
            raise
        finally:
            self._stops_cancelling.discard(order_id)
        self.brackets.forget(order_id)
        self.bracket_guard.detach_stop(order_id)
        if any(o.order_id == order_id for o in self.orphan_brackets):
            self.orphan_brackets[:] = [o for o in self.orphan_brackets if o.order_id != order_id]
            self.orphans_version += 1
        self.journal.reply(f"Stop order {order_id} cancelled", symbol)

    async def cancel_protection(self, symbol: str) -> list[str]:
        """Cancel the closing stops (reduce-only/closeOrder) that protect `symbol`'s position,
        leaving those still linked to a resting entry. The exchange's list decides, not the
        local cache. Returns the ids cancelled; raises VenueError if one could not be."""
        guarded = self.bracket_guard.guarded_stops()
        waiting = await self.gateway.venue.waiting_stop_ids(symbol, closing_only=True)
        ids = [order_id for order_id in waiting if order_id not in guarded]
        for order_id in ids:
            await self.cancel_stop(order_id)
        return ids

    # -- orphans -----------------------------------------------------------------------------

    def after_reconcile(
        self,
        reason: str,
        active: list[OpenOrder],
        stops: list[StopOrder],
        positions: list[PositionUpdate],
    ) -> None:
        """After every reconcile pass (connect, reconnect, restart, periodic): closing stops
        with no entry and no position are listed, journaled and announced, never left
        silently. Only newly found ones are announced again."""
        held = {p.symbol for p in positions if p.qty}
        found = find_orphans(stops, active, held, self.bracket_guard.guarded_stops())
        before = {o.order_id for o in self.orphan_brackets}
        if [o.order_id for o in found] == sorted(before):
            return
        self.orphan_brackets[:] = found
        self.orphans_version += 1
        new = [o for o in found if o.order_id not in before]
        if new:
            names = ", ".join(o.describe() for o in new)
            self.journal.info(f"Orphaned TP/SL found ({reason}): {names}")
            self._notify("error", f"TP/SL with no entry and no position: {names}. Cancel them?")

    async def cancel_orphan_brackets(self, order_ids: list[str]) -> list[str]:
        """Cancel the orphans the trader chose; returns the ids cancelled."""
        done: list[str] = []
        for order_id in order_ids:
            try:
                await self.cancel_stop(order_id)
            except VenueError:
                continue  # notified; it stays listed until the next pass says otherwise
            done.append(order_id)
        return done

    # -- closing -----------------------------------------------------------------------------

    def _open(self, symbol: str) -> tuple[Position, Contract]:
        position = self._account.positions.get(symbol)
        if position is None:
            raise OrderRejected("position", f"No open position on {symbol}.")
        return position, self.contracts[symbol]

    def _closing_draft(self, position: Position, contract: Contract, **kw: Any) -> OrderDraft:
        leverage = int(position.leverage.to_integral_value()) if position.leverage else 1
        base: dict[str, Any] = {
            "symbol": position.symbol,
            "side": "sell" if position.qty > 0 else "buy",
            "order_type": "market",
            "size": str(abs(position.qty)),
            "leverage": max(1, min(leverage, contract.max_leverage)),
            "margin_mode": position.margin_mode,
        }
        base.update(kw)
        return OrderDraft(**base)

    async def close_position(self, symbol: str, how: str = "market") -> str:
        """`market`: the whole position at market (closeOrder). `limit_best`: a reduce-only
        limit for the whole size at the touch on its own side (joins the best ask to sell a
        long, the best bid to buy back a short). `half`: half the lots at market."""
        position, contract = self._open(symbol)
        if how == "market":
            draft = self._closing_draft(position, contract, close_position=True)
        elif how == "half":
            lots = abs(position.qty) // 2
            lots -= lots % contract.lot_size
            if lots < 1:
                raise OrderRejected("size", "The position is too small to close half of it.")
            draft = self._closing_draft(position, contract, size=str(lots), reduce_only=True)
        elif how == "limit_best":
            market = self.market_context(symbol)
            touch = market.best_ask if position.qty > 0 else market.best_bid
            if touch is None:
                raise OrderRejected("price", "No price on that side of the book.")
            price = contract.format_price(touch)
            draft = self._closing_draft(
                position, contract, order_type="limit", price=price, reduce_only=True
            )
        else:
            raise ValueError(f"unknown close {how!r}")
        request = self.prepare(draft)
        if how == "market":
            # The TP/SL of a position about to be gone go first (issue 10); closing matters
            # more than a refused cancel, which is notified and left to the orphan scan.
            try:
                await self.cancel_protection(symbol)
            except VenueError:
                pass
        return await self.place(request)

    async def reverse_position(self, symbol: str) -> str:
        """One market order of twice the size the other way: flat, then the same size
        reversed (its opening half passes the fat-finger limits like any new order)."""
        position, contract = self._open(symbol)
        lots = 2 * abs(position.qty)
        if lots > contract.max_order_qty:
            raise OrderRejected("size", "Too large to reverse in one order; close it first.")
        request = self.prepare(self._closing_draft(position, contract, size=str(lots)))
        self.journal.action(f"Reverse the {position.side} of {abs(position.qty)} {symbol}", symbol)
        # The old TP/SL go FIRST: left alone, the old stop-loss would take profit on the new
        # side and the old take-profit stop it out. If one cannot be cancelled, no reverse.
        cancelled = await self.cancel_protection(symbol)
        order_id = await self.place(request)
        if cancelled:
            self._notify(
                "info",
                f"Reversed {symbol}: the old TP/SL ({', '.join(cancelled)}) was cancelled; "
                "set new ones for the new side with TP/SL",
            )
        return order_id

    async def flatten_all(self) -> int:
        """Cancel every order and stop order, then close every position at market.
        The exchange's own list of positions decides what to close. Returns how many."""
        self.journal.action("Flatten all: cancel every order and stop, close every position")
        try:
            await self.cancel_all_everywhere()
        except VenueError:
            pass  # journaled; closing the positions matters more
        try:
            await self.gateway.venue.cancel_all_stops()
        except VenueError as exc:
            self.journal.error("Cancelling the stop orders failed", exc)
        reported = await self._account_venue.positions()
        closed = 0
        failures: list[Exception] = []
        for update in reported:
            if update.qty == 0 or update.symbol not in self.contracts:
                continue
            symbol, position = update.symbol, Position.from_update(update)
            draft = self._closing_draft(position, self.contracts[symbol], close_position=True)
            try:
                await self.place(self.prepare(draft))
                closed += 1
            except (VenueError, OrderRejected) as exc:
                failures.append(exc)
        self._notify("info" if not failures else "error", f"Flatten all: {closed} closing order(s)")
        if failures:
            raise failures[0]
        return closed


def _ended(size: int, filled: int) -> tuple[int, bool, str]:
    """An order the exchange reports done, as the guard's (filled, done, kind)."""
    return filled, True, "filled" if filled >= size else "canceled"


def _as_update(order: OrderDetail) -> OrderUpdate:
    """An order's REST state as the order event the bracket guard would have seen."""
    if order.active:
        kind = OrderEventKind.MATCH
    else:
        kind = OrderEventKind.FILLED if order.filled_size >= order.size else OrderEventKind.CANCELED
    return OrderUpdate(
        kind=kind,
        order_id=order.order_id,
        client_oid=order.client_oid,
        symbol=order.symbol,
        side=order.side,
        order_type=order.order_type,
        price=order.price,
        size=order.size,
        filled_size=order.filled_size,
        remaining_size=max(order.size - order.filled_size, 0),
        done=not order.active,
        ts_ns=order.end_ns,
        status="open" if order.active else "done",
    )


def replacement_draft(
    symbol: str, side: str, order: OrderDetail, size: str, price: str, contract: Contract
) -> OrderDraft:
    """A limit draft that keeps an existing order's leverage, margin mode and flags."""
    leverage = int(order.leverage or 5)
    visible = order.visible_size
    iceberg = order.iceberg and 0 < visible < int(size)
    return OrderDraft(
        symbol,
        side,
        "limit",
        size,
        price,
        leverage=max(1, min(leverage, contract.max_leverage)),
        margin_mode=order.margin_mode or "ISOLATED",
        time_in_force=order.time_in_force or "GTC",
        post_only=order.post_only,
        reduce_only=order.reduce_only,
        hidden=order.hidden and not iceberg,
        iceberg=iceberg,
        visible_size=str(visible) if iceberg else "",
    )
