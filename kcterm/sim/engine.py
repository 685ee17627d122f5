"""The matching engine: accepts, matches and cancels orders with price-time priority and
reports every change on the public and private feeds.

All methods are synchronous and run on the exchange's event loop, so a REST snapshot taken
between two calls always agrees with the sequence of the level2 messages already sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from kcterm.sim import params
from kcterm.sim.clearing import Clearing
from kcterm.sim.clock import Clock
from kcterm.sim.errors import SimError, unknown_contract
from kcterm.sim.order_request import check_price_band, parse_order
from kcterm.sim.orders import SimOrder
from kcterm.sim.publisher import Publisher
from kcterm.sim.specs import ContractSpec
from kcterm.sim.stops import StopDesk
from kcterm.sim.symbol_market import SymbolMarket

ORDERS_TOPIC = "/contractMarket/tradeOrders"
MAX_OPEN_ORDERS = 100  # per contract and account (spec/REFERENCE.md 6.3)


class Engine:
    def __init__(self, specs: tuple[ContractSpec, ...], publisher: Publisher, clock: Clock) -> None:
        self.clock = clock
        self.publisher = publisher
        self.markets = {spec.symbol: SymbolMarket(spec, publisher, clock) for spec in specs}
        self.orders: dict[str, SimOrder] = {}
        self._by_client_oid: dict[tuple[str, str], SimOrder] = {}
        self._open_count: dict[tuple[str, str], int] = {}
        self._resting: dict[str, dict[str, SimOrder]] = {}  # user -> their orders in the book
        self.mutations = 0  # bumped on every change to a trader's orders: the store's cue
        # Traders' orders changed since the store last wrote them (None: nothing is stored).
        self.dirty_orders: set[str] | None = None
        self.bot_users: set[str] = set()  # the market simulation's accounts: keep no history
        # The store swaps these for counters reserved on disk (store.DurableIds).
        self._order_ids: Iterator[int] = itertools.count(300_000_000_000_000_000)
        self._trade_ids: Iterator[int] = itertools.count(1_900_000_000_000)
        self.clearing = Clearing(self)
        self.stops = StopDesk(self)

    def market(self, symbol: object) -> SymbolMarket:
        market = self.markets.get(symbol) if isinstance(symbol, str) else None
        if market is None:
            raise unknown_contract(symbol)
        return market

    # -- orders in ---------------------------------------------------------------------------

    def place(
        self, user_id: str, body: dict[str, Any], *, dry_run: bool = False, tpsl: bool = False
    ) -> SimOrder:
        """POST /api/v1/orders (and st-orders with ``tpsl``): validate, then match and rest
        what is left, or park a stop order until its trigger. Raises SimError."""
        order = self._build(user_id, body, tpsl)
        if dry_run:
            # orders/test answers what the real call would: the same trading checks (price
            # band, margin, post-only crossing, open-order limit), with nothing placed. A
            # stop order is checked as the real call checks it: freezing nothing until it
            # triggers.
            self.clearing.account(user_id)
            if not (order.stop or tpsl):
                self._check_tradable(order, self.markets[order.symbol])
            return order
        if order.stop or tpsl:
            self.clearing.account(user_id)  # stop orders freeze no margin until triggered
            self.stops.add(order)
            self.orders[order.order_id] = order
            self._by_client_oid[(user_id, order.client_oid)] = order
        else:
            self.submit(order)
        self.stops.drain()
        return order

    def after_step(self) -> None:
        """After the market moved: stops on mark and index, liquidations, position pushes."""
        for symbol, market in self.markets.items():
            self.stops.check(symbol, "MP", market.mark_price)
            self.stops.check(symbol, "IP", market.index_price)
        self.clearing.after_step()
        self.stops.drain()

    def submit(self, order: SimOrder) -> SimOrder:
        """Match and rest an order already validated (the market simulation calls this too)."""
        user_id = order.user_id
        market = self.markets[order.symbol]
        self._check_tradable(order, market)
        self.orders[order.order_id] = order
        self._by_client_oid[(user_id, order.client_oid)] = order
        stopped_by_stp = self._match(market, order)
        if order.remaining > 0:
            if order.order_type == "limit" and order.time_in_force == "GTC" and not stopped_by_stp:
                order.shown = order.tip()
                market.book.add(order)
                order.resting = True
                self._resting.setdefault(user_id, {})[order.order_id] = order
                key = (user_id, order.symbol)
                self._open_count[key] = self._open_count.get(key, 0) + 1
                self._emit(order, "open")
                if user_id not in self.bot_users:  # its order margin is frozen now
                    account = self.clearing.account(user_id)
                    self.clearing.publish_wallet(account, order.spec.settle)
            else:  # IOC and market orders never rest: what did not fill is cancelled
                self._finish(order, cancel=True)
        market.publish_bbo_if_changed()
        return order

    def _check_tradable(self, order: SimOrder, market: SymbolMarket) -> None:
        """Everything that may refuse an order once it parsed (raises SimError); pre_trade
        may also settle its side and size (closeOrder) and its margin mode."""
        user_id = order.user_id
        opposite = "sell" if order.side == "buy" else "buy"
        if order.order_type == "market" and market.book.best_maker(opposite) is None:
            raise SimError("300008", "No contra orders in the order book", 200)
        if order.post_only and self._would_take(market, order):
            raise SimError("300000", "postOnly order would take liquidity; order rejected", 200)
        if (
            order.order_type == "limit"
            and user_id not in self.bot_users
            and self._open_count.get((user_id, order.symbol), 0) >= (MAX_OPEN_ORDERS)
        ):
            raise SimError(
                "300001", f"Too many active orders: at most {MAX_OPEN_ORDERS} per contract", 200
            )
        if user_id not in self.bot_users:
            best = market.book.best_tick(opposite)
            self.clearing.pre_trade(order, None if best is None else market.spec.price(best))
            check_price_band(order, market)

    def cancel(self, user_id: str, order_id: str) -> SimOrder:
        """DELETE /api/v1/orders/{orderId}. Raises 100004 if it is not the user's open order."""
        order = self.orders.get(order_id)
        if order is not None and order.user_id == user_id and order_id in self.stops.waiting:
            self.stops.cancel(order)
            return order
        if order is None or order.user_id != user_id or not order.is_active:
            raise SimError(
                "100004", "The order cannot be canceled: it does not exist or is already done", 200
            )
        market = self.markets[order.symbol]
        market.book.reduce(order, order.remaining, order.shown)
        order.shown = 0
        self._finish(order, cancel=True)
        market.publish_bbo_if_changed()
        return order

    def cancel_all(self, user_id: str, symbol: str | None) -> list[str]:
        mine = [o for o in self.active_orders(user_id) if symbol is None or o.symbol == symbol]
        return [self.cancel(user_id, o.order_id).order_id for o in mine]

    def restore_order(self, order: SimOrder) -> None:
        """Put back an order saved before a restart: waiting stops wait again, open limit
        orders rest again (behind nothing: the books are empty when this runs)."""
        self.orders[order.order_id] = order
        self._by_client_oid[(order.user_id, order.client_oid)] = order
        if order.status != "open":
            return
        if (order.stop or order.tp_price or order.sl_price) and not order.stop_triggered:
            self.stops.add(order)
        elif order.order_type == "limit" and order.remaining > 0:
            order.shown = order.tip()
            self.markets[order.symbol].book.add(order)
            order.resting = True
            self._resting.setdefault(order.user_id, {})[order.order_id] = order
            key = (order.user_id, order.symbol)
            self._open_count[key] = self._open_count.get(key, 0) + 1

    def trim_reduce_only(self, user_id: str, symbol: str) -> None:
        """Reduce-only orders may never add up to more than the position they reduce: after
        every fill, the oldest keep their size and the excess of the rest is cancelled."""
        pos = self.clearing.account(user_id).positions.get(symbol)
        qty = pos.qty if pos else 0
        allowed = abs(qty)
        for order in sorted(self.active_orders(user_id), key=lambda o: o.order_time_ns):
            if order.symbol != symbol or not order.reduce_only:
                continue
            reduces = qty != 0 and (qty > 0) != (order.side == "buy")
            keep = min(order.remaining, allowed) if reduces else 0
            allowed -= keep
            if keep == 0:
                self.cancel(user_id, order.order_id)
            elif keep < order.remaining:
                old_size = order.size
                cut = order.remaining - keep
                shown = min(order.shown, keep)
                self.markets[symbol].book.reduce(order, cut, order.shown - shown)
                order.shown = shown
                order.canceled += cut
                self._emit(order, "update", oldSize=str(old_size))

    # -- queries ---------------------------------------------------------------------------

    def user_orders(self, user_id: str) -> list[SimOrder]:
        """Every order of the user the exchange still remembers, open or done."""
        return [o for o in self.orders.values() if o.user_id == user_id]

    def active_orders(self, user_id: str) -> list[SimOrder]:
        """The user's orders resting in the books: O(their count), not O(all orders)."""
        return list(self._resting.get(user_id, {}).values())

    def by_client_oid(self, user_id: str, client_oid: str) -> SimOrder | None:
        return self._by_client_oid.get((user_id, client_oid))

    # -- internals -------------------------------------------------------------------------

    def new_order(
        self, user_id: str, symbol: str, side: str, tick: int, size: int, order_type: str = "limit"
    ) -> SimOrder:
        """An order from inside the exchange (liquidity provider, takers): no parsing."""
        now_ns = self.clock.now_ns()
        oid = str(next(self._order_ids))
        return SimOrder(
            order_id=oid,
            client_oid=oid,
            user_id=user_id,
            spec=self.markets[symbol].spec,
            side=side,
            order_type=order_type,
            tick=tick,
            size=size,
            leverage="1",
            margin_mode="CROSS",
            created_ms=now_ns // 1_000_000,
            order_time_ns=now_ns,
        )

    def _build(self, user_id: str, body: dict[str, Any], tpsl: bool = False) -> SimOrder:
        client_oid = params.text(body, "clientOid", required=True, max_len=40)
        if (user_id, client_oid) in self._by_client_oid:
            raise SimError("300018", f"clientOid {client_oid} already exists", 200)
        market = self.market(params.text(body, "symbol", required=True))
        now_ns = self.clock.now_ns()
        order_id = str(next(self._order_ids))
        return parse_order(body, user_id, market, order_id, now_ns, tpsl=tpsl)

    @staticmethod
    def _crosses(order: SimOrder, maker_tick: int) -> bool:
        if order.order_type == "market":
            return True
        return maker_tick <= order.tick if order.side == "buy" else maker_tick >= order.tick

    def _would_take(self, market: SymbolMarket, order: SimOrder) -> bool:
        maker = market.book.best_maker("sell" if order.side == "buy" else "buy")
        return maker is not None and self._crosses(order, maker.tick)

    def _match(self, market: SymbolMarket, taker: SimOrder) -> bool:
        """Trade ``taker`` against the book; True when self-trade prevention stopped it."""
        book = market.book
        opposite = "sell" if taker.side == "buy" else "buy"
        while taker.remaining > 0:
            maker = book.best_maker(opposite)
            if maker is None or not self._crosses(taker, maker.tick):
                return False
            assert isinstance(maker, SimOrder)
            if taker.stp and maker.user_id == taker.user_id:
                if taker.stp in ("CO", "CB"):
                    self.cancel(maker.user_id, maker.order_id)
                if taker.stp in ("CN", "CB"):
                    return True  # the caller cancels what is left of the taker
                continue
            takeable = maker.shown if maker.iceberg else maker.remaining  # one tip at a time
            self._fill(market, taker, maker, min(taker.remaining, takeable))
        return False

    def _fill(self, market: SymbolMarket, taker: SimOrder, maker: SimOrder, qty: int) -> None:
        spec = market.spec
        tick = maker.tick
        shown = min(qty, maker.shown)
        market.book.reduce(maker, qty, shown)
        maker.shown -= shown
        value = spec.value(qty, spec.price(tick))
        trade_id = str(next(self._trade_ids))
        for order in (maker, taker):
            order.filled += qty
            order.deal_value += value
        market.record_trade(taker.side, tick, qty, trade_id, taker.order_id, maker.order_id)
        self.stops.check(market.spec.symbol, "TP", market.last_price)
        if maker.iceberg and maker.shown == 0 and maker.remaining > 0:
            maker.shown = maker.tip()
            market.book.requeue(maker, maker.shown)
        price_dec = spec.price(tick)
        for order, liquidity in ((maker, "maker"), (taker, "taker")):
            if order.user_id not in self.bot_users:
                self.clearing.on_fill(order, qty, price_dec, liquidity, trade_id)
                self.trim_reduce_only(order.user_id, order.symbol)
        price = spec.price_text(tick)
        for order, liquidity in ((maker, "maker"), (taker, "taker")):
            match = {
                "matchPrice": price,
                "matchSize": str(qty),
                "tradeId": trade_id,
                "liquidity": liquidity,
                "feeType": f"{liquidity}Fee",
                "tradeType": "trade",
            }
            self._emit(order, "match", status="match" if order is taker else "open", **match)
            if order.remaining == 0:
                self._finish(order, cancel=False)

    def _finish(self, order: SimOrder, *, cancel: bool) -> None:
        """Close an order: the rest is cancelled (cancel=True) or it filled completely."""
        if cancel:
            order.canceled += order.remaining
        now = self.clock.now_ms()
        order.status = "done"
        order.end_ms = order.updated_ms = now
        if order.resting:
            order.resting = False
            self._open_count[(order.user_id, order.symbol)] -= 1
            self._resting[order.user_id].pop(order.order_id, None)
        if order.user_id in self.bot_users:
            self.orders.pop(order.order_id, None)
            self._by_client_oid.pop((order.user_id, order.client_oid), None)
            return
        self._emit(order, "canceled" if cancel else "filled")
        account = self.clearing.account(order.user_id)
        self.clearing.publish_wallet(account, order.spec.settle)  # its order margin is freed

    def touch(self, order: SimOrder) -> None:
        """Every change to an order passes here (order and stop feeds): the store's cue.
        The market simulation's own orders are not counted: they are never stored, and the
        server writes after a market step only when a trader's state moved."""
        if order.user_id in self.bot_users:
            return
        self.mutations += 1
        if self.dirty_orders is not None:
            self.dirty_orders.add(order.order_id)

    def _emit(self, order: SimOrder, kind: str, *, status: str | None = None, **extra: str) -> None:
        user = order.user_id
        self.touch(order)
        symbol_topic = f"{ORDERS_TOPIC}:{order.symbol}"
        wants_all = self.publisher.wants(ORDERS_TOPIC, user)
        wants_symbol = self.publisher.wants(symbol_topic, user)
        if not (wants_all or wants_symbol):
            return
        data = order.event(kind, self.clock.now_ns(), **extra)
        if status is not None:
            data["status"] = status
        if wants_all:
            self.publisher.publish(ORDERS_TOPIC, "orderChange", data, user)
        if wants_symbol:
            self.publisher.publish(symbol_topic, "symbolOrderChange", data, user)
