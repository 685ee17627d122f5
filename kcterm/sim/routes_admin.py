"""The sim's own admin routes: read and switch the fault drills at runtime.

    GET  /sim/admin/drills   the drills in force and their counters
    POST /sim/admin/drills   {"delayMs": 500, "failNext": 3, "dropConnections": "all", ...}

Signed with the demo key like any private route (a stray request cannot trigger a drill), and
registered only when SimConfig.admin is on. The paths are not KuCoin's, so a client pointed at
the live venue can never reach them.
"""

from __future__ import annotations

from typing import Any

from kcterm.sim.drills import Drills
from kcterm.sim.http import Call

DRILLS_PATH = "/sim/admin/drills"

Route = tuple[str, str, Any, bool]  # method, path, handler, private


class AdminRoutes:
    def __init__(self, drills: Drills) -> None:
        self.drills = drills

    def table(self) -> list[Route]:
        return [
            ("GET", DRILLS_PATH, self.read, True),
            ("POST", DRILLS_PATH, self.switch, True),
        ]

    async def read(self, call: Call) -> dict[str, Any]:
        return self.drills.state()

    async def switch(self, call: Call) -> dict[str, Any]:
        return self.drills.apply(call.json_object())
