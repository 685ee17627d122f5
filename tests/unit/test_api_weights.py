"""kcterm/venue/kucoin/weights.py is what the client's own generator makes from kcterm/spec,
and concrete paths find their pool and weight (spec/REFERENCE.md 6.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kcterm.spec import SPEC_DIR
from kcterm.venue.kucoin.gen_weights import read_weights, render
from kcterm.venue.kucoin.pools import cost_of

REPO = Path(__file__).resolve().parents[2]
SPEC = SPEC_DIR
COMMITTED = REPO / "kcterm" / "venue" / "kucoin" / "weights.py"


def test_the_committed_table_is_what_the_generator_makes() -> None:
    assert render(read_weights(SPEC)) == COMMITTED.read_text(encoding="utf-8"), (
        "weights.py is stale: run "
        "`python -m kcterm.venue.kucoin.gen_weights kcterm/spec > kcterm/venue/kucoin/weights.py`"
    )


@pytest.mark.parametrize(
    ("method", "path", "cost"),
    [
        ("POST", "/api/v1/orders", ("Futures", 2)),
        ("GET", "/api/v1/orders/byClientOid", ("Futures", 5)),  # literal beats {order-id}
        ("GET", "/api/v1/orders/2345", ("Futures", 5)),
        ("DELETE", "/api/v1/orders/2345", ("Futures", 1)),
        ("DELETE", "/api/v1/orders/multi-cancel", ("Futures", 20)),
        ("POST", "/api/v1/orders/multi", ("Futures", 20)),
        ("DELETE", "/api/v3/orders", ("Futures", 10)),
        ("GET", "/api/v1/level2/depth20", ("Public", 5)),
        ("GET", "/api/v1/timestamp", ("Public", 2)),
        ("POST", "/api/v1/bullet-private", ("Futures", 10)),
        ("GET", "/api/v1/account-overview", ("Futures", 5)),
    ],
)
def test_reference_weights(method: str, path: str, cost: tuple[str, int]) -> None:
    assert cost_of(method, path) == cost


def test_unknown_paths_cost_one_from_their_kind_of_pool() -> None:
    assert cost_of("GET", "/api/v9/nothing") == ("Public", 1)
    assert cost_of("GET", "/api/v9/nothing", signed=True) == ("Futures", 1)
