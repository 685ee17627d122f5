"""Shared test setup: nothing of the machine leaks in, and nothing here mocks our own code.

- Qt runs offscreen, so no test needs a display server.
- HOME and the XDG directories point into a temporary folder, first for the whole session (set
  before anything imports Qt or platformdirs, which may cache the first answer) and then afresh
  for every test: no test reads or writes the user's settings, journal or logs.
- Python's cyclic collector runs on the main thread only, after each test. The app needs no
  such rule any more (its exchange is a child process, kcterm/embedded.py), but the suite still
  runs exchanges on threads of its own process: EmbeddedExchange(in_process=True) where a test
  steps the market or calls into it (tests/compat, tests/gui/test_stale_veil.py,
  test_status_and_interlock.py, test_order_pending.py), and SimExchange on worker threads
  (tests/integration/test_sim_bad_input.py's hypothesis runs). Left automatic, the collector
  runs in whichever thread allocates, and such a thread that frees a Qt object an earlier GUI
  test left in a cycle crashes the process later (a CI run died of exactly that: a segfault in
  pytest-qt's event processing during test_sim_bad_input.py).
- Hypothesis is derandomized and keeps no example database: every run tries the same inputs,
  so a run's result never depends on luck or on what an earlier run found.
- The keyring is in a known state: none. keyring picks a backend from whatever the machine has
  (Secret Service, the keyrings.alt package, PYTHON_KEYRING_BACKEND), so each test starts with
  keyring's own "fail" backend and tests of the keyring path pass a backend explicitly
  (tests/memory_keyring.py). Child processes get the same through PYTHON_KEYRING_BACKEND.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

XDG = ("CONFIG", "DATA", "STATE", "CACHE")
NO_KEYRING = "keyring.backends.fail.Keyring"


def _point_home_at(home: Path, setenv) -> None:
    setenv("HOME", str(home))
    for name in XDG:
        setenv(f"XDG_{name}_HOME", str(home / name.lower()))


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = NO_KEYRING
_point_home_at(Path(tempfile.mkdtemp(prefix="kcterm-tests-home-")), os.environ.__setitem__)


hypothesis_settings.register_profile("kcterm", derandomize=True, database=None)
hypothesis_settings.load_profile("kcterm")


@pytest.fixture(scope="session", autouse=True)
def collect_garbage_on_the_main_thread_only() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.disable()
    yield
    gc.collect()
    gc.enable()
    gc.set_threshold(*threshold)


@pytest.fixture(autouse=True)
def collect_garbage_after_each_test() -> Iterator[None]:
    """The collection automatic gc would have made, made here on the main thread: the
    youngest generation after every test, an older one when its count passed its threshold."""
    gc.disable()  # again: code under test may have switched it back on
    yield
    counts, threshold = gc.get_count(), gc.get_threshold()
    older = [g for g in (2, 1) if counts[g] > threshold[g]]
    gc.collect(older[0] if older else 0)


@pytest.fixture(autouse=True)
def isolated_machine(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A fresh empty HOME and XDG dirs, and no keyring, for every test (tests may override)."""
    import keyring.core
    from keyring.backends import fail

    _point_home_at(tmp_path_factory.mktemp("home"), monkeypatch.setenv)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    # keyring keeps the chosen backend in this module global; monkeypatch puts the old one back.
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    yield
