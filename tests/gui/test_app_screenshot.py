"""`kcterm --screenshot` runs the whole app (embedded exchange included) and saves a PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def test_screenshot_of_a_populated_window(tmp_path: Path) -> None:
    out = tmp_path / "window.png"
    # The practice account is kept in the user data dir: keep this run's in tmp_path.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "kcterm", "--screenshot", str(out), "--after", "0.3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(out))
    assert image.width() >= 800 and image.height() >= 500
    # A populated window is not one flat colour: sample a grid and expect many distinct pixels.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 13)
    }
    assert len(colours) > 20
    assert "demo-secret" not in done.stdout + done.stderr
    assert (tmp_path / "kcterm" / "practice.sqlite").exists()  # the account is kept
