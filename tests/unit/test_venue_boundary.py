"""The venue boundary (issue 13): KuCoin's field names, paths and codes are read in the KuCoin
adapter (kcterm/venue/kucoin) and in the exchange (kcterm/sim), nowhere else.

A "raw read" is `x["name"]` or `x.get("name")` where name is a property of the official
futures OpenAPI files (kcterm/spec), plus any literal "/api/v1..." path. What is left outside
the adapter is listed in LEFT with its count: the count may only go down (lower it here when
a file sheds its reads; a file not listed must have none), so the boundary only ever tightens.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

KCTERM = Path(__file__).resolve().parents[2] / "kcterm"
OUTSIDE = ("venue/kucoin/", "sim/", "spec/")  # the adapter, the exchange, the spec itself
ENVELOPE = {"topic", "subject", "code", "msg", "data"}

# file -> raw reads still there (none since issue 13: keep it so; a file listed here may
# only go down). Our own on-disk formats happen to share KuCoin's words ("symbol", "size");
# they are ours to keep and listed apart.
LEFT: dict[str, int] = {}
OWN_FORMATS = {
    "core/bracket_links.py": "kcterm's own TP/SL link file (symbol, size, ... of a BracketPlan)",
}


def kucoin_field_names() -> set[str]:
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    names.update(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    spec = KCTERM / "spec"
    for path in [*(spec / "rest").glob("openapi-*.json"), *(spec / "ws").glob("openapi-*.json")]:
        if "spot" not in path.name:
            walk(json.loads(path.read_text(encoding="utf-8")))
    return (names - {"id", "type"}) | ENVELOPE


def count_reads(tree: ast.AST, names: set[str]) -> int:
    count = 0
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            key = node.args[0].value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            count += node.value.startswith("/api/v")
            continue
        count += isinstance(key, str) and key in names
    return count


def raw_reads() -> Counter[str]:
    names = kucoin_field_names()
    found: Counter[str] = Counter()
    for path in sorted(KCTERM.rglob("*.py")):
        rel = path.relative_to(KCTERM).as_posix()
        if rel.startswith(OUTSIDE) or rel in OWN_FORMATS:
            continue
        count = count_reads(ast.parse(path.read_text(encoding="utf-8")), names)
        if count:
            found[rel] = count
    return found


def test_kucoin_names_are_read_only_in_the_adapter_and_what_is_left_only_shrinks() -> None:
    found = raw_reads()
    grown = {f: (n, LEFT.get(f, 0)) for f, n in found.items() if n > LEFT.get(f, 0)}
    assert not grown, "raw KuCoin reads outside kcterm/venue/kucoin (file: found, allowed): " + (
        ", ".join(f"{f}: {n} > {allowed}" for f, (n, allowed) in sorted(grown.items()))
    )
    shrunk = {f: (found.get(f, 0), n) for f, n in LEFT.items() if found.get(f, 0) < n}
    assert not shrunk, "lower LEFT in this test, the boundary moved: " + ", ".join(
        f"{f}: {n} (listed {listed})" for f, (n, listed) in sorted(shrunk.items())
    )


def test_the_counter_sees_each_kind_of_raw_read() -> None:
    names = kucoin_field_names()
    assert {"orderId", "clientOid", "currentQty", "matchPrice"} <= names
    source = 'a = d.get("orderId")\nb = d["currentQty"]\nc = "/api/v1/orders"\ne = d["mine"]'
    assert count_reads(ast.parse(source), names) == 3


SESSION_NAMES = ("session", "_session")
# The session's plumbing to the venue: the window reads the parts (health, market_data ...)
VENUE_PLUMBING = {"rest", "public", "private", "adapter"}


def session_names_in_the_window(tree: Path = KCTERM) -> Counter[str]:
    """Attribute names read on `session` / `self.session` / `self._session` in ui/ and desk."""
    names: Counter[str] = Counter()
    for path in [*(tree / "ui").rglob("*.py"), tree / "desk.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            if (isinstance(owner, ast.Name) and owner.id in SESSION_NAMES) or (
                isinstance(owner, ast.Attribute) and owner.attr in SESSION_NAMES
            ):
                names[node.attr] += 1
    return names


def test_the_window_never_reaches_the_venue_through_the_session() -> None:
    reached = sorted(set(session_names_in_the_window()) & VENUE_PLUMBING)
    assert not reached, f"ui/ or desk reads session.{reached}: go through session.health etc."
