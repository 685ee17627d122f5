"""The wheel, installed alone, gives the styled window: stylesheets and icons ship inside it.

Builds the wheel with plain pip (`pip wheel --no-deps`, build isolation: setuptools comes from
PyPI or pip's cache), installs it without dependencies into a fresh venv with no system site
packages, and starts `kcterm --screenshot` from that venv's own console script, offscreen, in an
empty HOME and a working directory away from the source tree. The third-party dependencies
(PySide6 alone is hundreds of MB) are borrowed from the test's own environment through a plain
path in a .pth file: that adds their directory to sys.path without running the .pth files in it,
so the editable install's finder never activates and kcterm can only come from the wheel (the
test checks that). Then the SIM badge's background, as the stylesheet declares it, must appear in
the picture: without the stylesheet there is no such pixel.

Slow (about 15-30 s on 2 cores: building the wheel, then Qt starting the window), so it is
marked `slow`; CI runs it (only `perf` is deselected by default).
"""

from __future__ import annotations

import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.packaging.styled import badge_pixels

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)
def test_the_installed_wheel_shows_the_styled_window(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    (wheel,) = tmp_path.glob("kcterm-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("themes/dark.qss", "themes/light.qss", "icons/kcterm.svg", "icons/link.svg"):
        assert f"kcterm/assets/{asset}" in names
    assert "kcterm/spec/REFERENCE.md" in names
    assert "kcterm/spec/rest/openapi-futures-order.json" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / ("python.exe" if sys.platform == "win32" else "python")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    install = subprocess.run(
        [*pip, "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-4000:]
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib) / "_borrowed_dependencies.pth").write_text("\n".join(deps) + "\n")

    home = tmp_path / "home"
    env = {
        "HOME": str(home),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    where = subprocess.run(
        [str(python), "-c", "import kcterm.assets, PySide6; print(kcterm.assets.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, where.stderr[-4000:]
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout  # not the source tree

    kcterm = bin_dir / ("kcterm.exe" if sys.platform == "win32" else "kcterm")
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [str(kcterm), "--screenshot", str(shot), "--after", "0.3"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
    painted = badge_pixels(image)
    print(f"\n{painted} pixels of the SIM badge's background in the status bar")
    assert painted >= 100, "the SIM badge's styled background is not in the picture"
