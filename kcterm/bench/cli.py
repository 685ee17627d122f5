"""The command: `kcterm bench [--only NAME,...] [--rounds N] [--quick] [--out DIR]`.

Writes DIR/bench.md (the table: each figure, its contender, the ratio, min..max and the
command that reproduces it) and DIR/bench.png (the benchmarks' plots and one of the ratios),
and prints the table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kcterm.bench.harness import (
    BENCHMARKS,
    DEFAULT,
    Options,
    Result,
    markdown,
    ratio_plot,
    run_one,
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kcterm bench", description=__doc__)
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help=f"benchmarks to run (default: {','.join(DEFAULT)}; all: {','.join(BENCHMARKS)})",
    )
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--quick", action="store_true", help="a tiny workload (a first look)")
    parser.add_argument(
        "--out", type=Path, default=Path("bench-out"), help="where bench.md and bench.png go"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    return args


def command_for(name: str, args: argparse.Namespace) -> str:
    return f"kcterm bench --only {name} --rounds {args.rounds}" + (" --quick" if args.quick else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        for name in BENCHMARKS:
            print(name)
        return 0
    names = args.only.split(",") if args.only else list(DEFAULT)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"kcterm bench: no benchmark {', '.join(unknown)}; {', '.join(BENCHMARKS)}")
        return 2
    options = Options(rounds=args.rounds, quick=args.quick)
    total = Result()
    for name in names:
        print(f"running {name} ...", flush=True)
        result = run_one(name, options, command_for(name, args))
        total.rows += result.rows
        total.plots += result.plots
    ratios = ratio_plot(total.rows)
    plots = ([ratios] if ratios is not None else []) + total.plots
    table = markdown(total.rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(table, encoding="utf-8")
    from kcterm.bench.png import write_png  # Qt only once the figures are in

    write_png(plots, args.out / "bench.png")
    print(table)
    print(f"written: {args.out / 'bench.md'}, {args.out / 'bench.png'}")
    return 0
