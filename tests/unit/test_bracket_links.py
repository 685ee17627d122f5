"""The entry <-> TP/SL links on disk: written private, read back exactly (Decimal prices),
and an unreadable file read as no links (its brackets then go to the orphan pass)."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from kcterm.core.bracket import BracketPlan
from kcterm.core.bracket_guard import Link
from kcterm.core.bracket_links import BracketLinkFile, bracket_links_path
from kcterm.venue.events import Trigger

PLAN = BracketPlan(
    "XBTUSDTM",
    "short",
    7,
    Decimal("90000.1"),
    Decimal("91000.5"),
    None,
    Trigger.MARK,
    False,
    "CROSS",
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


def test_the_trigger_is_written_in_core_words_and_old_files_with_kucoins_letters_still_load(
    tmp_path: Path,
) -> None:
    """The trigger is written as core's word (last | mark | index); a file an older kcterm
    wrote holds KuCoin's letters (TP | MP | IP) and reads as the same links."""
    path = bracket_links_path("p", "sim", tmp_path)
    BracketLinkFile(path).save([Link("E1", "S1", PLAN, 9, 2)])
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["links"][0]["plan"]["trigger"] == "mark"

    def old_file(letters: str) -> dict[str, Any]:
        item = json.loads(json.dumps(written))
        item["links"][0]["plan"]["trigger"] = letters
        return item

    for letters, trigger in (("TP", Trigger.LAST), ("MP", Trigger.MARK), ("IP", Trigger.INDEX)):
        path.write_text(json.dumps(old_file(letters)), encoding="utf-8")
        [link] = BracketLinkFile(path).load()
        assert link.plan.trigger is trigger
        assert link == Link("E1", "S1", replace(PLAN, trigger=trigger), 9, 2)
    path.write_text(json.dumps(old_file("XX")), encoding="utf-8")
    assert BracketLinkFile(path).load() == []  # an unknown trigger: that link is skipped
