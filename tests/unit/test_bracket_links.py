"""The entry <-> TP/SL links on disk: written private, read back exactly (Decimal prices),
and an unreadable file read as no links (its brackets then go to the orphan pass)."""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path

from kcterm.core.bracket import BracketPlan
from kcterm.core.bracket_guard import Link
from kcterm.core.bracket_links import BracketLinkFile, bracket_links_path

PLAN = BracketPlan(
    "XBTUSDTM", "short", 7, Decimal("90000.1"), Decimal("91000.5"), None, "MP", False, "CROSS"
)


def test_links_round_trip_exactly_in_a_private_file(tmp_path: Path) -> None:
    path = bracket_links_path("Practice", "sim", tmp_path)
    assert path == tmp_path / "brackets" / "practice-sim.json"
    BracketLinkFile(path).save([Link("E1", "S1", PLAN, 9, 2)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert BracketLinkFile(path).load() == [Link("E1", "S1", PLAN, 9, 2)]


def test_no_file_or_a_broken_one_reads_as_no_links(tmp_path: Path) -> None:
    path = bracket_links_path("p", "live", tmp_path)
    assert BracketLinkFile(path).load() == []
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert BracketLinkFile(path).load() == []
    path.write_text('{"links": [{"entry": "E1"}]}', encoding="utf-8")
    assert BracketLinkFile(path).load() == []
