"""Start-up order (issue 14): `import kcterm.app` loads nothing heavy, so that the practice
exchange's process is launched before Qt, aiohttp, the session or the window are imported;
the app imports no benchmark; a practice start probes the keyring only when a secret is used.
Each check runs in a fresh interpreter (this one has imported everything already)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("kcterm.bench", "aiohttp", "PySide6", "pyqtgraph", "kcterm.core", "kcterm.sim.server")


def _loaded_after(code: str) -> str:
    probe = f"import sys; {code}; print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_import_kcterm_app_loads_nothing_heavy() -> None:
    assert _loaded_after("import kcterm.app") == "[]"


def test_the_practice_launch_imports_no_session_and_no_exchange_server() -> None:
    # what app.main runs before launching the child: the runner's module and the launcher's
    assert _loaded_after("import kcterm.profile_runner, kcterm.embedded, kcterm.sim") == "[]"


def test_a_practice_start_probes_the_keyring_on_first_use_only() -> None:
    code = (
        "import sys; from kcterm.app import KeyringOnFirstUse; s = KeyringOnFirstUse(); "
        "before = 'keyring' in sys.modules; s.has_keyring; "
        "print(before, 'keyring' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]
