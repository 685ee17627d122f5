"""Switching the window's symbol leases the new symbol before it lets the old one go, and
leaves only the current symbol subscribed (plus, for a few seconds, the ones in their grace
period): nothing accumulates however many symbols the trader clicks through."""

from __future__ import annotations

from kcterm.ui.bracket_dialog import BracketDialog
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, until

WATCHLIST_TOPIC = "/contractMarket/ticker:"  # the watchlist's batch topic is not leased


def leased_topics(window: MainWindow) -> set[str]:
    public = window.session.adapter.public
    return {t for s in public.streams for t in s.topics if not t.startswith(WATCHLIST_TOPIC)}


async def switch(window: MainWindow, symbol: str) -> None:
    window.link.select(symbol)
    await until(lambda: window.book.symbol == symbol and window.chart.symbol == symbol, 5, symbol)


async def test_ten_symbol_switches_leave_only_the_current_symbol_subscribed(
    window: MainWindow,
) -> None:
    market = window.session.market_data
    market.grace_s = 0
    assert market.leased() == [SYMBOL] and set(market.holders(SYMBOL)) >= {"window", "chart"}
    symbols = [s for s in sorted(window.session.contracts) if s != SYMBOL]
    chosen = (symbols * 10)[:10]
    for symbol in chosen:
        await switch(window, symbol)
        assert market.leased() == [symbol]
    current = chosen[-1]
    assert {t.rsplit(":", 1)[1] for t in leased_topics(window)} == {current}
    assert len(leased_topics(window)) == 5
    assert list(window.session.market_data.books) == [current]
    await until(
        lambda: window.session.market_data.books[current].is_live, 10, "the current book live"
    )
    await until(
        lambda: window.book.model.prices[window.book.model.depth + 1] is not None, 5, "rows"
    )


async def test_within_the_grace_period_the_last_symbols_stay_then_go(window: MainWindow) -> None:
    market = window.session.market_data
    market.grace_s = 1.0
    others = [s for s in sorted(window.session.contracts) if s != SYMBOL][:2]
    for symbol in others:
        await switch(window, symbol)
    assert set(market.leased()) == {SYMBOL, *others}  # two of them in their grace period
    assert market.holders(SYMBOL) == [] and market.holders(others[0]) == []
    await until(lambda: market.leased() == [others[-1]], 5, "the grace periods to end")
    assert {t.rsplit(":", 1)[1] for t in leased_topics(window)} == {others[-1]}
    await switch(window, SYMBOL)  # back to the first: leased afresh, its book live again
    await until(
        lambda: window.session.market_data.books[SYMBOL].is_live, 10, "the first book live again"
    )


async def test_an_open_tp_sl_dialog_holds_its_symbol_until_it_closes(window: MainWindow) -> None:
    market = window.session.market_data
    market.grace_s = 0
    other = next(s for s in sorted(window.session.contracts) if s != SYMBOL)
    assert other not in market.leased()
    dialog = BracketDialog(window.session, other, parent=window)
    dialog.open()
    assert market.holders(other) == ["TP/SL dialog"]
    await until(
        lambda: window.session.market_data.books[other].is_live, 10, "the dialog's symbol live"
    )
    dialog.reject()
    assert other not in market.leased() and market.holders(other) == []
    dialog.deleteLater()
