"""Benchmarks of the desk's hot paths in a fast market. Prints figures, asserts no timings.

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_ui_models.py
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

import pytest

from kcterm.core.book import LevelTwoBook
from kcterm.core.candles import CandleSeries
from kcterm.core.contract import Contract
from kcterm.core.market import TradeTape
from kcterm.ui.book_model import BookModel
from kcterm.ui.candle_item import CandleItem, bar_of
from kcterm.ui.tape_model import TapeModel
from kcterm.venue.kucoin import market_events as parse
from tests.unit.kucoin_book import increment, load_snapshot

pytestmark = pytest.mark.perf

CONTRACT = Contract(
    "XBTUSDTM", "XBT", "USDT", "USDT", Decimal("0.1"), 1, Decimal("0.001"), 1_000_000,
    Decimal("1000000"), 125, Decimal("0.0002"), Decimal("0.0006"),
)  # fmt: skip


def test_ladder_frame_cost_and_cells_signalled(qapp) -> None:
    rng = random.Random(3)
    book = LevelTwoBook("XBTUSDTM")
    mid = 90000.0
    bids = [[round(mid - 0.1 * i, 1), rng.randint(1, 500)] for i in range(1, 400)]
    asks = [[round(mid + 0.1 * i, 1), rng.randint(1, 500)] for i in range(1, 400)]
    load_snapshot(book, {"sequence": 1, "bids": bids, "asks": asks})
    model = BookModel(depth=25)
    model.update_from(book, CONTRACT)
    seq, frames, per_frame = 1, 300, 170  # ~5,000 messages/s at 30 frames/s
    for multiple in (1, 10):
        signalled = model.cells_signalled
        start = time.perf_counter()
        for _ in range(frames):
            for _ in range(per_frame):
                seq += 1
                offset = rng.randint(1, 399)
                side = "buy" if rng.random() < 0.5 else "sell"
                price = mid - 0.1 * offset if side == "buy" else mid + 0.1 * offset
                increment(book, seq, f"{price:.1f},{side},{rng.randint(0, 500)}")
            model.update_from(book, CONTRACT, multiple)
        elapsed = time.perf_counter() - start
        cells = (model.cells_signalled - signalled) / frames
        print(
            f"\nladder x{multiple}: {frames} frames of {per_frame} increments in {elapsed:.2f} s"
            f" ({elapsed / frames * 1000:.2f} ms/frame incl. book);"
            f" {cells:.0f} of {model.rowCount() * 4} cells signalled per frame"
        )
        assert book.is_live


def test_tape_inserts_instead_of_resetting(qapp) -> None:
    tape = TradeTape(maxlen=200)
    model = TapeModel()
    rng = random.Random(4)
    start = time.perf_counter()
    for frame in range(1000):
        for i in range(10):
            n = frame * 10 + i
            tape.on_trade(parse.trade(
                {"price": f"{90000 + rng.randint(-50, 50) / 10:.1f}", "size": rng.randint(1, 50),
                 "side": rng.choice(("buy", "sell")), "ts": n * 1_000_000, "tradeId": str(n)}
            ))  # fmt: skip
        model.set_trades(list(tape.trades), CONTRACT)
    elapsed = time.perf_counter() - start
    print(
        f"\ntape: 1,000 frames of 10 trades in {elapsed:.2f} s "
        f"({elapsed:.3f} ms/frame); model resets: {model.resets}"
    )
    assert model.rowCount() == 200


def test_chart_appends_instead_of_redrawing(qapp) -> None:
    series = CandleSeries("XBTUSDTM", 1)
    item = CandleItem()
    rng = random.Random(5)
    price = 90000.0
    for minute in range(1500):
        price += rng.gauss(0, 10)
        series.on_trade(Decimal(f"{price:.1f}"), 1, minute * 60_000_000_000)
    item.set_bars([bar_of(c) for c in series.candles], 60.0)
    start = time.perf_counter()
    trades = 0
    for minute in range(1500, 1560):
        for second in range(0, 60, 2):
            price += rng.gauss(0, 3)
            series.on_trade(Decimal(f"{price:.1f}"), 1, (minute * 60 + second) * 1_000_000_000)
            trades += 1
            drawn = len(item.bars())
            if len(series) > drawn:
                closed = [bar_of(c) for c in series.candles[drawn - 1 : -1]]
                item.append(closed, bar_of(series.candles[-1]))
            else:
                item.set_last(bar_of(series.candles[-1]))
    elapsed = time.perf_counter() - start
    print(
        f"\nchart: {trades:,} live trades over 60 new candles in {elapsed * 1000:.1f} ms "
        f"({elapsed / trades * 1e6:.1f} µs a trade)"
    )
    assert len(item.bars()) == len(series)
