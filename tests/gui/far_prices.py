"""Prices the GUI tests' running market cannot reach while a test runs.

The GUI tests' exchange steps its market every 50 ms (four times the practice pace) and its
regimes trend: in a 90 s sample XBTUSDTM fell up to 4,000 ticks (0.45 %) within 15 s, and a
buy 80 ticks under the bid was filled within 3 s in 22 of 25 tries. Where a test's exchange
stands on its seeded path depends on how long its process ran before the test (the next
test's exchange is launched during this one; after a module with an exchange of its own it
has waited longer), so a price "a few hundred ticks away" rests in one run and fills in
another: the intermittent failures of issue 10 and of the order-edit tests (issue 13).
An order meant to rest sits a tenth away from the touch; a TP/SL meant not to trigger sits a
few percent from the mark.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from kcterm.core.session import Session

RESTING_SHARE = Decimal("0.1")  # a resting order: this share of the price from the touch


def on_tick(price: Decimal, tick: Decimal, rounding: str = ROUND_FLOOR) -> Decimal:
    return (price / tick).to_integral_value(rounding) * tick


def resting_bid(session: Session, symbol: str, share: Decimal = RESTING_SHARE) -> Decimal:
    """A buy price `share` under the best bid, on the tick: the order rests all test long."""
    book = session.market_data.books[symbol]
    best = book.best_bid()
    assert best is not None, f"{symbol} has no bid yet"
    return on_tick(best[0] * (1 - share), session.contracts[symbol].tick_size)


def from_mark(session: Session, symbol: str, percent: Decimal | int | str) -> Decimal:
    """The mark moved by `percent` (negative: under it), on the tick away from the mark."""
    mark = session.trading.market_context(symbol).mark
    assert mark is not None, f"{symbol} has no mark price yet"
    shift = Decimal(percent) / 100
    rounding = ROUND_CEILING if shift > 0 else ROUND_FLOOR
    return on_tick(mark * (1 + shift), session.contracts[symbol].tick_size, rounding)
