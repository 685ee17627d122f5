"""Start-up (issue 14): on Linux the app's practice exchange is a fork of the app made once
asyncio and aiohttp are imported (EmbeddedExchange.launch(fork=True)), not a new interpreter
importing them again. The forked child is the same child: it serves, logs to its own file
and not the app's, saves the practice account when it stops, and stops when its parent dies
however it dies. Each check runs in a fresh interpreter (this one has Qt and threads)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")


def _python(code: str, **env: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, **env},
    ).stdout.strip()


def test_can_fork_only_with_one_thread_and_no_qt() -> None:
    code = (
        "import json, threading, time; from kcterm.embedded import can_fork\n"
        "alone = can_fork()\n"
        "t = threading.Thread(target=time.sleep, args=(0.5,)); t.start()\n"
        "threaded = can_fork(); t.join()\n"
        "import PySide6.QtCore\n"
        "print(json.dumps([alone, threaded, can_fork()]))"
    )
    assert json.loads(_python(code)) == [True, False, False]


def test_a_forked_child_serves_logs_apart_and_saves_the_account(tmp_path: Path) -> None:
    state = tmp_path / "practice.sqlite"
    logs = tmp_path / "logs"
    code = (
        "import json, logging, os, urllib.request\n"
        "from pathlib import Path\n"
        "from kcterm.logging_setup import setup_logging\n"
        "from kcterm.embedded import EmbeddedExchange\n"
        "from kcterm.sim.config import SimConfig\n"
        f"app_log = setup_logging('INFO', Path({str(logs)!r}), console=False)\n"
        f"ex = EmbeddedExchange(SimConfig(seed=7, state_path=Path({str(state)!r})))\n"
        "ex.launch(fork=True)\n"
        "url = ex.wait_ready()\n"
        "child = ex.pid\n"
        "with urllib.request.urlopen(url + '/api/v1/timestamp', timeout=10) as reply:\n"
        "    body = json.loads(reply.read())\n"
        "logging.getLogger('probe').info('the app still logs here')\n"
        "ex.stop()\n"
        "print(json.dumps([child != os.getpid(), body['code'], ex.running, str(app_log)]))"
    )
    forked, code_200, running, app_log = json.loads(_python(code))
    assert forked and code_200 == "200000" and running is False
    assert state.exists()  # the child saved the practice account as it stopped
    app_text = Path(app_log).read_text()
    sim_text = (logs / "kcterm-sim.log").read_text()
    assert "the app still logs here" in app_text and "stopped" in app_text
    assert "embedded exchange child" in sim_text  # the child's lines in its own file...
    assert "embedded exchange child" not in app_text  # ...never in the app's
    assert "the app still logs here" not in sim_text


def test_a_forked_child_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "from kcterm.embedded import EmbeddedExchange\n"
        "from kcterm.sim.config import SimConfig\n"
        "ex = EmbeddedExchange(SimConfig(seed=7))\n"
        "ex.launch(fork=True)\n"
        "ex.wait_ready()\n"
        "print(ex.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9
    child = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child), "the forked exchange outlived its killed parent"


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
