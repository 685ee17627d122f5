"""The house's figures of issue 13, printed (no asserts on them; the unit tests hold the rules):
import cycles in kcterm/, raw KuCoin field reads outside the adapter, and how much of the
session the window uses. Point KCTERM_TREE at another checkout's kcterm/ to measure it.

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_renovation_figures.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit import test_import_graph, test_venue_boundary

pytestmark = pytest.mark.perf

TREE = Path(os.environ.get("KCTERM_TREE", test_venue_boundary.KCTERM))


def test_print_the_renovation_figures() -> None:
    cycles = test_import_graph.describe_cycles(TREE)
    print(f"\nimport cycles in {TREE}: {len(cycles)}")
    for cycle in cycles:
        print(f"  {cycle.splitlines()[0]}")
    old_layout = (TREE / "api").is_dir()  # before issue 13 the adapter was kcterm/api
    saved = test_venue_boundary.KCTERM, test_venue_boundary.OUTSIDE
    test_venue_boundary.KCTERM = TREE
    if old_layout:
        test_venue_boundary.OUTSIDE = ("api/", "sim/", "spec/")
    try:
        reads = test_venue_boundary.raw_reads()
    finally:
        test_venue_boundary.KCTERM, test_venue_boundary.OUTSIDE = saved
    total = sum(reads.values())
    print(f"raw KuCoin reads outside the adapter and sim/: {total} in {len(reads)} files")
    for name, count in reads.most_common(8):
        print(f"  {count:4d}  {name}")
    names = test_venue_boundary.session_names_in_the_window(TREE)
    print(f"names the window reads on the session: {len(names)}")
    print("  " + " ".join(sorted(names)))
