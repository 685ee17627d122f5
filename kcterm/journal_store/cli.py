"""`kcterm journal export --profile NAME --since DATE --csv FILE` (and `kcterm journal path`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kcterm.journal_store.export import export_csv, parse_since, plain
from kcterm.journal_store.schema import journal_path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kcterm journal", description="The trade journal kept for each profile."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export", help="write fills (with realised PnL) and funding payments as CSV"
    )
    export.add_argument("--profile", help="whose journal (default: the profile last used)")
    export.add_argument("--since", help="first day (UTC), e.g. 2024-05-01 or 2024-05-01T09:30")
    export.add_argument("--csv", required=True, metavar="FILE", help="output file, or - for stdout")
    where = commands.add_parser("path", help="print where a profile's journal file is")
    where.add_argument("--profile")
    return parser


def main(argv: list[str], data_dir: Path | None = None) -> int:
    from kcterm.profiles import SettingsFile

    args = build_parser().parse_args(argv)
    settings = SettingsFile()
    try:
        profile = settings.get(args.profile or settings.active)
    except KeyError as exc:
        print(f"kcterm journal: {exc.args[0]}", file=sys.stderr)
        return 2
    path = journal_path(profile.slug, data_dir)
    if args.command == "path":
        print(path)
        return 0
    try:
        since = parse_since(args.since)
    except ValueError as exc:
        print(f"kcterm journal export: {exc}", file=sys.stderr)
        return 2
    if not path.exists():
        print(f"kcterm journal export: {profile.name!r} has no journal yet", file=sys.stderr)
        return 1
    summary = export_csv(path, sys.stdout if args.csv == "-" else Path(args.csv), since)
    print(
        f"{summary.fills} fills, {summary.funding} funding payments; realised PnL "
        f"{plain(summary.realised_pnl)}, fees {plain(summary.fees)}, "
        f"funding {plain(summary.funding_total)}" + ("" if args.csv == "-" else f" -> {args.csv}"),
        file=sys.stderr,
    )
    return 0
