"""The entry <-> TP/SL links of core/bracket_guard.py, kept on disk so they outlive a restart.

One small JSON file per profile and venue, private (0600 in a 0700 directory,
kcterm/private_files.py): which orders someone has resting is their business. It is rewritten
whole on every change (a few links; written to a temporary file and renamed, so a crash
leaves the old or the new file, never half of one). Prices stay Decimal strings.
"""

from __future__ import annotations

import json
import logging
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kcterm.core.bracket import BracketPlan
from kcterm.core.bracket_guard import Link
from kcterm.private_files import open_private
from kcterm.venue.events import Trigger

log = logging.getLogger("kcterm.core.bracket_links")
FORMAT = 1


def bracket_links_path(profile_slug: str, venue: str, data_dir: Path | None = None) -> Path:
    """<user data dir>/brackets/<profile>-<venue>.json."""
    if data_dir is None:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir("kcterm", appauthor=False))
    name = f"{(profile_slug or 'default').lower()}-{venue.lower()}.json"
    return data_dir / "brackets" / name


def _price(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _link_to_json(link: Link) -> dict[str, Any]:
    plan = link.plan
    return {
        "entry": link.entry_id,
        "stop": link.stop_id,
        "entry_size": link.entry_size,
        "base": link.base,
        "plan": {
            "symbol": plan.symbol,
            "direction": plan.direction,
            "size": plan.size,
            "entry": _price(plan.entry),
            "stop_loss": _price(plan.stop_loss),
            "take_profit": _price(plan.take_profit),
            "trigger": plan.trigger.value,
            "close_whole": plan.close_whole,
            "margin_mode": plan.margin_mode,
        },
    }


# Files written before the trigger was core's own word hold KuCoin's letters for it.
_OLD_TRIGGERS = {"TP": Trigger.LAST, "MP": Trigger.MARK, "IP": Trigger.INDEX}


def _trigger(text: str) -> Trigger:
    """A plan's trigger as written: last | mark | index, or an older file's TP | MP | IP."""
    return _OLD_TRIGGERS.get(text) or Trigger(text)  # ValueError: the link is skipped


def _link_from_json(item: dict[str, Any]) -> Link:
    p = item["plan"]

    def dec(key: str) -> Decimal | None:
        return None if p.get(key) is None else Decimal(str(p[key]))

    entry = dec("entry")
    if entry is None:
        raise ValueError("no entry price")
    plan = BracketPlan(
        str(p["symbol"]),
        str(p["direction"]),
        int(p["size"]),
        entry,
        dec("stop_loss"),
        dec("take_profit"),
        _trigger(str(p["trigger"])),
        bool(p["close_whole"]),
        str(p.get("margin_mode") or "ISOLATED"),
    )
    return Link(
        str(item["entry"]), str(item["stop"]), plan, int(item["entry_size"]), int(item["base"])
    )


class BracketLinkFile:
    """The guard's LinkStore: `load` at start, `save` on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.saves = 0

    def load(self) -> list[Link]:
        """The links a previous session kept; an unreadable file is logged and read as none
        (its brackets are then found by the orphan pass, never silently kept)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.error("bracket links at %s unreadable: %s", self.path, exc)
            return []
        links: list[Link] = []
        for item in raw.get("links", []) if isinstance(raw, dict) else []:
            try:
                links.append(_link_from_json(item))
            except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
                log.error("bracket link skipped in %s: %s", self.path, exc)
        return links

    def save(self, links: list[Link]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with open_private(tmp) as out:
                json.dump({"format": FORMAT, "links": [_link_to_json(x) for x in links]}, out)
            os.replace(tmp, self.path)
            self.saves += 1
        except OSError as exc:  # the session goes on; the links then last only this run
            log.error("bracket links not saved to %s: %s", self.path, exc)
