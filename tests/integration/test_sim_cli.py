"""`kcterm-sim` as a user runs it: prints where it listens, serves, keeps state, --reset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import orjson


def start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], list[str]]:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kcterm.sim.cli", "--port", "0", "--log-level", "WARNING", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    lines = []
    while not lines or not lines[-1].startswith("  Fault drills"):  # the last banner line
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "no banner"
        lines.append(line)
    return proc, lines


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return orjson.loads(reply.read())


def test_kcterm_sim_serves_prints_its_state_file_and_resets(tmp_path: Path) -> None:
    proc, banner = start(tmp_path)
    assert "KuCoin Futures REST at http://127.0.0.1:" in banner[0]
    base = banner[0].rsplit(" ", 1)[1].strip()
    try:
        assert get(f"{base}/api/v1/timestamp")["code"] == "200000"
        assert get(f"{base}/api/v1/ticker?symbol=SOLUSDTM")["data"]["symbol"] == "SOLUSDTM"
    finally:
        stop(proc)
    state = tmp_path / "data" / "kcterm" / "sim-state.sqlite"
    assert any(f"State: {state}" in line for line in banner) and state.exists()
    proc, banner = start(tmp_path, "--reset")
    stop(proc)
    assert banner[0].startswith("kcterm-sim: starting clean")


def test_bad_flags_are_refused_with_the_reason(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kcterm.sim.cli", "--tick", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "--tick must be above zero" in done.stderr
