"""Margin mode and cross leverage through the session and the adapter's typed calls
(venue/kucoin/margin_calls.py), against the sim: a change is read back as the exchange keeps
it, and a refused one is notified, journaled and raised."""

from __future__ import annotations

import pytest

from kcterm.core.session import Session
from kcterm.venue.errors import VenueError
from tests.order_terms import market_order

pytestmark = pytest.mark.timeout(30)
SYMBOL = "XBTUSDTM"


async def test_margin_mode_and_cross_leverage_are_changed_and_read_back(session: Session) -> None:
    assert await session.account.load_margin_settings(SYMBOL) == (
        "ISOLATED",
        session.account.cross_leverage[SYMBOL],
    )
    await session.account.set_margin_mode(SYMBOL, "CROSS")
    await session.account.set_cross_leverage(SYMBOL, 7)
    session.account.margin_modes.clear()
    session.account.cross_leverage.clear()
    assert await session.account.load_margin_settings(SYMBOL) == ("CROSS", 7)
    assert any("Cross leverage change accepted" in e.text for e in session.journal.entries)


async def test_a_refused_margin_mode_change_is_journaled_and_raised(session: Session) -> None:
    await session.trading.gateway.place(market_order("open-it", SYMBOL, "buy", 1))
    with pytest.raises(VenueError):
        await session.account.set_margin_mode(SYMBOL, "CROSS")
    assert session.account.margin_modes.get(SYMBOL) != "CROSS"
    assert any("Margin mode change refused" in e.text for e in session.journal.entries)
