"""The bench's few parts: a row of figures, a plot, a registry of benchmarks, interleaved rounds
and their summary, and the Markdown table the command writes.

A benchmark is a function taking `Options` and returning a `Result` (rows and plots) or just a
list of rows. Each figure is measured beside its contender in the same run, in interleaved
rounds (A B, then B A ...: a machine shared with other work slows both alike), and reported as
the median with min..max; the ratio is kcterm's median over the contender's.
"""

from __future__ import annotations

import importlib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Options:
    rounds: int = 7  # interleaved rounds of each contender
    quick: bool = False  # a tiny workload: the command's own test, or a first look


@dataclass(frozen=True)
class Figure:
    """Samples of one measurement: median, min and max."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def spread(self, digits: int = 3) -> str:
        return f"{self.low:.{digits}g}..{self.high:.{digits}g}"


@dataclass(frozen=True)
class Row:
    """One figure of kcterm's beside its contender's, as the table shows it."""

    name: str  # what is measured
    value: float  # kcterm's median
    unit: str
    contender: str = ""  # what it is compared with
    contender_value: float | None = None  # the contender's median, same unit
    ratio: float | None = None  # value / contender_value unless the benchmark says otherwise
    spread: str = ""  # "min..max" of kcterm's rounds, then the contender's
    goal: str = ""  # e.g. "<= 1.25x"
    command: str = ""  # the command that reproduces the figure
    label: str = ""  # a short name for the plot of ratios (default: the name)

    @classmethod
    def compare(
        cls,
        name: str,
        ours: Figure,
        unit: str,
        contender: str,
        theirs: Figure,
        *,
        goal: str = "",
        command: str = "",
        label: str = "",
    ) -> Row:
        digits = 3
        return cls(
            name,
            ours.median,
            unit,
            contender,
            theirs.median,
            ours.median / theirs.median if theirs.median else None,
            f"{ours.spread(digits)} / {theirs.spread(digits)} ({len(ours.samples)} rounds)",
            goal,
            command,
            label,
        )


@dataclass(frozen=True)
class Series:
    label: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]


@dataclass(frozen=True)
class Plot:
    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    bars: tuple[str, ...] = ()  # category names: a bar chart, each series one bar per category


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


Benchmark = Callable[[Options], Union[Result, Sequence[Row]]]  # noqa: UP007 (a runtime alias)

# name -> "module:function". Modules are imported only when their benchmark runs, so that
# `kcterm bench --list` and the app itself import none of them.
BENCHMARKS: dict[str, str | Benchmark] = {
    "startup": "kcterm.bench.startup:run",
    "rest": "kcterm.bench.rest:run",
    "scale": "kcterm.bench.scale:run",
    "book": "kcterm.bench.book:run",  # level2 frame -> book, against plain dicts and orjson
    "fast_market": "kcterm.bench.fast_market:run",  # the window in a fast market
    "idle": "kcterm.bench.idle:run",  # an idle trader's app process on the practice market
}
DEFAULT = ("startup", "rest")  # what `kcterm bench` runs without --only (scale is slow)


def register(name: str, target: str | Benchmark) -> None:
    """Add a benchmark: a "module:function" path (imported when it runs) or the function."""
    BENCHMARKS[name] = target


def resolve(name: str) -> Benchmark:
    target = BENCHMARKS[name]
    if not isinstance(target, str):
        return target
    module, _, function = target.partition(":")
    found: Benchmark = getattr(importlib.import_module(module), function)
    return found


def run_one(name: str, options: Options, command: str) -> Result:
    got = resolve(name)(options)
    result = got if isinstance(got, Result) else Result(list(got))
    result.rows = [row if row.command else _with_command(row, command) for row in result.rows]
    return result


def _with_command(row: Row, command: str) -> Row:
    return Row(**{**row.__dict__, "command": command})


def interleaved(rounds: int, contenders: dict[str, Callable[[], float]]) -> dict[str, Figure]:
    """Each contender once a round, the order reversed every other round; one sample each."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            samples[name].append(contenders[name]())
    return {name: Figure(tuple(values)) for name, values in samples.items()}


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def markdown(rows: Sequence[Row], title: str = "kcterm bench") -> str:
    lines = [
        f"# {title}",
        "",
        "| what | kcterm | contender | contender's | ratio | goal | min..max (kcterm / "
        "contender) | command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        lines.append(
            f"| {row.name} | {_number(row.value)} {row.unit} | {row.contender or '—'} | "
            f"{_number(row.contender_value)} | {ratio} | {row.goal or '—'} | "
            f"{row.spread or '—'} | `{row.command}` |"
        )
    return "\n".join(lines) + "\n"


def ratio_plot(rows: Sequence[Row]) -> Plot | None:
    """Every row with a ratio as one bar: kcterm against its contender (1.0 is a tie)."""
    rated = [row for row in rows if row.ratio is not None]
    if not rated:
        return None
    names = tuple(row.label or row.name for row in rated)
    ratios = tuple(float(row.ratio or 0) for row in rated)
    return Plot(
        "kcterm / contender (same run)",
        "",
        "ratio",
        (Series("ratio", tuple(range(len(names))), ratios),),
        bars=names,
    )
