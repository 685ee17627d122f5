"""Stop orders and TP/SL pairs: each trigger source (TP last trade, MP mark, IP index), both
directions, one-cancels-other, cancels, and the advancedOrders story."""

from __future__ import annotations

from decimal import Decimal as D
from itertools import count
from typing import Any

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.engine import Engine
from kcterm.sim.errors import SimError
from kcterm.sim.specs import CONTRACTS
from tests.unit.test_sim_matching import Recorder

SYMBOL = "XBTUSDTM"
ME, STREET = "trader", "street"
_ids = count()


@pytest.fixture
def feed() -> Recorder:
    return Recorder()


@pytest.fixture
def engine(feed: Recorder) -> Engine:
    exchange = Engine(CONTRACTS, feed, Clock())
    exchange.bot_users.add(STREET)
    exchange.clearing.open_account(ME, D(100_000))
    market = exchange.markets[SYMBOL]
    market.mark_price = market.index_price = D("90000")
    market.last_tick = market.spec.ticks(D("90000"))  # a stop placed now is not already due
    return exchange


def street(engine: Engine, side: str, price: str, size: int = 100, kind: str = "limit") -> None:
    spec = engine.markets[SYMBOL].spec
    tick = spec.ticks(D(price)) if kind == "limit" else 0
    engine.submit(engine.new_order(STREET, SYMBOL, side, tick, size, kind))
    engine.stops.drain()


def place(engine: Engine, tpsl: bool = False, **body: Any) -> Any:
    base = {"clientOid": f"s{next(_ids)}", "symbol": SYMBOL, "leverage": 5, "size": 1}
    return engine.place(ME, {**base, **body}, tpsl=tpsl)


def story(feed: Recorder, order_id: str) -> list[str]:
    return [
        e["type"] for e in feed.of("/contractMarket/advancedOrders") if e["orderId"] == order_id
    ]


def test_a_last_price_stop_fires_on_the_trade_that_reaches_it(
    engine: Engine, feed: Recorder
) -> None:
    stop = place(
        engine,
        side="buy",
        type="market",
        stop="up",
        stopPrice="90100.0",
        stopPriceType="TP",
        size=2,
    )
    assert stop.order_id in engine.stops.waiting and stop.filled == 0
    street(engine, "sell", "90050.0", 1)
    street(engine, "buy", "90050.0", 1)  # a trade at 90050: not yet
    assert stop.order_id in engine.stops.waiting
    street(engine, "sell", "90100.0", 10)
    street(engine, "buy", "90100.0", 1)  # a trade at 90100 fires it; it buys from 90100
    assert stop.order_id not in engine.stops.waiting
    assert stop.filled == 2 and stop.stop_triggered
    assert story(feed, stop.order_id) == ["open", "triggered"]
    assert engine.clearing.account(ME).positions[SYMBOL].qty == 2


@pytest.mark.parametrize("source", ["MP", "IP"])
def test_mark_and_index_stops_fire_after_the_market_moves(engine: Engine, source: str) -> None:
    street(engine, "buy", "88000.0", 100)
    stop = place(
        engine, side="sell", type="market", stop="down", stopPrice="89000.0", stopPriceType=source
    )
    market = engine.markets[SYMBOL]
    market.mark_price = market.index_price = D("89000.1")
    engine.after_step()
    assert stop.order_id in engine.stops.waiting
    if source == "MP":
        market.mark_price = D("89000")
    else:
        market.index_price = D("89000")
    engine.after_step()
    assert stop.filled == 1


def test_take_profit_and_stop_loss_are_one_cancels_other(engine: Engine, feed: Recorder) -> None:
    street(engine, "sell", "90000.0", 5)
    place(engine, side="buy", type="market", size=5)
    bracket = place(
        engine,
        tpsl=True,
        side="sell",
        type="market",
        size=5,
        reduceOnly=True,
        triggerStopUpPrice="95000.0",
        triggerStopDownPrice="85000.0",
        stopPriceType="MP",
    )
    assert bracket.to_api()["stopPrice"] == "85000.0"
    street(engine, "buy", "84000.0", 100)
    engine.markets[SYMBOL].mark_price = D("84999")
    engine.after_step()
    assert bracket.filled == 5 and engine.clearing.account(ME).open_positions() == []
    engine.markets[SYMBOL].mark_price = D("96000")  # the other leg is gone with it
    engine.after_step()
    assert story(feed, bracket.order_id) == ["open", "triggered"]
    assert not engine.stops.waiting


def test_cancel_a_waiting_stop(engine: Engine, feed: Recorder) -> None:
    stop = place(
        engine,
        side="buy",
        type="limit",
        price="91000.0",
        stop="up",
        stopPrice="90500.0",
        stopPriceType="TP",
    )
    engine.cancel(ME, stop.order_id)
    assert stop.status == "done" and not engine.stops.waiting
    assert story(feed, stop.order_id) == ["open", "cancel"]
    with pytest.raises(SimError):
        engine.cancel(ME, stop.order_id)


def test_a_stop_that_cannot_trade_at_trigger_is_cancelled_with_the_reason(
    engine: Engine, feed: Recorder
) -> None:
    street(engine, "buy", "87000.0", 100)
    stop = place(
        engine,
        side="sell",
        type="market",
        stop="down",
        stopPrice="89000.0",
        stopPriceType="MP",
        closeOrder=True,
    )
    engine.markets[SYMBOL].mark_price = D("88000")
    engine.after_step()  # there is no position to close any more
    events = [e for e in feed.of("/contractMarket/advancedOrders") if e["orderId"] == stop.order_id]
    assert [e["type"] for e in events] == ["open", "triggered", "cancel"]
    assert "nothing to close" in events[-1]["error"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"stop": "sideways", "stopPrice": "1.0", "stopPriceType": "TP"}, "stop"),
        ({"stop": "up", "stopPriceType": "TP"}, "stopPrice"),
        ({"stop": "up", "stopPrice": "90000.05", "stopPriceType": "TP"}, "tick"),
        ({"stop": "up", "stopPrice": "90000.0", "stopPriceType": "XX"}, "stopPriceType"),
    ],
)
def test_bad_stop_fields_are_refused(engine: Engine, body: dict[str, str], words: str) -> None:
    with pytest.raises(SimError) as info:
        place(engine, side="buy", type="market", **body)
    assert info.value.code == "400100" and words in info.value.msg
