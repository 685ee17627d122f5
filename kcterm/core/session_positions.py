"""Position actions of a Session: close (market, limit at the touch, half), reverse, flatten
all; TP/SL brackets as st-orders, placed, replaced (cancel-and-replace) and cancelled; margin
mode and cross leverage; the cost preview of an order.

Closing orders are closeOrder/reduceOnly orders, so a stale local position can never turn a
close into a new position; every order goes through the OrderGateway (clientOid-safe) and
the journal says what was asked and answered.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kcterm.core.account import Account
from kcterm.core.bracket import BracketPlan, plan_bracket
from kcterm.core.bracket_guard import (
    BracketGuard,
    OrphanBracket,
    Verdict,
    ensure_closing,
    find_orphans,
)
from kcterm.core.contract import Contract
from kcterm.core.journal import Journal
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.order_preview import OrderPreview, preview_order
from kcterm.core.positions import Position, Positions
from kcterm.core.protection import BracketBook, Level, levels_for
from kcterm.core.reconcile import Reconciler
from kcterm.core.stop_orders import StopOrders
from kcterm.core.validation import (
    MarketContext,
    OrderDraft,
    OrderRejected,
    OrderRequest,
    new_client_oid,
)
from kcterm.venue.base import Venue
from kcterm.venue.errors import VenueError
from kcterm.venue.events import (
    OpenOrder,
    OrderUpdate,
    PositionUpdate,
    StopEventKind,
    StopOrder,
    StopOrderUpdate,
)


class SessionPositions:
    adapter: Venue  # the venue's parts (venue.base); Session builds it
    journal: Journal
    gateway: OrderGateway
    contracts: dict[str, Contract]
    positions: Positions
    stop_orders: StopOrders
    account: Account
    reconciler: Reconciler

    if TYPE_CHECKING:  # provided by Session and SessionTrading

        def notify(self, level: str, text: str) -> None: ...
        def prepare(self, draft: OrderDraft) -> OrderRequest: ...
        def market_context(self, symbol: str) -> MarketContext: ...
        async def place(self, request: OrderRequest) -> str: ...
        async def cancel_all_everywhere(self) -> int: ...
        def _spawn(self, coro: Any) -> None: ...

    @cached_property
    def brackets(self) -> BracketBook:
        return BracketBook()

    @cached_property
    def bracket_guard(self) -> BracketGuard:
        return BracketGuard()

    @cached_property
    def _stops_cancelling(self) -> set[str]:
        """St-orders this session is cancelling itself: their cancel event is no news."""
        return set()

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
        self.notify(
            "error",
            f"TP/SL {stop_id} {what} while its entry {link.entry_id} still rests: "
            "that entry is no longer protected.",
        )

    @cached_property
    def orphan_brackets(self) -> list[OrphanBracket]:
        """Closing stops with no entry and no position, as the last reconcile found them;
        the window offers them for cancel (`orphans_version` moves when the list changes)."""
        return []

    orphans_version: int = 0

    @cached_property
    def margin_modes(self) -> dict[str, str]:
        """symbol -> ISOLATED | CROSS, as the exchange last said (load_margin_settings)."""
        return {}

    @cached_property
    def cross_leverage(self) -> dict[str, int]:
        return {}

    # -- reading -----------------------------------------------------------------------------

    def protection(self, symbol: str) -> list[Level]:
        """The SL/TP levels that protect `symbol`'s position (or its bracketed entry)."""
        position = self.positions.get(symbol)
        qty = position.qty if position is not None else 0
        return levels_for(symbol, qty, self.stop_orders.all(), self.brackets)

    def preview(self, request: OrderRequest) -> OrderPreview | None:
        """Value, cost, fee and resulting liquidation price of `request` (order_preview)."""
        contract = self.contracts[request.symbol]
        leverage = None
        if request.margin_mode == "CROSS" and request.symbol in self.cross_leverage:
            leverage = Decimal(self.cross_leverage[request.symbol])
        return preview_order(
            contract,
            request,
            self.market_context(request.symbol),
            self.positions.get(request.symbol),
            leverage=leverage,
        )

    # -- margin mode and leverage ------------------------------------------------------------

    async def load_margin_settings(self, symbol: str) -> tuple[str, int | None]:
        """The symbol's margin mode and cross leverage from the exchange."""
        self.margin_modes[symbol] = await self.adapter.margin.margin_mode(symbol)
        try:
            self.cross_leverage[symbol] = await self.adapter.margin.cross_leverage(symbol)
        except VenueError as exc:
            self.journal.error(f"Cross leverage of {symbol} unavailable", exc, symbol)
        return self.margin_modes[symbol], self.cross_leverage.get(symbol)

    async def set_margin_mode(self, symbol: str, mode: str) -> None:
        """Switch ISOLATED/CROSS (the exchange refuses while orders or a position exist)."""
        self.journal.action(f"Switch {symbol} to {mode.lower()} margin", symbol)
        await self._ask(
            "Margin mode change", symbol, self.adapter.margin.set_margin_mode(symbol, mode)
        )
        self.margin_modes[symbol] = mode
        self.notify("info", f"{symbol} now uses {mode.lower()} margin")

    async def set_cross_leverage(self, symbol: str, leverage: int) -> None:
        self.journal.action(f"Set {symbol} cross leverage to {leverage}x", symbol)
        change = self.adapter.margin.set_cross_leverage(symbol, leverage)
        await self._ask("Cross leverage change", symbol, change)
        self.cross_leverage[symbol] = leverage

    async def _ask(self, what: str, symbol: str, call: Awaitable[None]) -> None:
        try:
            await call
        except VenueError as exc:
            self.notify("error", f"{what} refused: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"{what} refused", exc, symbol)
            raise
        self.journal.reply(f"{what} accepted", symbol)

    # -- brackets ----------------------------------------------------------------------------

    def plan_for_position(
        self, symbol: str, stop_loss: str, take_profit: str, trigger: str = "MP"
    ) -> BracketPlan:
        """A bracket for the open position: closes the whole position when it fires."""
        position = self.positions.get(symbol)
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
        self, request: OrderRequest, stop_loss: str, take_profit: str, trigger: str = "MP"
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
            self.notify("error", f"TP/SL rejected: {exc.msg} (KuCoin {exc.code})")
            self.journal.error(f"TP/SL {what} refused", exc, plan.symbol)
            raise
        self.brackets.add(order_id, plan)
        self.notify("info", f"TP/SL placed: {what}")
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
            self.notify("error", f"Order {order_id} was sent WITHOUT its TP/SL (refused)")
            raise
        verdict = self.bracket_guard.attach(order_id, stop_id, plan)
        if verdict is not None:  # the entry filled or ended before the bracket's reply came
            await self._enforce(verdict)
        return order_id

    def on_entry_event(self, update: OrderUpdate) -> None:
        """Every order event (Session._on_order_update): an entry's fills and end decide its
        bracket's size and fate; the cancel or resize runs as a task, never inside the feed
        handler."""
        verdict = self.bracket_guard.on_order_update(update)
        if verdict is not None:
            self._spawn(self._enforce(verdict))
        elif update.status == "done" and self._unlinked_stops_left(update.symbol):
            # An entry this session did not link ended (it was placed before a restart):
            # a bracket it had may be an orphan now. Ask the exchange at once rather than at
            # the next periodic pass (after_reconcile lists what it finds).
            self.reconciler.request("an order ended")

    def _unlinked_stops_left(self, symbol: str) -> bool:
        if self.positions.get(symbol) is not None:
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
            self.notify("info", f"TP/SL {stop_id} cancelled: {verdict.reason}")
            return None
        resized = replace(plan, size=verdict.filled)
        try:
            new_id = await self.place_bracket(resized)
        except VenueError:
            self.notify("error", f"The {verdict.filled} filled lots have NO TP/SL: set it again")
            return guard.settled(verdict.entry_id, None, plan)
        self.gateway.link(stop_id, new_id, plan.symbol)
        self.notify(
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
            self.notify("error", f"Cancel failed: {exc.msg} (KuCoin {exc.code})")
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
            self.notify("error", f"TP/SL with no entry and no position: {names}. Cancel them?")

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
        position = self.positions.get(symbol)
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
            self.notify(
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
        reported = await self.adapter.account.positions()
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
        self.notify("info" if not failures else "error", f"Flatten all: {closed} closing order(s)")
        if failures:
            raise failures[0]
        return closed
