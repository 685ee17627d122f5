"""Start-up: process launch to the first painted window with data, kcterm against the floor.

The floor is kcterm.bench.minimal_window: PySide6 + qasync + aiohttp + pyqtgraph, a window
with a plot of one level-2 snapshot read from a kcterm-sim that is already running. kcterm
runs as a user starts it, `kcterm --screenshot FILE --after 0` on the practice profile (so its
own embedded exchange boots in the time measured), and once more on a custom profile pointed
at the same running kcterm-sim as the floor (the same work as the floor, without that boot).
Each process is timed from its launch to the line it prints at its first painted frame with
data (kcterm.ui.screenshot.PAINTED); the rounds are interleaved, each process runs alone (the
next starts when the last and its children have exited), and every kcterm run starts from an
empty home directory of its own made once for the benchmark (settings, practice account, logs).
Python caches bytecode as it does on a user's machine (PYTHONDONTWRITEBYTECODE is dropped; the
cache is in the benchmark's temporary directory), filled by one unmeasured run of each.

On Linux one more row: the CPU seconds the practice run (the app and its exchange child) and
the floor had spent when they printed that line, which a busy machine moves far less than the
times (the floor's kcterm-sim runs apart, already booted).

KCTERM_BENCH_BEFORE=TREE adds kcterm from another checkout (TREE holds its kcterm/, put first
on PYTHONPATH) to the same rounds, practice profile: a before/after of a change. Its
`--screenshot` must print PAINTED at its first frame with data (kcterm.ui.screenshot).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kcterm
from kcterm.bench.harness import Figure, Options, Plot, Result, Row, Series, interleaved

PAINTED = "first painted frame with data"  # kcterm.ui.screenshot.PAINTED, minimal_window's
TIMEOUT = 60.0
SYMBOL = "XBTUSDTM"
PROFILE = "bench"  # the custom profile pointed at the running kcterm-sim


def _home(root: Path, url: str | None) -> dict[str, str]:
    """An environment whose user directories are all under `root` (a custom profile `bench`
    pointed at `url`, with its demo keys in the environment, when `url` is given)."""
    root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["HOME"] = str(root)
    env["USERPROFILE"] = str(root)
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
        ("APPDATA", "AppData/Roaming"),
        ("LOCALAPPDATA", "AppData/Local"),
    ):
        env[name] = str(root / sub)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")  # both contenders paint the same way
    env["PYTHONUNBUFFERED"] = "1"
    # Bytecode cached as on a user's machine (a CI or sandbox may forbid writing it, and then
    # every start compiles kcterm's sources again): one cache for all the contenders, out of
    # the source tree, filled by the unmeasured first run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root.parent / "pycache")
    # The kcterm measured is this one (the processes run in `root`, so no kcterm/ folder of
    # the current directory can stand in for it).
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(kcterm.__file__).resolve().parents[1]), env.get("PYTHONPATH")) if p
    )
    if url is not None:
        from kcterm.sim.config import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET

        config = root / ".config" / "kcterm"
        config.mkdir(parents=True, exist_ok=True)
        profile = {"name": PROFILE, "kind": "custom", "address": url, "test_venue": True}
        (config / "profiles.json").write_text(
            json.dumps({"version": 1, "profiles": [profile], "active": "practice"})
        )
        slug = PROFILE.upper()
        env[f"KCTERM_{slug}_API_KEY"] = DEMO_KEY
        env[f"KCTERM_{slug}_API_SECRET"] = DEMO_SECRET
        env[f"KCTERM_{slug}_API_PASSPHRASE"] = DEMO_PASSPHRASE
    return env


def _wait_for_group(pgid: int) -> None:
    """Until no process of the group is left (kcterm's exchange child saves and exits after
    kcterm itself): the next round must not share the machine with this one's leftovers."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # a zombie's group: nothing left that runs
            return
        time.sleep(0.02)


def cpu_of_tree(pid: int) -> float | None:
    """CPU seconds spent so far by `pid` and the processes it started (Linux; else None)."""
    if not sys.platform.startswith("linux"):
        return None
    from kcterm.bench.proc import children, cpu_seconds

    total = 0.0
    for one in (pid, *children(pid)):
        try:
            total += cpu_seconds(one)
        except OSError:  # it ended meanwhile
            continue
    return total


def time_to_line(
    command: list[str],
    env: dict[str, str],
    line: str = PAINTED,
    cpu: list[float] | None = None,
) -> float:
    """Seconds from launching `command` to its printing `line`; then waits for it and for
    the processes it started to exit. `cpu`: the CPU seconds the process and its children had
    spent when it printed the line are appended to it (on Linux): a figure a busy machine
    moves far less than the time."""
    group = os.name == "posix"
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=env["HOME"],
        text=True,
        start_new_session=group,  # its own process group: its children are waited for too
    )
    elapsed: float | None = None
    try:
        assert proc.stdout is not None
        for got in proc.stdout:
            if got.strip() == line:
                elapsed = time.perf_counter() - start
                spent = cpu_of_tree(proc.pid) if cpu is not None else None
                if cpu is not None and spent is not None:
                    cpu.append(spent)
                break
        proc.stdout.read()
        proc.wait(TIMEOUT)
        if group:
            _wait_for_group(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if elapsed is None:
        raise RuntimeError(f"{' '.join(command)} ended without printing {line!r}")
    return elapsed


def run(options: Options) -> Result:
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim.config import SimConfig

    python = sys.executable
    rounds = max(1, options.rounds if not options.quick else 1)
    with tempfile.TemporaryDirectory(prefix="kcterm-bench-") as tmp:
        root = Path(tmp)
        exchange = EmbeddedExchange(SimConfig(seed=7))
        url = exchange.start()
        try:
            shot = str(root / "shot.png")
            screenshot = ["--screenshot", shot, "--after", "0"]
            floor_env = _home(root / "floor", None)
            practice_env = _home(root / "practice", None)
            custom_env = _home(root / "custom", url)
            commands: dict[str, tuple[list[str], dict[str, str]]] = {
                "floor": ([python, "-m", "kcterm.bench.minimal_window", url, SYMBOL], floor_env),
                "practice": ([python, "-m", "kcterm", *screenshot], practice_env),
                "custom": (
                    [python, "-m", "kcterm", "--profile", PROFILE, *screenshot],
                    custom_env,
                ),
            }
            before = os.environ.get("KCTERM_BENCH_BEFORE")
            if before:
                before_env = _home(root / "before", None)
                before_env["PYTHONPATH"] = before  # its kcterm, not this one
                commands["before"] = ([python, "-m", "kcterm", *screenshot], before_env)
            # One unmeasured run each: the files are in the OS cache and the practice account
            # exists, as on any start but the very first.
            for command, env in commands.values():
                time_to_line(command, env)
            cpu: dict[str, list[float]] = {name: [] for name in commands}
            figures = interleaved(
                rounds,
                {
                    name: functools.partial(time_to_line, command, env, cpu=cpu[name])
                    for name, (command, env) in commands.items()
                },
            )
        finally:
            exchange.stop()
    floor = figures["floor"]
    contender = (
        "minimal PySide6+qasync+aiohttp+pyqtgraph window (python -m kcterm.bench.minimal_window)"
    )
    rows = [
        Row.compare(
            "start to first painted window with data: kcterm practice (`kcterm --screenshot F "
            "--after 0`, its exchange booting)",
            figures["practice"],
            "s",
            contender,
            floor,
            goal="<= 1.25x",
            label="start-up, practice",
        ),
        Row.compare(
            "start to first painted window with data: kcterm on the floor's running kcterm-sim "
            "(`kcterm --profile bench --screenshot F --after 0`)",
            figures["custom"],
            "s",
            contender,
            floor,
            goal="<= 1.25x",
            label="start-up, same sim",
        ),
    ]
    if cpu["floor"] and cpu["practice"]:
        rows.append(
            Row.compare(
                "CPU to first painted window with data, kcterm practice: the app and its "
                "exchange child (the floor: its one process; its kcterm-sim runs apart)",
                Figure(tuple(cpu["practice"])),
                "s CPU",
                contender,
                Figure(tuple(cpu["floor"])),
                label="start-up CPU, practice",
            )
        )
    if "before" in figures:
        rows.append(
            Row.compare(
                "start to first painted window with data, practice: this tree against "
                f"KCTERM_BENCH_BEFORE={os.environ.get('KCTERM_BENCH_BEFORE')}",
                figures["practice"],
                "s",
                "the same command from the other tree",
                figures["before"],
                label="start-up, vs before",
            )
        )
    if cpu.get("before") and cpu["practice"]:
        rows.append(
            Row.compare(
                "CPU to first painted window with data, practice (the app and its exchange "
                f"child): this tree against KCTERM_BENCH_BEFORE={before}",
                Figure(tuple(cpu["practice"])),
                "s CPU",
                "the same command from the other tree",
                Figure(tuple(cpu["before"])),
                label="start-up CPU, vs before",
            )
        )
    names = [n for n in ("floor", "practice", "custom", "before") if n in figures]
    labels = tuple(
        {
            "floor": "floor (minimal window)",
            "practice": "kcterm practice",
            "custom": "kcterm on the same sim",
            "before": "before (practice)",
        }[n]
        for n in names
    )
    medians = tuple(figures[name].median for name in names)
    plot = Plot(
        "start to first painted window with data (median)",
        "",
        "seconds",
        (Series("median", tuple(range(len(names))), medians),),
        bars=labels,
    )
    return Result(rows, [plot])
