"""POST /api/v1/orders body -> SimOrder, with KuCoin's rules and error codes
(spec/REFERENCE.md 7.9).

Size may come as `size` (lots), `qty` (coins, a multiple of the multiplier) or `valueQty`
(USDT, rounded down to whole lots at the order's price, or at mark for a market order).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from kcterm.sim import params
from kcterm.sim.contract_view import price_band
from kcterm.sim.errors import SimError, bad_param
from kcterm.sim.orders import SimOrder
from kcterm.sim.specs import ContractSpec
from kcterm.sim.stops import SOURCES
from kcterm.sim.symbol_market import SymbolMarket

_CLIENT_OID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def parse_order(
    body: dict[str, Any],
    user_id: str,
    market: SymbolMarket,
    order_id: str,
    now_ns: int,
    *,
    tpsl: bool = False,
) -> SimOrder:
    """``tpsl``: the body of /api/v1/st-orders (take-profit and stop-loss triggers)."""
    spec = market.spec
    client_oid = params.text(body, "clientOid", required=True, max_len=40)
    if not set(client_oid) <= _CLIENT_OID_OK:
        raise bad_param("clientOid may contain only letters, digits, '_' and '-'")
    close_order = params.flag(body, "closeOrder")
    # With closeOrder the exchange picks side and size from the position (clearing does).
    side = params.text(body, "side", required=not close_order, choices=("buy", "sell"))
    order_type = params.text(body, "type", default="limit", choices=("limit", "market"))
    tick = 0
    tif = "GTC"
    price: Decimal | None = None
    if order_type == "limit":
        price = params.decimal(body, "price", required=True)
        assert price is not None
        tick = tick_of(spec, price)
        if price > spec.max_price:  # before any margin sum is made of it
            raise SimError(
                "300011", f"Order price {price} is above the highest allowed {spec.max_price}", 200
            )
        tif = params.text(body, "timeInForce", default="GTC", choices=("GTC", "IOC"))
    size = 0 if close_order else _size(body, spec, price or market.mark_price)
    leverage = params.whole(body, "leverage", default=1, minimum=1, maximum=spec.max_leverage)
    post_only = params.flag(body, "postOnly")
    iceberg = params.flag(body, "iceberg")
    hidden = params.flag(body, "hidden") and not iceberg  # both set: iceberg wins
    if post_only and (hidden or iceberg or tif == "IOC"):
        raise bad_param("postOnly cannot be combined with hidden, iceberg or IOC")
    if order_type == "market" and (post_only or hidden or iceberg):
        raise bad_param("postOnly, hidden and iceberg apply to limit orders only")
    visible = 0
    if iceberg:
        visible = params.whole(body, "visibleSize", required=True, minimum=1)
        if visible >= size:
            raise bad_param("visibleSize must be smaller than the order size")
    order = SimOrder(
        order_id=order_id,
        client_oid=client_oid,
        user_id=user_id,
        spec=spec,
        side=side,
        order_type=order_type,
        tick=tick,
        size=size,
        leverage=str(leverage),
        # "" means "the symbol's own mode": clearing fills it in (and refuses a mismatch).
        margin_mode=params.text(body, "marginMode", choices=("ISOLATED", "CROSS")),
        created_ms=now_ns // 1_000_000,
        order_time_ns=now_ns,
        time_in_force=tif,
        post_only=post_only,
        hidden=hidden,
        iceberg=iceberg,
        visible_size=visible,
        reduce_only=params.flag(body, "reduceOnly"),
        close_order=close_order,
        stp=params.text(body, "stp", choices=("CN", "CO", "CB")),
        remark=params.text(body, "remark") or None,
    )
    _stop_fields(order, body, tpsl)
    return order


def _stop_fields(order: SimOrder, body: dict[str, Any], tpsl: bool) -> None:
    spec = order.spec
    if tpsl:
        if body.get("stop"):
            raise bad_param("st-orders take triggerStopUpPrice/triggerStopDownPrice, not stop")
        order.tp_price = _trigger(body, "triggerStopUpPrice", spec)
        order.sl_price = _trigger(body, "triggerStopDownPrice", spec)
        if order.tp_price is None and order.sl_price is None:
            raise bad_param("give triggerStopUpPrice, triggerStopDownPrice or both")
        if (
            order.tp_price is not None
            and order.sl_price is not None
            and (order.sl_price >= order.tp_price)
        ):
            raise bad_param("triggerStopDownPrice must be below triggerStopUpPrice")
    else:
        order.stop = params.text(body, "stop", choices=("up", "down"))
        if not order.stop:
            return
        order.stop_price = _trigger(body, "stopPrice", spec, required=True)
    order.stop_price_type = params.text(body, "stopPriceType", required=True, choices=SOURCES)


def _trigger(
    body: dict[str, Any], name: str, spec: ContractSpec, *, required: bool = False
) -> Decimal | None:
    price = params.decimal(body, name, required=required)
    if price is not None and price > spec.max_price:  # no order may trigger above it
        raise bad_param(f"{name} {price} is above the contract's maxPrice {spec.max_price}")
    if price is not None and price % spec.tick_size:
        raise bad_param(f"{name} {price} must be a multiple of the tick size {spec.tick_size}")
    return price


def _size(body: dict[str, Any], spec: ContractSpec, price: Decimal) -> int:
    given = [name for name in ("size", "qty", "valueQty") if body.get(name) not in (None, "")]
    if len(given) != 1:
        raise bad_param("give exactly one of size, qty or valueQty")
    if given[0] != "size" and spec.inverse:
        raise bad_param("qty and valueQty are for linear contracts only; give size in lots")
    if given[0] == "size":
        size = params.whole(body, "size", required=True, minimum=1, maximum=spec.max_order_qty)
    elif given[0] == "qty":
        coins = params.decimal(body, "qty", required=True)
        assert coins is not None
        lots, rest = divmod(coins, spec.multiplier)
        if rest:
            raise bad_param(f"qty must be a multiple of the contract multiplier {spec.multiplier}")
        size = int(lots)
    else:
        value = params.decimal(body, "valueQty", required=True)
        assert value is not None
        size = int((value / (price * spec.multiplier)).to_integral_value(ROUND_FLOOR))
    if not 1 <= size <= spec.max_order_qty:
        raise bad_param(f"size must be between 1 and {spec.max_order_qty} lots")
    if size % spec.lot_size:
        raise bad_param(f"size must be a multiple of the lot size {spec.lot_size}")
    return size


def tick_of(spec: ContractSpec, price: Decimal) -> int:
    ticks, rest = divmod(price, spec.tick_size)
    if rest:
        raise bad_param(f"price {price} must be a multiple of the tick size {spec.tick_size}")
    return int(ticks)


def check_price_band(order: SimOrder, market: SymbolMarket) -> None:
    """New limit orders stay inside buyLimit/sellLimit (300011 / 300012)."""
    if order.order_type != "limit":
        return
    spec = market.spec
    price = order.price
    buy_limit, sell_limit = price_band(market)
    if price > spec.max_price or (order.side == "buy" and price > buy_limit):
        highest = min(buy_limit, spec.max_price)
        raise SimError("300011", f"Order price {price} is above the highest allowed {highest}", 200)
    if order.side == "sell" and price < sell_limit:
        raise SimError(
            "300012", f"Order price {price} is below the lowest allowed {sell_limit}", 200
        )
