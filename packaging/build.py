"""Build the one-folder desktop app: python packaging/build.py [--dist DIR] [--work DIR].

Works the same on Linux, macOS and Windows (run it with the venv's Python, after
`pip install -e ".[package]"`). Steps: render kcterm/assets/icons/kcterm.svg to PNG (and ICO on
Windows) with Qt, run PyInstaller on packaging/kcterm.spec, then put the .desktop entry and the
icon into the folder for Linux desktops. Prints the build time and the folder's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "kcterm" / "assets" / "icons" / "kcterm.svg"


def render_icon(out_dir: Path) -> Path:
    """kcterm.png at 256 px (and kcterm.ico on Windows), drawn from the SVG by Qt."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    out_dir.mkdir(parents=True, exist_ok=True)
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    png = out_dir / "kcterm.png"
    if not image.save(str(png)):
        raise SystemExit(f"could not write {png}")
    if sys.platform == "win32":
        ico = out_dir / "kcterm.ico"
        if image.save(str(ico)):  # Qt's ICO writer ships with PySide6's image plugins
            return ico
    return png


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    args = parser.parse_args(argv)
    started = time.monotonic()
    icon = render_icon(args.work / "icon")
    env = dict(os.environ, KCTERM_ICON=str(icon))
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={args.dist}",
        f"--workpath={args.work}",
        str(ROOT / "packaging" / "kcterm.spec"),
    ]
    done = subprocess.run(command, env=env, cwd=ROOT)
    if done.returncode != 0:
        return done.returncode
    app_dir = args.dist / "kcterm"
    shutil.copy2(ROOT / "packaging" / "kcterm.desktop", app_dir / "kcterm.desktop")
    shutil.copy2(icon.with_suffix(".png"), app_dir / "kcterm.png")
    seconds = time.monotonic() - started
    size_mb = folder_size(app_dir) / 1e6
    print(f"built {app_dir} in {seconds:.0f} s; {size_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
