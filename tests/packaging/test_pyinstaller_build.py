"""The desktop app builds with PyInstaller (packaging/build.py) and the built binary runs.

Slow (about 20-60 s on 2 cores, most of it PyInstaller's analysis and copying Qt), so it is
marked `slow`; CI runs it (only `perf` is deselected by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.packaging.styled import badge_pixels

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.mark.timeout(900)
def test_build_and_run_the_packaged_app(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "work"
    started = time.monotonic()
    build = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    app = dist / "kcterm"
    binary = app / ("kcterm.exe" if sys.platform == "win32" else "kcterm")
    assert binary.is_file() and os.access(binary, os.X_OK)
    assert (app / "_internal" / "kcterm" / "assets" / "themes" / "dark.qss").is_file()
    desktop = (app / "kcterm.desktop").read_text()
    assert "Exec=kcterm" in desktop and "Icon=kcterm" in desktop
    assert QImage(str(app / "kcterm.png")).width() == 256
    size_bytes = sum(f.stat().st_size for f in app.rglob("*") if f.is_file() and not f.is_symlink())
    size_mb = size_bytes / 1e6
    print(f"\nbuilt in {time.monotonic() - started:.0f} s; {size_mb:.0f} MB")

    # The built binary, not the source tree: a fresh HOME, no venv on PATH, Qt offscreen.
    home = tmp_path / "home"
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [str(binary), "--screenshot", str(shot), "--after", "0.3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 19)
    }
    assert len(colours) > 20  # a populated window, not a blank one
    assert badge_pixels(image) >= 100  # the stylesheet, bundled as package data, is applied
    assert (home / "data" / "kcterm" / "journal" / "practice.sqlite").exists()
    assert (home / "state" / "kcterm" / "log" / "kcterm.log").exists()
