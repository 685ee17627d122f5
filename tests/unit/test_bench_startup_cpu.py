"""The start-up benchmark's CPU figure (kcterm.bench.startup.cpu_of_tree): a process's CPU
and its children's, as /proc has them when the painted line is read (Linux)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from kcterm.bench.proc import cpu_seconds
from kcterm.bench.startup import cpu_of_tree

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

BURN_THEN_WAIT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', "
    "'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.3: pass\\n"
    "print(1, flush=True)\\ntime.sleep(30)'], stdout=subprocess.PIPE)\n"
    "child.stdout.readline()\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(30)\n"
)


def test_the_cpu_of_a_process_counts_its_children() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", BURN_THEN_WAIT], stdout=subprocess.PIPE, text=True
    )
    child = 0
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        time.sleep(0.05)
        own = cpu_seconds(parent.pid)
        total = cpu_of_tree(parent.pid)
        assert total is not None
        assert cpu_seconds(child) >= 0.25  # the child burnt its 0.3 s (ticks of 10 ms)
        assert total >= own + 0.25
    finally:
        if child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        parent.kill()
        parent.wait()
