"""Subscription leases (core.market_data) against the running exchange over loopback: the
first lease subscribes a symbol's topics, the last release unsubscribes them on the wire (the
exchange forgets them and stops sending), two holders keep a symbol alive until both let go,
a grace period spares quick flicks, and a lease taken again gets a fresh live book."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from kcterm.core.session import Session
from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import StreamState
from kcterm.venue.kucoin.stream_group import StreamGroup
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"
OTHER = "ETHUSDTM"
TOPICS_PER_SYMBOL = 5  # level2, tickerV2, execution, instrument, snapshot


@pytest.fixture
async def market_sim() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=True, seed=11, tick_interval=0.05))
    await exchange.start()
    yield exchange
    await exchange.stop()


@pytest.fixture
async def session(market_sim: SimExchange) -> AsyncIterator[Session]:
    live = kucoin_session(
        RestClient(market_sim.base_url, credentials_for(market_sim)), venue="sim", lease_grace_s=0
    )
    await live.start([SYMBOL])
    await wait_for(
        lambda: (
            live.adapter.public.state is StreamState.CONNECTED
            and live.market_data.books[SYMBOL].is_live
        ),
        what="the public stream and the first book",
    )
    yield live
    await live.stop()


WATCHLIST_TOPIC = "/contractMarket/ticker:"  # one batch topic for many symbols: not leased


def exchange_topics(sim: SimExchange, symbol: str) -> set[str]:
    """What the exchange itself has subscribed for `symbol` (leased topics), on every
    connection."""
    return {
        t
        for conn in sim.hub.connections
        for t in conn.topics
        if t.endswith(f":{symbol}") and not t.startswith(WATCHLIST_TOPIC)
    }


def client_topics(session: Session, symbol: str) -> list[str]:
    return [
        t
        for s in session.adapter.public.streams
        for t in s.topics
        if t.rsplit(":", 1)[-1] == symbol and not t.startswith(WATCHLIST_TOPIC)
    ]


async def live_book_of(session: Session, symbol: str) -> None:
    await wait_for(
        lambda: symbol in session.market_data.books and session.market_data.books[symbol].is_live,
        what=f"a live {symbol} book",
    )


async def test_a_lease_subscribes_and_the_last_release_unsubscribes_on_the_wire(
    session: Session, market_sim: SimExchange, caplog: pytest.LogCaptureFixture
) -> None:
    market = session.market_data
    assert OTHER not in session.market_data.books and client_topics(session, OTHER) == []
    lease = market.lease(OTHER, "test")
    await live_book_of(session, OTHER)
    assert len(client_topics(session, OTHER)) == TOPICS_PER_SYMBOL
    await wait_for(
        lambda: len(exchange_topics(market_sim, OTHER)) == TOPICS_PER_SYMBOL,
        what="the exchange to hold the five topics",
    )
    lease.release()
    lease.release()  # twice is harmless
    assert client_topics(session, OTHER) == [] and market.topics(OTHER) == []
    assert OTHER not in session.market_data.books and OTHER not in session.market_data.tapes
    assert OTHER not in session.market_data.tickers and OTHER not in session.market_data.feeds
    await wait_for(lambda: not exchange_topics(market_sim, OTHER), what="the unsubscribe")
    # From now on the exchange sends no frame of that symbol, while the other keeps moving.
    with caplog.at_level(logging.DEBUG, "kcterm.venue.kucoin.stream"):
        caplog.clear()
        version = session.market_data.books[SYMBOL].version
        await wait_for(
            lambda: session.market_data.books[SYMBOL].version > version + 20,
            what="the XBT book moving",
        )
    assert not [r for r in caplog.records if OTHER in r.getMessage()]
    assert exchange_topics(market_sim, SYMBOL)  # the session's own symbol is untouched


async def test_two_holders_keep_a_symbol_until_both_release(
    session: Session, market_sim: SimExchange
) -> None:
    market = session.market_data
    first = market.lease(OTHER, "window")
    with market.lease(OTHER, "chart"):
        await live_book_of(session, OTHER)
        book = session.market_data.books[OTHER]
        first.release()
        assert market.holders(OTHER) == ["chart"]
        assert session.market_data.books[OTHER] is book and len(client_topics(session, OTHER)) == 5
        version = book.version
        await wait_for(lambda: book.version > version, what="the book still moving")
    assert market.holders(OTHER) == [] and OTHER not in session.market_data.books
    await wait_for(lambda: not exchange_topics(market_sim, OTHER), what="the unsubscribe")
    assert market.subscribes - market.unsubscribes == 1  # only the session's own symbol


async def test_the_grace_period_spares_a_quick_flick_back(
    session: Session, market_sim: SimExchange
) -> None:
    market = session.market_data
    market.grace_s = 0.5
    lease = market.lease(OTHER, "window")
    await live_book_of(session, OTHER)
    book, subscribes = session.market_data.books[OTHER], market.subscribes
    lease.release()
    assert session.market_data.books.get(OTHER) is book  # held through the grace period ...
    again = market.lease(OTHER, "window")  # ... so coming back costs nothing
    assert session.market_data.books[OTHER] is book and market.subscribes == subscribes
    again.release()
    await wait_for(lambda: OTHER not in session.market_data.books, 5, "the grace period to end")
    assert client_topics(session, OTHER) == []
    await wait_for(lambda: not exchange_topics(market_sim, OTHER), what="the unsubscribe")


async def test_a_lease_after_the_release_gets_a_fresh_live_book_and_candles_go_with_it(
    session: Session,
) -> None:
    market = session.market_data
    lease = market.lease(OTHER, "chart")
    await live_book_of(session, OTHER)
    old = session.market_data.books[OTHER]
    series = await market.load_candles(OTHER, 1)
    assert (OTHER, 1) in session.market_data.candles and series.source
    lease.release()
    assert (OTHER, 1) not in session.market_data.candles  # the series went with the last lease
    with market.lease(OTHER, "chart"):
        await live_book_of(session, OTHER)
        fresh = session.market_data.books[OTHER]
        assert fresh is not old and fresh.best_bid() is not None
        sequence = fresh.sequence
        await wait_for(lambda: fresh.sequence > sequence, what="the fresh book moving")
        assert len(client_topics(session, OTHER)) == TOPICS_PER_SYMBOL


async def test_an_unknown_symbol_cannot_be_leased(session: Session) -> None:
    with pytest.raises(KeyError):
        session.market_data.lease("NOSUCHUSDTM", "test")


async def test_an_extra_connection_left_without_topics_is_closed(market_sim: SimExchange) -> None:
    """Topics beyond one connection's cap open another; once its last topic is unsubscribed,
    that connection is closed on both sides, and a new topic reuses the freed slots."""
    rest = RestClient(market_sim.base_url, credentials_for(market_sim))
    group = StreamGroup(rest.bullet_public, name="public", max_topics=5)
    symbols = ["XBTUSDTM", "ETHUSDTM", "SOLUSDTM", "ADAUSDTM", "DOGEUSDTM", "XRPUSDTM"]
    frames: list[dict] = []
    for symbol in symbols:
        group.subscribe(f"/contractMarket/level2:{symbol}", frames.append)
    run = asyncio.ensure_future(group.run())
    try:
        await wait_for(
            lambda: (
                len(group.streams) == 2
                and all(s.state is StreamState.CONNECTED for s in group.streams)
            ),
            what="two connected links",
        )
        public = lambda: [c for c in market_sim.hub.connections if c.user_id is None]  # noqa: E731
        await wait_for(lambda: len(public()) == 2, what="two connections on the exchange")
        group.unsubscribe(f"/contractMarket/level2:{symbols[-1]}")
        assert len(group.streams) == 1 and group.streams[0].topic_count() == 5
        await wait_for(lambda: len(public()) == 1, what="the empty link closed")
        group.unsubscribe(f"/contractMarket/level2:{symbols[0]}")
        group.subscribe(f"/contractMarket/level2:{symbols[-1]}", frames.append)
        assert len(group.streams) == 1 and group.streams[0].topic_count() == 5
        await wait_for(
            lambda: f"/contractMarket/level2:{symbols[-1]}" in public()[0].topics,
            what="the topic back on the first link",
        )
    finally:
        await group.close()
        await run
        await rest.close()
