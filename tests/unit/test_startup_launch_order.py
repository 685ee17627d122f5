"""Start-up (issue 14): the practice exchange's child is launched before asyncio is imported
(the launch path loads neither asyncio nor anything heavy), and the launched child still boots
and serves: its asyncio comes where it runs. Fresh interpreters (this one has everything)."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def test_the_launch_path_loads_no_asyncio() -> None:
    code = (
        "import sys; import kcterm.app, kcterm.profile_runner, kcterm.embedded, kcterm.sim; "
        "print('asyncio' in sys.modules)"
    )
    assert _run(code) == "False"


def test_a_child_launched_so_boots_and_serves() -> None:
    code = (
        "import json, sys, urllib.request\n"
        "from kcterm.embedded import EmbeddedExchange\n"
        "from kcterm.sim.config import SimConfig\n"
        "ex = EmbeddedExchange(SimConfig(seed=7))\n"
        "ex.launch()\n"
        "before = 'asyncio' in sys.modules\n"
        "url = ex.wait_ready()\n"
        "try:\n"
        "    with urllib.request.urlopen(url + '/api/v1/timestamp', timeout=10) as reply:\n"
        "        body = json.loads(reply.read())\n"
        "finally:\n"
        "    ex.stop()\n"
        "print(json.dumps([before, body['code'], isinstance(body['data'], int)]))"
    )
    assert json.loads(_run(code)) == [False, "200000", True]
