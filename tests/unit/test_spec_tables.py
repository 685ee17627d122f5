"""kcterm/sim/spec_tables.py is exactly what the generator makes from kcterm/spec, and
it says what spec/REFERENCE.md 6.2 says."""

from __future__ import annotations

from pathlib import Path

import pytest

from kcterm.sim import spec_tables
from kcterm.sim.gen_spec_tables import futures_rate_limits, render
from kcterm.spec import SPEC_DIR

REPO = Path(__file__).resolve().parents[2]
SPEC = SPEC_DIR
COMMITTED = REPO / "kcterm" / "sim" / "spec_tables.py"


@pytest.fixture(scope="module")
def spec_dir() -> Path:
    return SPEC


def test_the_committed_table_is_what_the_generator_makes(spec_dir: Path) -> None:
    generated = render(futures_rate_limits(spec_dir))
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "spec_tables.py is stale: run "
        "`python -m kcterm.sim.gen_spec_tables kcterm/spec > kcterm/sim/spec_tables.py`"
    )


def test_only_futures_endpoints_are_taken(spec_dir: Path) -> None:
    table = futures_rate_limits(spec_dir)
    assert ("GET", "/api/v1/market/allTickers") not in table  # spot
    assert ("GET", "/api/v2/user-info") not in table  # account management, spot host
    # The spot and futures spec both have /api/v1/timestamp; the futures one weighs 2.
    assert table[("GET", "/api/v1/timestamp")] == ("Public", 2)


def test_the_table_agrees_with_the_reference_on_its_worked_rows() -> None:
    rows = spec_tables.RATE_LIMITS
    assert rows[("POST", "/api/v1/orders")] == ("Futures", 2)
    assert rows[("DELETE", "/api/v1/orders")] == ("Futures", 800)  # abandoned, still listed
    assert rows[("POST", "/api/v1/bullet-public")] == ("Public", 10)
    assert rows[("GET", "/api/v1/trade-statistics")] == ("Futures", 3)
    assert rows[("GET", "/api/v1/recentFills")] == ("Futures", None)
    assert {pool for pool, _ in rows.values()} == {"Public", "Futures", "Management"}
