"""The trading actions of a Session: place, cancel, cancel all, modify (cancel-and-replace).

Every order goes through the OrderGateway, so an order whose reply was lost is looked up by
its clientOid instead of being placed again; the journal says what was asked and answered.
A modified entry keeps its TP/SL (bracket_guard's move), and the entry <-> TP/SL links can be
kept across a restart (keep_bracket_links, check_bracket_links).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kcterm.core.book import LevelTwoBook
from kcterm.core.bracket_guard import BracketGuard, Verdict, check_move
from kcterm.core.bracket_links import BracketLinkFile
from kcterm.core.contract import Contract
from kcterm.core.error_text import order_refusal
from kcterm.core.journal import Journal
from kcterm.core.market import TickerState
from kcterm.core.order_actions import OrderEnds, cancel_everywhere, wait_until_done
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.orders import OpenOrders
from kcterm.core.stop_orders import StopOrders
from kcterm.core.validation import (
    MarketContext,
    OrderDraft,
    OrderRejected,
    OrderRequest,
    SafetyLimits,
    validate_order,
)
from kcterm.core.watchlist import Watchlist
from kcterm.venue.errors import VenueError
from kcterm.venue.events import OrderDetail, OrderEventKind, OrderUpdate
from kcterm.venue.kucoin.order_events import order_detail
from kcterm.venue.kucoin.rest import RestClient


class SessionTrading:
    rest: RestClient
    journal: Journal
    orders: OpenOrders
    gateway: OrderGateway
    contracts: dict[str, Contract]
    books: dict[str, LevelTwoBook]
    tickers: dict[str, TickerState]
    watchlist: Watchlist
    stop_orders: StopOrders
    order_ends: OrderEnds  # a modify's cancel is confirmed by the feed (order_actions)
    safety_limits: SafetyLimits | None = None  # fat-finger limits the window sets

    if TYPE_CHECKING:  # provided by SessionPositions
        bracket_guard: BracketGuard

        async def _enforce(self, verdict: Verdict | None) -> None: ...
        def _spawn(self, coro: Any) -> None: ...

    def notify(self, level: str, text: str) -> None:  # provided by Session
        raise NotImplementedError

    async def _order_detail(self, order_id: str) -> OrderDetail:
        return order_detail(await self.rest.order(order_id))

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
            waiting = {str(s["id"]) for s in await self.rest.stop_orders()}
        except VenueError as exc:
            self.journal.error("Checking the kept TP/SL links failed", exc)
            return
        for link in guard.links():
            if link.stop_id not in waiting:
                guard.detach_stop(link.stop_id)
                continue
            try:
                order = order_detail(await self.rest.order(link.entry_id))
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
        ticker = self.tickers.get(symbol)
        row = self.watchlist.rows.get(symbol)
        book = self.books.get(symbol)
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
            order_id = await self.gateway.place(request.to_body())
        except VenueError as exc:
            self.notify("error", order_refusal(exc))  # KuCoin's code and words, then ours
            self.journal.error(f"Order {what} refused", exc, request.symbol)
            raise
        self.notify("info", f"Sent {what}")
        self.journal.reply(f"Accepted: order {order_id}", request.symbol)
        return order_id

    async def cancel(self, order_id: str) -> None:
        symbol = order.symbol if (order := self.orders.get(order_id)) else ""
        self.journal.action(f"Cancel order {order_id}", symbol)
        try:
            live = await self.gateway.cancel(order_id)
        except VenueError as exc:
            self.notify("error", f"Cancel failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel of order {order_id} refused", exc, symbol)
            raise
        if live:
            self.notify("info", f"Cancel sent for order {order_id}")
            self.journal.reply(f"Cancel of order {order_id} received", symbol)
        else:
            self.journal.reply(f"Order {order_id} was already done", symbol)

    async def cancel_all(self, symbol: str) -> None:
        self.journal.action(f"Cancel all orders on {symbol}", symbol)
        try:
            reply = await self.rest.cancel_all(symbol)
        except VenueError as exc:
            self.notify("error", f"Cancel all failed: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"Cancel all {symbol} refused", exc, symbol)
            raise
        self.notify("info", f"Cancel all sent for {symbol}")
        count = len((reply or {}).get("cancelledOrderIds") or [])
        self.journal.reply(f"Cancel all {symbol}: {count} order(s) cancelled", symbol)

    async def cancel_all_everywhere(self) -> int:
        """Cancel every open order on every contract; returns how many were cancelled."""
        known = {order.symbol for order in self.orders.all()}
        try:
            ids = await cancel_everywhere(self.rest, self.journal, known)
        except VenueError as exc:
            self.notify("error", f"Cancel everywhere incomplete: {exc.msg} (KuCoin {exc.code})")
            raise
        self.notify("info", f"Cancel everywhere: {len(ids)} order(s) cancelled")
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
        current = order_detail(await self.rest.order(order_id))
        draft = replacement_draft(order.symbol, order.side, current, str(wanted), text, contract)
        validate_order(contract, draft, self.market_context(order.symbol), self.safety_limits)
        plan = self.bracket_guard.plan_of(order_id)
        if plan is not None:  # its TP/SL moves with it: the new price must stay between them
            try:
                check_move(plan, price)
            except OrderRejected as refused:  # a chart drag shows no message of its own
                self.notify("error", f"Order {order_id} not moved: {refused.reason}")
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
            new_id = await self.gateway.place(request.to_body())
        except (VenueError, OrderRejected) as exc:
            if isinstance(exc, VenueError):
                self.notify("error", f"Modify failed: {exc.msg} (KuCoin {exc.code})")
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
