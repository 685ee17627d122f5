"""Level-2 book benchmark (issue 14, "Book" and the book part of "Scale"): `kcterm bench
--only book` (`run`), and tests/perf/test_book_level2_figures.py (`book_figures`, `table`).
One module holding the recorder, the contenders and the measurement.

The recording: real level2 frames of one symbol captured from a running kcterm-sim over its
real WebSocket (`/contractMarket/level2:SYMBOL`) in a fast market (tick 0.5 ms, churn 12),
with the REST snapshot taken after the subscription, so the replay starts from a book the
frames follow on from. It lives in a cache directory (never in git: `KCTERM_BENCH_DIR`, by
default `$TMPDIR/kcterm-bench`) and is recorded when absent. File format: the first line is
the snapshot's JSON (`data` of GET /api/v1/level2/snapshot), every further line one frame as
it arrived (orjson never writes a newline inside a document).

The contenders, each fed the same frames (`str`, as the WebSocket hands them over), in one
process, in interleaved rounds (A B C D, A B C D, ...), medians with min..max:

- `orjson.loads` alone: the floor, every frame parsed and dropped.
- the plain-dict reference book: `orjson.loads(frame)`, `data = frame["data"]`, split
  `data["change"]` on ",", then `bids`/`asks[price_text] = int(size)` (or pop on "0"). Prices
  stay the venue's text: it converts nothing it is not asked for, checks nothing (no sequence,
  no tick, no crossing, no topic routing). Top-10 only when asked: `heapq.nlargest` /
  `nsmallest(10, side.items(), key=float(price))`; asked once per `TOP_EVERY` frames, as a
  window repainting at 30 fps asks a book fed ~10k changes/s (and once at the end, where its
  top-10 must equal ours, compared as Decimals).
- the same plain dicts keyed by `Decimal(price_text)`: exact numbers, as a book that keeps
  money exact must have them (the reference of the older test_book_throughput, and by its
  ratio to the floor, 0.32x, the one issue 14's table quotes: 594k vs 1.83M). Top-10 by
  heapq on the Decimals.
- kcterm, full path, built as the app builds it (`app_market`): KucoinVenue.open, core's
  MarketData on its market source, the symbol leased; each frame goes to the public
  stream's own frame router (venue.kucoin.frames.FrameRouter: orjson.loads, dispatch by
  type and topic) -> the level2 handler market_source subscribed (market_events reads the
  frame) -> the book MarketData made, through venue.market.BookChanges.change (the feed's
  freshness stamped: the symbol's last message, the feed watch's cadence; then sequence,
  tick and crossing checked and applied), top-10 read as the reference reads it. The book
  has the contract's tick (0.1). Left out: WsStream.handle_frame's one-line forwarding to
  the router and the websocket read itself (the transport).
- kcterm, parse only: the same router and handler, the change dropped (where the time goes).

Depth table: a synthetic book of N levels a side (50, 500, 5,000) in the same frame format,
changes spread over the whole depth; time per frame of the text-key reference and of our full
path, and our book's apply alone (deltas parsed beforehand).

Times are CPU time of the measuring thread (time.thread_time): the machine is shared, and a
wall clock would count other processes' turns as ours.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import orjson

# The contenders that read KuCoin's wire themselves, and the recorder, live in the adapter's
# folder (they read its fields and paths: tests/unit/test_venue_boundary.py).
from kcterm.venue.kucoin.level2_floor import (
    TOP_EVERY,
    TOP_N,
    record_level2,
    run_floor,
    run_reference,
    run_reference_decimal,
)

SYMBOL = "XBTUSDTM"
TICK = Decimal("0.1")


class Row(NamedTuple):
    """One figure: what, how much, in which unit, and its ratio to the contender `against`
    names (None: a figure with no contender; for times, the contender's time over ours, so
    above 1 is always faster than the contender). `detail`: min..max and what was run."""

    name: str
    value: float
    unit: str
    ratio: float | None = None
    against: str = ""
    detail: str = ""


# -- the recording -----------------------------------------------------------------------------


def bench_dir() -> Path:
    path = Path(os.environ.get("KCTERM_BENCH_DIR") or Path(tempfile.gettempdir()) / "kcterm-bench")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Recording:
    snapshot: dict[str, Any]
    frames: list[str]


def recording_path(frames: int, symbol: str = SYMBOL) -> Path:
    return bench_dir() / f"level2-{symbol}-{frames}.jsonl"


def record(frames: int = 200_000, symbol: str = SYMBOL, path: Path | None = None) -> Path:
    """Capture `frames` level2 frames of `symbol` from a fast-market kcterm-sim (a child
    process, as the app runs it) into `path` (default: the cache). Returns the path."""
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim import SimConfig

    path = path or recording_path(frames, symbol)
    exchange = EmbeddedExchange(
        SimConfig(port=0, seed=14, tick_interval=0.0005, churn=12, contracts=(symbol,))
    )
    exchange.start()
    try:
        # A few hundred frames beyond the count: those at or below the snapshot are dropped.
        snapshot, got = asyncio.run(record_level2(exchange.base_url, symbol, frames + 2000))
        rec = Recording(snapshot, got)
    finally:
        exchange.stop()
    if len(rec.frames) < frames:
        raise RuntimeError(f"recorder: {len(rec.frames)} frames after the snapshot, not {frames}")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(orjson.dumps(rec.snapshot).decode() + "\n")
        for frame in rec.frames[:frames]:
            out.write(frame + "\n")
    tmp.replace(path)
    return path


def load_recording(frames: int = 200_000, symbol: str = SYMBOL) -> Recording:
    """The cached recording of that many frames, recorded first when absent."""
    path = recording_path(frames, symbol)
    if not path.exists():
        record(frames, symbol, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    return Recording(orjson.loads(lines[0]), lines[1:])


# -- the contenders ----------------------------------------------------------------------------


class _DropBook:
    """A BookChanges that keeps nothing: the parse alone."""

    def change(self, sequence: int, side: Any, price: Any, size: int, ts_ns: int) -> None:
        pass

    def lost(self, problem: str) -> None:
        raise AssertionError(problem)


def _drop_coroutine(coro: Any) -> None:
    coro.close()  # the market's REST work (first ticker, tape backfill): not measured


def app_market(snapshot: dict[str, Any], symbol: str = SYMBOL) -> tuple[Any, Any]:
    """The app's level2 path, built as the app builds it: KucoinVenue.open on a RestClient
    (never asked anything here), core's MarketData on its market source, `symbol` leased
    (which subscribes it: the adapter's level2 handler on the public stream's frame router,
    calling the BookFeed MarketData made for it), the book loaded from `snapshot`.
    Returns (the stream's frame router, the market data)."""
    from kcterm.core.contract import Contract
    from kcterm.core.journal import Journal
    from kcterm.core.market_data import MarketData
    from kcterm.venue.kucoin import market_events as parse
    from kcterm.venue.kucoin.rest import RestClient
    from kcterm.venue.kucoin.venue import KucoinVenue

    venue = KucoinVenue.open(RestClient("http://127.0.0.1:9"))
    spec = parse.contract_spec({"symbol": symbol, "tickSize": str(TICK), "multiplier": 0.001})
    market = MarketData(
        venue.market,
        {symbol: Contract.from_spec(spec)},
        Journal(),
        notify=lambda kind, text: None,
        spawn=_drop_coroutine,  # type: ignore[arg-type]
        is_connected=lambda: False,
        grace_s=0,
    )
    market.lease(symbol, "bench")
    book = market.books[symbol]
    if book.apply_snapshot(parse.book_snapshot(symbol, snapshot)):
        raise AssertionError(book.last_problem)
    topic = "/contractMarket/level2:" + symbol
    stream = next(s for s in venue.public.streams if s.has_topic(topic))
    return stream._router, market


def kcterm_book(snapshot: dict[str, Any], symbol: str = SYMBOL) -> Any:
    from kcterm.core.book import LevelTwoBook
    from kcterm.venue.kucoin.market_events import book_snapshot

    book = LevelTwoBook(symbol, tick_size=TICK)
    assert not book.apply_snapshot(book_snapshot(symbol, snapshot))
    return book


def run_kcterm(snapshot: dict[str, Any], frames: list[str]) -> tuple[float, Any]:
    router, market = app_market(snapshot)
    book = market.books[SYMBOL]
    handle = router.handle_frame
    bids, asks = book.bids, book.asks
    every = TOP_EVERY
    start = time.thread_time()
    for i, raw in enumerate(frames):
        handle(raw)
        if not i % every:
            bids(TOP_N)
            asks(TOP_N)
    result = bids(TOP_N), asks(TOP_N)
    elapsed = time.thread_time() - start
    if not book.is_live or book.resyncs or market.resyncing:
        raise AssertionError(f"kcterm's book resynced on the recording: {book.last_problem}")
    if market.feeds[SYMBOL].messages != len(frames):
        raise AssertionError("the feed watch did not see every frame")
    return elapsed, result


def run_kcterm_parse(snapshot: dict[str, Any], frames: list[str]) -> tuple[float, Any]:
    from kcterm.venue.kucoin.frames import FrameRouter
    from kcterm.venue.kucoin.market_source import LEVEL2, _level2_handler

    router = FrameRouter("bench", report=print)
    router.handlers[LEVEL2 + SYMBOL] = _level2_handler(SYMBOL, _DropBook())
    handle = router.handle_frame
    start = time.thread_time()
    for raw in frames:
        handle(raw)
    return time.thread_time() - start, None


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    rates: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.rates)

    def spread(self, unit: str = "frames/s") -> str:
        low, high = min(self.rates), max(self.rates)
        return f"median {self.median:,.0f} {unit} (min {low:,.0f} .. max {high:,.0f})"


Contender = Callable[[dict[str, Any], list[str]], tuple[float, Any]]


def interleaved(
    contenders: dict[str, Contender], snapshot: dict[str, Any], frames: list[str], rounds: int
) -> tuple[dict[str, Timing], dict[str, Any]]:
    """Each contender once per round, in the same order every round; rates in frames/s."""
    timings = {name: Timing(name, []) for name in contenders}
    results: dict[str, Any] = {}
    for _ in range(rounds):
        for name, run in contenders.items():
            gc.collect()
            elapsed, result = run(snapshot, frames)
            timings[name].rates.append(len(frames) / elapsed)
            results[name] = result
    return timings, results


def compare_tops(ours: Any, reference: Any) -> None:
    if tuple(list(side) for side in ours) != tuple(reference):
        raise AssertionError(f"top-{TOP_N} differs:\n ours {ours}\n reference {reference}")


# -- the depth table ----------------------------------------------------------------------------


def synthetic(depth: int, frames: int, seed: int = 1) -> Recording:
    """A book of `depth` levels a side (tick 0.1 around 50,000) and `frames` level2 frames in
    the exchange's own format: changes spread evenly over the whole depth, a third each
    resizing, removing and (re)adding a level, so the depth stays near `depth`."""
    rng = random.Random(seed)
    tick = 0.1
    mid = 500_000  # in ticks
    bids = {mid - 1 - i: rng.randint(1, 500) for i in range(depth)}
    asks = {mid + 1 + i: rng.randint(1, 500) for i in range(depth)}
    snapshot = {
        "sequence": 1,
        "bids": [[round(t * tick, 1), s] for t, s in sorted(bids.items(), reverse=True)],
        "asks": [[round(t * tick, 1), s] for t, s in sorted(asks.items())],
    }
    out: list[str] = []
    topic = f"/contractMarket/level2:{SYMBOL}"
    span = depth + depth // 2  # a little beyond the depth: removed levels come back
    for seq in range(2, frames + 2):
        side = "buy" if rng.random() < 0.5 else "sell"
        levels = bids if side == "buy" else asks
        ticks = mid - 1 - rng.randrange(span) if side == "buy" else mid + 1 + rng.randrange(span)
        if ticks in levels and rng.random() < 0.5:
            size = 0
            del levels[ticks]
        else:
            size = levels[ticks] = rng.randint(1, 500)
        change = f"{ticks * tick:.1f},{side},{size}"
        out.append(
            orjson.dumps(
                {
                    "topic": topic,
                    "type": "message",
                    "subject": "level2",
                    "sn": seq,
                    "data": {"sequence": seq, "change": change, "timestamp": 1_700_000_000_000},
                }
            ).decode()
        )
    return Recording(snapshot, out)


def run_apply_only(snapshot: dict[str, Any], frames: list[str]) -> tuple[float, Any]:
    """The book alone: the frames parsed beforehand (not timed), their deltas applied."""
    from kcterm.venue.kucoin.market_events import level2_frame

    deltas = [level2_frame(SYMBOL, orjson.loads(raw)) for raw in frames]
    book = kcterm_book(snapshot)
    on_delta = book.on_delta
    start = time.thread_time()
    for delta in deltas:
        on_delta(delta)
    elapsed = time.thread_time() - start
    if not book.is_live:
        raise AssertionError(book.last_problem)
    return elapsed, (book.bids(TOP_N), book.asks(TOP_N))


DEPTHS = (50, 500, 5000)


def depth_rows(frames: int = 50_000, rounds: int = 3) -> list[Row]:
    rows: list[Row] = []
    for depth in DEPTHS:
        rec = synthetic(depth, frames)
        contenders: dict[str, Contender] = {
            "reference": run_reference,
            "kcterm": run_kcterm,
            "apply": run_apply_only,
        }
        timings, results = interleaved(contenders, rec.snapshot, rec.frames, rounds)
        compare_tops(results["kcterm"], results["reference"])
        compare_tops(results["apply"], results["reference"])
        ref_ns = 1e9 / timings["reference"].median
        for name, label in (
            ("reference", "plain-dict reference"),
            ("kcterm", "kcterm full path"),
            ("apply", "kcterm book apply only"),
        ):
            t = timings[name]
            ns = 1e9 / t.median
            rows.append(
                Row(
                    f"book depth {depth:>5,}: {label}",
                    ns,
                    "ns/frame",
                    ref_ns / ns if name == "kcterm" else None,
                    "plain-dict reference (same frames)" if name == "kcterm" else "",
                    f"min {1e9 / max(t.rates):,.0f} .. max {1e9 / min(t.rates):,.0f} ns; "
                    f"{len(rec.frames):,} frames x {rounds} rounds",
                )
            )
    return rows


# -- all figures -------------------------------------------------------------------------------


def recording_rows(frames: int = 200_000, rounds: int = 5) -> list[Row]:
    rec = load_recording(frames)
    contenders: dict[str, Contender] = {
        "floor": run_floor,
        "reference": run_reference,
        "reference_decimal": run_reference_decimal,
        "kcterm": run_kcterm,
        "parse": run_kcterm_parse,
    }
    timings, results = interleaved(contenders, rec.snapshot, rec.frames, rounds)
    compare_tops(results["kcterm"], results["reference"])
    compare_tops(results["kcterm"], results["reference_decimal"])
    floor = timings["floor"].median
    ref = timings["reference"].median
    what = f"{len(rec.frames):,} recorded frames x {rounds} interleaved rounds, CPU time"

    def row(name: str, label: str, against: str = "", to: float | None = None) -> Row:
        t = timings[name]
        return Row(
            label,
            t.median,
            "frames/s",
            t.median / to if to else None,
            against,
            f"{t.spread()}; {what}",
        )

    kcterm = timings["kcterm"].median
    return [
        row("floor", "book: orjson.loads alone (the floor)"),
        row("reference", "book: plain-dict reference, text keys", "the floor", floor),
        row("reference_decimal", "book: plain-dict reference, Decimal keys", "the floor", floor),
        row(
            "kcterm",
            "book: kcterm full path (frame -> router -> level2 handler -> book)",
            "text-key reference",
            ref,
        ),
        Row(
            "book: kcterm full path / floor",
            kcterm / floor,
            "x",
            kcterm / floor,
            "the floor",
            "goal >= 0.35",
        ),
        Row(
            "book: kcterm full path / Decimal-key reference",
            kcterm / timings["reference_decimal"].median,
            "x",
            kcterm / timings["reference_decimal"].median,
            "Decimal-key reference",
            "goal >= 1.0",
        ),
        row("parse", "book: kcterm frame -> router -> handler only (no book)", "the floor", floor),
    ]


def book_figures(frames: int = 200_000, rounds: int = 5, depth_frames: int = 50_000) -> list[Row]:
    """Every figure of this benchmark, for `kcterm bench`: the recording (recorded first when
    absent) and the depth table. Rows of (name, value, unit, ratio, against, detail)."""
    return recording_rows(frames, rounds) + depth_rows(depth_frames)


def run(options: Any) -> Any:
    """`kcterm bench --only book`: the full path against the Decimal-key reference and the
    orjson.loads floor, and the depth table (ns per frame at 50, 500, 5,000 levels a side)
    as rows and a plot. `--quick`: a synthetic book of 60 levels (no exchange started, a few
    thousand frames, one round) stands in for the recording, so it runs in seconds."""
    from kcterm.bench.harness import Figure, Plot, Result, Series
    from kcterm.bench.harness import Row as BenchRow

    quick = bool(options.quick)
    rounds = 1 if quick else options.rounds
    if quick:
        rec, what = synthetic(60, 5_000), "5,000 synthetic frames, 60 levels a side"
    else:
        rec, what = load_recording(200_000), "200,000 recorded kcterm-sim frames"
    contenders: dict[str, Contender] = {
        "floor": run_floor,
        "reference": run_reference,
        "reference_decimal": run_reference_decimal,
        "kcterm": run_kcterm,
        "parse": run_kcterm_parse,
    }
    timings, results = interleaved(contenders, rec.snapshot, rec.frames, rounds)
    compare_tops(results["kcterm"], results["reference"])
    compare_tops(results["kcterm"], results["reference_decimal"])
    fig = {name: Figure(tuple(t.rates)) for name, t in timings.items()}
    full = "level2 full path (frame -> router -> handler -> book), frames/s"
    rows = [
        BenchRow.compare(
            f"{full}, {what}",
            fig["kcterm"],
            "frames/s",
            "plain-dict book, Decimal keys",
            fig["reference_decimal"],
            goal=">= 1.0x",
            label="book / Decimal-key ref",
        ),
        BenchRow.compare(
            f"{full}, {what}",
            fig["kcterm"],
            "frames/s",
            "orjson.loads alone (the floor)",
            fig["floor"],
            goal=">= 0.35x",
            label="book / orjson floor",
        ),
        BenchRow.compare(
            f"{full}, {what}",
            fig["kcterm"],
            "frames/s",
            "plain-dict book, text keys, nothing checked",
            fig["reference"],
            label="book / text-key ref",
        ),
        BenchRow.compare(
            f"level2 frame -> router -> handler only (no book), {what}",
            fig["parse"],
            "frames/s",
            "orjson.loads alone (the floor)",
            fig["floor"],
            label="parse / orjson floor",
        ),
    ]
    depth_frames = 2_000 if quick else 50_000
    per_depth: dict[str, list[float]] = {"reference": [], "kcterm": [], "apply": []}
    for depth in DEPTHS:
        drec = synthetic(depth, depth_frames)
        dtimings, dresults = interleaved(
            {"reference": run_reference, "kcterm": run_kcterm, "apply": run_apply_only},
            drec.snapshot,
            drec.frames,
            rounds,
        )
        compare_tops(dresults["kcterm"], dresults["reference"])
        compare_tops(dresults["apply"], dresults["reference"])
        ns = {name: Figure(tuple(1e9 / r for r in t.rates)) for name, t in dtimings.items()}
        for name, values in per_depth.items():
            values.append(ns[name].median)
        rows.append(
            BenchRow.compare(
                f"level2 full path at {depth:,} levels a side ({depth_frames:,} frames)",
                ns["kcterm"],
                "ns/frame",
                "plain-dict book, text keys",
                ns["reference"],
                label=f"book depth {depth:,}",
            )
        )
    plot = Plot(
        "level-2 book: ns per frame by depth (median of rounds)",
        "levels a side",
        "ns/frame",
        (
            Series("plain-dict reference", (0, 1, 2), tuple(per_depth["reference"])),
            Series("kcterm full path", (0, 1, 2), tuple(per_depth["kcterm"])),
            Series("kcterm book apply only", (0, 1, 2), tuple(per_depth["apply"])),
        ),
        bars=tuple(f"{d:,}" for d in DEPTHS),
    )
    return Result(rows, [plot])


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| figure | value | ratio | against | detail |", "|---|---:|---:|---|---|"]
    for r in rows:
        value = f"{r.value:,.2f}" if r.unit == "x" else f"{r.value:,.0f} {r.unit}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}x"
        lines.append(f"| {r.name} | {value} | {ratio} | {r.against} | {r.detail} |")
    return "\n".join(lines)
