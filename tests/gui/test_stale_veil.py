"""Stale panels (issue 10): a panel whose feed goes quiet is greyed with the age of its data, and
un-greyed when data flows again; against the running sim whose market the test steps."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings

from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from kcterm.ui.stale_veil import veil_docks
from kcterm.venue.stream_status import StreamState
from tests.gui.conftest import MAJORS, SYMBOL, dispose, open_session, until

MARKET = ("order_book", "trades", "ticker", "chart")


@pytest.fixture
def quiet_exchange() -> Iterator[EmbeddedExchange]:
    """A market that moves only when the test steps it: its silence is a stale feed."""
    embedded = EmbeddedExchange(
        SimConfig(port=0, seed=5, market=False, contracts=MAJORS), in_process=True
    )  # in this process: the test steps its market
    embedded.start()
    yield embedded
    embedded.stop()


def step(exchange: EmbeddedExchange, steps: int = 5) -> None:
    exchange.call(lambda: exchange.exchange.step_market(steps))


async def test_a_silent_feed_greys_the_market_panels_with_their_age_until_data_flows(
    qtbot, quiet_exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(quiet_exchange)
    window = MainWindow(session, SYMBOL, settings=settings, theme="dark")
    veils = veil_docks(window)
    window.show()
    try:
        assert set(veils) == {*MARKET, "positions", "watchlist"}
        await until(lambda: session.market_data.books[SYMBOL].is_live, 10, "the book snapshot")
        await until(
            lambda: session.adapter.private.state is StreamState.CONNECTED, 10, "the order feed"
        )
        step(quiet_exchange)
        await until(
            lambda: not veils["order_book"].greyed, 5, "fresh data to clear the book's veil"
        )
        assert not any(veils[name].greyed for name in MARKET)
        assert not veils["positions"].greyed  # the order feed is up
        # The exchange goes quiet: past the feed's stale limit every market panel is greyed.
        await until(lambda: all(veils[name].greyed for name in MARKET), 10, "the market veils")
        text = veils["order_book"].label.text()
        assert re.fullmatch(r"stale \d+ s", text), text
        seconds = int(text.split()[1])
        await until(
            lambda: int(veils["order_book"].label.text().split()[1]) > seconds,
            5,
            "the age to count up",
        )
        assert veils["order_book"].geometry() == window.book.rect()  # covers the panel
        assert not veils["positions"].greyed  # a quiet market says nothing of the order feed
        step(quiet_exchange)
        await until(lambda: not any(veils[name].greyed for name in MARKET), 5, "the veils to lift")
    finally:
        await session.stop()
        dispose(window)
