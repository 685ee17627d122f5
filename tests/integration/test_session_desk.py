"""Session state behind the trading desk panels, against the running exchange over loopback:
journal, order history, cancel everywhere, moving an order, candles, the stale interlock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.core.interlock import evaluate
from kcterm.core.journal import EntryKind
from kcterm.core.session import Session
from kcterm.core.validation import OrderDraft
from kcterm.sim import SimExchange
from kcterm.venue.kucoin.error_words import explain
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.stream import StreamState
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


async def connected(session: Session) -> None:
    await wait_for(
        lambda: (
            session.adapter.public.state is StreamState.CONNECTED
            and session.adapter.private.state is StreamState.CONNECTED
            and session.market_data.books[SYMBOL].is_live
        ),
        what="both streams connected and the book live",
    )


async def rest_order(session: Session, symbol: str, side: str, ticks_away: int) -> str:
    book = session.market_data.books[symbol]
    tick = session.contracts[symbol].tick_size
    await wait_for(lambda: book.is_live and book.best_bid(), what=f"{symbol} book")
    if side == "buy":
        price = book.best_bid()[0] - ticks_away * tick
    else:
        price = book.best_ask()[0] + ticks_away * tick
    order_id = await session.trading.place(
        session.trading.prepare(OrderDraft(symbol, side, "limit", "2", str(price)))
    )
    await wait_for(lambda: order_id in session.trading.orders, what="the open event")
    return order_id


async def test_cancel_everywhere_clears_every_contract_and_fills_history(session: Session) -> None:
    await connected(session)
    await session.watch("ETHUSDTM")
    first = await rest_order(session, SYMBOL, "buy", 40)
    second = await rest_order(session, "ETHUSDTM", "sell", 40)
    cancelled = await session.trading.cancel_all_everywhere()
    assert cancelled == 2
    await wait_for(lambda: len(session.trading.orders) == 0, what="both cancels on the feed")
    assert await session.adapter.rest.active_orders() == []
    await wait_for(
        lambda: first in session.trading.history and second in session.trading.history,
        what="history",
    )
    assert session.trading.history.get(first).result == "canceled"
    kinds = [e.kind for e in session.journal.entries]
    assert EntryKind.ACTION in kinds and EntryKind.REPLY in kinds and EntryKind.EVENT in kinds


async def test_refused_cancel_is_journaled_with_code_and_sentence(session: Session) -> None:
    await connected(session)
    with pytest.raises(KucoinError) as refused:
        await session.trading.cancel("123456789")
    entry = session.journal.errors()[-1]
    assert entry.code == refused.value.code != ""
    assert entry.text.startswith("Cancel of order 123456789 refused: ")
    assert explain(entry.code, refused.value.msg) in entry.text
    # The start-up load may journal its summary in between: only this order's lines count.
    about_it = [e.kind for e in session.journal.entries if "123456789" in e.text]
    assert about_it == [EntryKind.ACTION, EntryKind.ERROR]


async def test_moving_an_order_cancels_it_and_places_the_rest(session: Session) -> None:
    await connected(session)
    order_id = await rest_order(session, SYMBOL, "buy", 40)
    old_price = session.trading.orders.get(order_id).price
    new_price = old_price - Decimal("1.0")
    new_id = await session.trading.move_order(order_id, new_price)
    assert new_id and new_id != order_id
    await wait_for(
        lambda: new_id in session.trading.orders and order_id not in session.trading.orders,
        what="moved",
    )
    moved = session.trading.orders.get(new_id)
    assert moved.price == new_price and moved.size == 2 and moved.side == "buy"


async def test_candles_load_history_or_fall_back_to_trades(
    session: Session, sim: SimExchange
) -> None:
    await connected(session)
    series = await session.load_candles(SYMBOL, 1)
    assert not series.loading and series.source in ("klines", "trades")
    await sim.step_market(40)
    await wait_for(lambda: len(series) > 0, what="a candle from live trades")
    assert series.candles[-1].high >= series.candles[-1].low > 0


async def test_interlock_opens_with_fresh_data_and_closes_when_it_ages(
    session: Session, sim: SimExchange
) -> None:
    await connected(session)
    await sim.step_market(5)
    await wait_for(lambda: evaluate(session.feed_facts(SYMBOL), 5.0).open, what="fresh data")
    gate = evaluate(session.feed_facts(SYMBOL), 0.0)  # any age is too old at 0 s
    assert not gate.open and "stale" in gate.reason
