"""Start-up (issue 14): PySide6 asks of every module imported after it whether it "uses
PySide" (inspect.getsource of the whole module); kcterm.app replaces that check with one that
reads the file's bytes. The replacement must give the original's answers, and the app's Qt
import must install it before anything else is imported."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import PySide6  # noqa: F401
import pytest

from kcterm.app import cheapen_pyside_import_hook


def _checks() -> tuple[object, object]:
    """(the installed check, PySide6's original one)"""
    assert cheapen_pyside_import_hook()
    feature = sys.modules["shibokensupport.feature"]
    installed = feature._mod_uses_pyside
    original = installed.__wrapped__
    return installed, original


def _module_from(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cheap_check_is_installed_once_over_pysides_own() -> None:
    installed, original = _checks()
    assert installed is not original
    assert original.__module__ == "shibokensupport.feature"  # PySide6's, not another wrapper
    assert cheapen_pyside_import_hook()  # again: still installed, not wrapped twice
    assert sys.modules["shibokensupport.feature"]._mod_uses_pyside is installed


@pytest.mark.parametrize(
    "name",
    [
        "kcterm.ui.main_window",  # imports PySide6
        "kcterm.ui.screenshot",
        "qasync",
        "pyqtgraph.Qt",
        "kcterm.venue.events",  # no PySide6 in its text
        "kcterm.app",  # names PySide6 (the hook's own docstring too)
        "json",  # a package of the standard library
        "asyncio.events",
        "sys",  # built in: no source
        "_ssl",  # an extension module
        "PySide6.QtCore",  # an extension module of PySide6
        "shibokensupport.feature",  # from the zip inside shiboken: no file on disk
    ],
)
def test_the_cheap_check_answers_as_pysides_own(name: str) -> None:
    installed, original = _checks()
    module = importlib.import_module(name)
    assert installed(module) == original(module)


def test_the_answers_differ_between_modules_so_the_comparison_means_something() -> None:
    installed, _ = _checks()
    assert installed(importlib.import_module("kcterm.ui.main_window")) is True
    assert installed(importlib.import_module("kcterm.venue.events")) is False
    assert installed(sys) is False


def test_sources_in_other_encodings_and_odd_modules(tmp_path: Path) -> None:
    installed, original = _checks()
    latin = tmp_path / "latin_source.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\n# PySide6 \xe9t\xe9\nX = '\xe9'\n")
    plain = tmp_path / "plain_source.py"
    plain.write_text("# uses nothing of Qt\nX = 1\n", encoding="utf-8")
    named = tmp_path / "named_source.py"
    named.write_text("WHERE = 'PySide6'  # named in a string: it counts\n", encoding="utf-8")
    for path in (latin, plain, named):
        module = _module_from(path, path.stem)
        assert installed(module) == original(module), path.name
    gone = _module_from(plain, "gone_source")
    plain.unlink()  # its file deleted after the import: no source either way
    assert installed(gone) == original(gone) is False
    fileless = types.ModuleType("made_in_memory")
    assert installed(fileless) == original(fileless) is False


def test_the_apps_qt_import_installs_it_before_qtwidgets_loads() -> None:
    probe = (
        "import json, sys; from kcterm.app import import_pyside; "
        "installed = import_pyside(); "
        "check = sys.modules['shibokensupport.feature']._mod_uses_pyside; "
        "print(json.dumps([installed, hasattr(check, '__wrapped__'), "
        "'PySide6.QtWidgets' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == [True, True, False]
