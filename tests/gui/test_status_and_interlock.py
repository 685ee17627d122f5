"""Status bar details, and the stale-feed interlock that disables trading when the feed stops."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from PySide6.QtCore import QSettings, Qt

from kcterm.core.interlock import FeedFacts
from kcterm.core.session import Session
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, dispose, open_session, trading_ready, until
from tests.gui.far_prices import resting_bid


async def test_status_bar_shows_venue_streams_rtt_clock_rate_and_feed_age(
    qtbot, settings: QSettings
) -> None:
    fast_pings = EmbeddedExchange(
        SimConfig(port=0, seed=5, tick_interval=0.05, ping_interval_ms=200)
    )
    fast_pings.start()
    session = await open_session(fast_pings)
    window = MainWindow(session, SYMBOL, settings=settings)
    window.show()
    status = window.status
    try:
        assert status.venue_badge.text() == "SIM"
        assert status.venue_badge.objectName() == "venueBadgeSim"
        await until(
            lambda: "public connected" in status.streams_label.text(), 10, "public connected"
        )
        await until(
            lambda: "private connected" in status.streams_label.text(), 10, "private connected"
        )
        assert re.fullmatch(r"clock [+-]\d+ ms", status.clock_label.text())
        await until(
            lambda: re.fullmatch(r"rtt \d+ / \d+ ms", status.rtt_label.text()), 5, "both rtts"
        )
        await until(
            lambda: re.fullmatch(r"feed +\d+\.\d s", status.feed_label.text()), 5, "feed age"
        )
        limit = session.adapter.rest.last_rate_limit
        assert limit is not None, "the exchange sends gw-ratelimit-* headers"
        await until(
            lambda: re.fullmatch(r"rate \d+/\d+ \(\d+ s\)", status.rate_label.text()), 5, "rate"
        )
        assert status.rate_label.text().split()[1].endswith(f"/{limit.limit}")
    finally:
        await session.stop()
        dispose(window)
        fast_pings.stop()


@pytest.fixture
def quiet_exchange() -> Iterator[EmbeddedExchange]:
    """A market that moves only when the test steps it: silence is a stale feed."""
    embedded = EmbeddedExchange(
        SimConfig(port=0, seed=5, market=False), in_process=True
    )  # in this process: the test steps its market
    embedded.start()
    yield embedded
    embedded.stop()


def step(exchange: EmbeddedExchange, steps: int = 5) -> None:
    exchange.call(lambda: exchange.exchange.step_market(steps))


@asynccontextmanager
async def trading_on_a_quiet_market(
    exchange: EmbeddedExchange, settings: QSettings
) -> AsyncIterator[tuple[Session, MainWindow]]:
    """A window whose data goes stale 0.6 s after the last market message, trading open on
    one market step; the exchange makes no step of its own."""
    session = await open_session(exchange)
    window = MainWindow(session, SYMBOL, settings=settings, stale_after=0.6)
    window.show()
    try:
        await until(lambda: session.market_data.books[SYMBOL].is_live, 10, "the book snapshot")
        step(exchange)
        await trading_ready(window)
        yield session, window
    finally:
        await session.stop()
        dispose(window)


async def test_the_interlock_disables_trading_when_the_feed_stops(
    qtbot, quiet_exchange: EmbeddedExchange, settings: QSettings
) -> None:
    async with trading_on_a_quiet_market(quiet_exchange, settings) as (session, window):
        ticket = window.ticket
        assert ticket.buy_button.isEnabled() and ticket.sell_button.isEnabled()
        assert window.book.one_click.isEnabled()
        # The exchange goes quiet: no market message for longer than stale_after.
        await until(lambda: not ticket.buy_button.isEnabled(), 5, "trading to be disabled")
        assert not ticket.sell_button.isEnabled() and not window.book.one_click.isEnabled()
        assert "stale" in ticket.gate_label.text() and ticket.gate_label.isVisibleTo(ticket)
        assert "stale" in window.status.gate_label.text()
        assert window.open_orders.cancel_all_button.isEnabled()  # cancelling stays possible
        assert not window.trade_at_best("buy") and "stale" in ticket.error_label.text()
        qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
        assert len(session.trading.orders) == 0
        step(quiet_exchange)  # the market speaks again
        await until(lambda: ticket.buy_button.isEnabled(), 5, "trading to come back")
        assert ticket.gate_label.text() == ""


async def test_the_interlock_is_evaluated_when_an_input_moves_or_a_gate_can_close(
    qtbot, quiet_exchange: EmbeddedExchange, settings: QSettings
) -> None:
    """Not on every frame: while the gates are open and nothing they read moves, the next
    evaluation is when the data could first be stale; it then closes the gate at once."""
    async with trading_on_a_quiet_market(quiet_exchange, settings) as (session, window):
        window.frame_clock.stop()  # the frames are called here
        real = session.feed_facts
        read: list[str] = []

        def feed_facts(symbol: str) -> FeedFacts:
            read.append(symbol)
            return real(symbol)

        session.feed_facts = feed_facts  # type: ignore[method-assign]
        seen = session.market_data.market_seen
        before = seen[SYMBOL]
        step(quiet_exchange)
        await until(lambda: seen[SYMBOL] > before, 5, "a fresh market message")
        window.update_gates()
        assert window.gates[SYMBOL].open
        deadline = seen[SYMBOL] + 0.6
        read.clear()
        frames = 0
        while time.monotonic() < deadline - 0.2:  # the market is quiet: nothing moves
            window.update_gates()
            frames += 1
            await asyncio.sleep(0.005)
        assert frames > 10 and read == [] and window.gates[SYMBOL].open
        await asyncio.sleep(max(0.0, deadline - time.monotonic()) + 0.05)
        window.update_gates()  # the first frame after the data went stale closes the gate
        assert not window.gates[SYMBOL].open and "stale" in window.gates[SYMBOL].reason
        assert not window.ticket.buy_button.isEnabled()
        read.clear()
        window.update_gates()
        window.update_gates()  # a closed gate is evaluated on every frame (its age counts)
        assert read == [SYMBOL, SYMBOL]
        step(quiet_exchange)  # the market speaks again: open on the next frame
        await until(lambda: seen[SYMBOL] > deadline, 5, "a new message")
        window.update_gates()
        assert window.gates[SYMBOL].open and window.ticket.buy_button.isEnabled()
        await session.adapter.public.close()  # an input moved: closed on the next frame
        read.clear()
        window.update_gates()
        assert read and not window.gates[SYMBOL].open
        assert "Market feed closed" in window.gates[SYMBOL].reason


async def test_an_order_sent_before_the_next_frame_still_meets_the_interlock(
    qtbot, quiet_exchange: EmbeddedExchange, settings: QSettings
) -> None:
    """A quiet market rests the frame clock (a tick every quarter second): the feed can go
    stale between two ticks, with Buy still enabled. The click is checked against the
    interlock as of that moment, not as of the last frame."""
    async with trading_on_a_quiet_market(quiet_exchange, settings) as (session, window):
        ticket = window.ticket
        seen = session.market_data.market_seen
        before = seen[SYMBOL]
        step(quiet_exchange)
        await until(lambda: seen[SYMBOL] > before, 5, "a fresh market message")
        await until(lambda: window.gates[SYMBOL].open, 5, "the gate open on it")
        window.frame_clock.stop()  # no frame from here on: only the clicks evaluate it
        await asyncio.sleep(max(0.0, seen[SYMBOL] + 0.6 - time.monotonic()) + 0.05)
        assert ticket.buy_button.isEnabled()  # as the last frame left it
        contract = session.contracts[SYMBOL]
        ticket.price_edit.setText(contract.format_price(resting_bid(session, SYMBOL)))
        ticket.size_edit.setText("1")  # a limit order that would rest, were it sent
        qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
        assert "stale" in ticket.error_label.text()
        assert not ticket.buy_button.isEnabled() and "stale" in ticket.gate_label.text()
        assert not window.trade_at_best("sell") and "stale" in ticket.error_label.text()
        await asyncio.sleep(0.2)
        assert len(session.trading.orders) == 0


async def test_the_interlock_reads_a_book_that_spoke_before_any_ticker(window: MainWindow) -> None:
    """At start the book's messages can come before any ticker or trade of the symbol: the
    interlock reads the book's own time (MarketData.seen_at), and so does its next check."""
    await trading_ready(window)
    window.frame_clock.stop()
    market = window.session.market_data
    market.market_seen.pop(SYMBOL, None)  # as at start: only the book has spoken
    assert market.seen_at(SYMBOL) is not None
    window.update_gates()  # an input moved (no ticker seen): evaluated, and it raised
    assert window.gates[SYMBOL].open
    assert window._gates_recheck_at > time.monotonic()


async def test_a_closed_market_stream_disables_trading_with_the_reason(window: MainWindow) -> None:
    await trading_ready(window)
    await window.session.adapter.public.close()
    await until(lambda: not window.ticket.buy_button.isEnabled(), 5, "trading to be disabled")
    assert "Market feed closed" in window.ticket.gate_label.text()
    assert "public closed" in window.status.streams_label.text()


async def test_the_streams_tooltip_keeps_why_a_link_dropped_after_it_is_back(
    window: MainWindow,
) -> None:
    await trading_ready(window)
    session = window.session
    status = window.status
    connections = session.adapter.public.connections
    # The exchange closes the market stream, as a venue restart does; the client is back
    # within milliseconds, long before a trader could hover over the status bar.
    await session.adapter.rest.request(
        "POST", "/sim/admin/drills", body={"dropConnections": "public"}, signed=True
    )
    await until(lambda: session.adapter.public.connections > connections, 10, "a reconnect")
    await until(lambda: "public connected" in status.streams_label.text(), 10, "connected again")
    await until(lambda: "recent:" in status.streams_label.toolTip(), 5, "the recent reports")
    tip = status.streams_label.toolTip()
    recent = tip.split("recent:", 1)[1]
    # Newest first, each with its time: the drop and its reason are there though the state
    # line above says connected.
    assert re.search(r"\d\d:\d\d:\d\d public reconnecting: .*retry in", recent), tip
    assert recent.index("public connected") < recent.index("public reconnecting"), tip
