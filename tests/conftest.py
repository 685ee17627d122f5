"""Shared test setup: nothing of the machine leaks in, and nothing here mocks our own code.

- Qt runs offscreen, so no test needs a display server.
- HOME and the XDG directories point into a temporary folder, first for the whole session (set
  before anything imports Qt or platformdirs, which may cache the first answer) and then afresh
  for every test: no test reads or writes the user's settings, journal or logs.
- The keyring is in a known state: none. keyring picks a backend from whatever the machine has
  (Secret Service, the keyrings.alt package, PYTHON_KEYRING_BACKEND), so each test starts with
  keyring's own "fail" backend and tests of the keyring path pass a backend explicitly
  (tests/memory_keyring.py). Child processes get the same through PYTHON_KEYRING_BACKEND.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

XDG = ("CONFIG", "DATA", "STATE", "CACHE")
NO_KEYRING = "keyring.backends.fail.Keyring"


def _point_home_at(home: Path, setenv) -> None:
    setenv("HOME", str(home))
    for name in XDG:
        setenv(f"XDG_{name}_HOME", str(home / name.lower()))


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = NO_KEYRING
_point_home_at(Path(tempfile.mkdtemp(prefix="kcterm-tests-home-")), os.environ.__setitem__)


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
