"""The matching engine: accepts, matches and cancels orders with price-time priority and
reports every change on the public and private feeds.

All methods are synchronous and run on the exchange's event loop, so a REST snapshot taken
between two calls always agrees with the sequence of the level2 messages already sent.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from kcterm.sim import params
from kcterm.sim.clock import Clock
from kcterm.sim.contract_view import price_band
from kcterm.sim.errors import SimError, bad_param, unknown_contract
from kcterm.sim.orders import SimOrder
from kcterm.sim.publisher import Publisher
from kcterm.sim.specs import ContractSpec
from kcterm.sim.symbol_market import SymbolMarket

ORDERS_TOPIC = "/contractMarket/tradeOrders"
MAX_OPEN_ORDERS = 100  # per contract and account (REFERENCE 6.3)
_CLIENT_OID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class Engine:
    def __init__(self, specs: tuple[ContractSpec, ...], publisher: Publisher, clock: Clock) -> None:
        self.clock = clock
        self.publisher = publisher
        self.markets = {spec.symbol: SymbolMarket(spec, publisher, clock) for spec in specs}
        self.orders: dict[str, SimOrder] = {}
        self._by_client_oid: dict[tuple[str, str], SimOrder] = {}
        self._open_count: dict[tuple[str, str], int] = {}
        self.bot_users: set[str] = set()  # the market simulation's accounts: keep no history
        self._order_ids = itertools.count(300_000_000_000_000_000)
        self._trade_ids = itertools.count(1_900_000_000_000)

    def market(self, symbol: object) -> SymbolMarket:
        market = self.markets.get(symbol) if isinstance(symbol, str) else None
        if market is None:
            raise unknown_contract(symbol)
        return market

    # -- orders in ---------------------------------------------------------------------------

    def place(self, user_id: str, body: dict[str, Any], *, dry_run: bool = False) -> SimOrder:
        """POST /api/v1/orders: validate, match, rest what is left. Raises SimError."""
        order = self._build(user_id, body)
        return order if dry_run else self.submit(order)

    def submit(self, order: SimOrder) -> SimOrder:
        """Match and rest an order already validated (the market simulation calls this too)."""
        user_id = order.user_id
        market = self.markets[order.symbol]
        opposite = "sell" if order.side == "buy" else "buy"
        if order.order_type == "market" and market.book.best_maker(opposite) is None:
            raise SimError("300008", "No contra orders in the order book", 200)
        if order.post_only and self._would_take(market, order):
            raise SimError("300000", "postOnly order would take liquidity; order rejected", 200)
        if order.order_type == "limit" and self._open_count.get((user_id, order.symbol), 0) >= (
            MAX_OPEN_ORDERS
        ):
            raise SimError(
                "300001", f"Too many active orders: at most {MAX_OPEN_ORDERS} per contract", 200
            )
        self.orders[order.order_id] = order
        self._by_client_oid[(user_id, order.client_oid)] = order
        stopped_by_stp = self._match(market, order)
        if order.remaining > 0:
            if order.order_type == "limit" and order.time_in_force == "GTC" and not stopped_by_stp:
                market.book.add(order)
                order.resting = True
                key = (user_id, order.symbol)
                self._open_count[key] = self._open_count.get(key, 0) + 1
                self._emit(order, "open")
            else:  # IOC and market orders never rest: what did not fill is cancelled
                self._finish(order, cancel=True)
        market.publish_bbo_if_changed()
        return order

    def cancel(self, user_id: str, order_id: str) -> SimOrder:
        """DELETE /api/v1/orders/{orderId}. Raises 100004 if it is not the user's open order."""
        order = self.orders.get(order_id)
        if order is None or order.user_id != user_id or not order.is_active:
            raise SimError(
                "100004", "The order cannot be canceled: it does not exist or is already done", 200
            )
        market = self.markets[order.symbol]
        market.book.reduce(order, order.remaining)
        self._finish(order, cancel=True)
        market.publish_bbo_if_changed()
        return order

    def cancel_all(self, user_id: str, symbol: str | None) -> list[str]:
        mine = [
            o
            for o in self.orders.values()
            if o.user_id == user_id and o.is_active and (symbol is None or o.symbol == symbol)
        ]
        return [self.cancel(user_id, o.order_id).order_id for o in mine]

    # -- queries ---------------------------------------------------------------------------

    def user_orders(self, user_id: str) -> list[SimOrder]:
        return [o for o in self.orders.values() if o.user_id == user_id]

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

    def _build(self, user_id: str, body: dict[str, Any]) -> SimOrder:
        client_oid = params.text(body, "clientOid", required=True, max_len=40)
        if not set(client_oid) <= _CLIENT_OID_OK:
            raise bad_param("clientOid may contain only letters, digits, '_' and '-'")
        if (user_id, client_oid) in self._by_client_oid:
            raise SimError("300018", f"clientOid {client_oid} already exists", 200)
        market = self.market(params.text(body, "symbol", required=True))
        spec = market.spec
        side = params.text(body, "side", required=True, choices=("buy", "sell"))
        order_type = params.text(body, "type", default="limit", choices=("limit", "market"))
        size = params.whole(body, "size", required=True, minimum=1, maximum=spec.max_order_qty)
        if size % spec.lot_size:
            raise bad_param(f"size must be a multiple of the lot size {spec.lot_size}")
        leverage = params.whole(body, "leverage", default=1, minimum=1, maximum=spec.max_leverage)
        tick = 0
        tif = "GTC"
        if order_type == "limit":
            price = params.decimal(body, "price", required=True)
            assert price is not None
            tick = self._tick_of(spec, price)
            buy_limit, sell_limit = price_band(market)
            if price > spec.max_price or (side == "buy" and price > buy_limit):
                raise SimError(
                    "300011",
                    f"Order price {price} is above the highest allowed "
                    f"{min(buy_limit, spec.max_price)}",
                    200,
                )
            if side == "sell" and price < sell_limit:
                raise SimError(
                    "300012", f"Order price {price} is below the lowest allowed {sell_limit}", 200
                )
            tif = params.text(body, "timeInForce", default="GTC", choices=("GTC", "IOC"))
        post_only = params.flag(body, "postOnly")
        hidden = params.flag(body, "hidden")
        if post_only and (hidden or tif == "IOC"):
            raise bad_param("postOnly cannot be combined with hidden or IOC")
        now_ns = self.clock.now_ns()
        return SimOrder(
            order_id=str(next(self._order_ids)),
            client_oid=client_oid,
            user_id=user_id,
            spec=spec,
            side=side,
            order_type=order_type,
            tick=tick,
            size=size,
            leverage=str(leverage),
            margin_mode=params.text(
                body, "marginMode", default="ISOLATED", choices=("ISOLATED", "CROSS")
            ),
            created_ms=now_ns // 1_000_000,
            order_time_ns=now_ns,
            time_in_force=tif,
            post_only=post_only if order_type == "limit" else False,
            hidden=hidden if order_type == "limit" else False,
            reduce_only=params.flag(body, "reduceOnly"),
            close_order=params.flag(body, "closeOrder"),
            stp=params.text(body, "stp", choices=("CN", "CO", "CB")),
            remark=params.text(body, "remark") or None,
        )

    @staticmethod
    def _tick_of(spec: ContractSpec, price: Decimal) -> int:
        ticks, rest = divmod(price, spec.tick_size)
        if rest:
            raise bad_param(f"price {price} must be a multiple of the tick size {spec.tick_size}")
        return int(ticks)

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
            self._fill(market, taker, maker, min(taker.remaining, maker.remaining))
        return False

    def _fill(self, market: SymbolMarket, taker: SimOrder, maker: SimOrder, qty: int) -> None:
        spec = market.spec
        tick = maker.tick
        market.book.reduce(maker, qty)
        value = spec.price(tick) * qty * spec.multiplier
        trade_id = str(next(self._trade_ids))
        for order in (maker, taker):
            order.filled += qty
            order.deal_value += value
        market.record_trade(taker.side, tick, qty, trade_id, taker.order_id, maker.order_id)
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
        if order.user_id in self.bot_users:
            self.orders.pop(order.order_id, None)
            self._by_client_oid.pop((order.user_id, order.client_oid), None)
            return
        self._emit(order, "canceled" if cancel else "filled")

    def _emit(self, order: SimOrder, kind: str, *, status: str | None = None, **extra: str) -> None:
        user = order.user_id
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
