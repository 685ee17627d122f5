"""Whether a `kcterm --screenshot` picture shows the stylesheet applied: the SIM badge's
background, as dark.qss declares it, painted in the status bar. Without the stylesheet the
badge is a plain label and no pixel has that colour."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QColor, QImage

ROOT = Path(__file__).resolve().parents[2]


def declared_badge_colour() -> QColor:
    qss = (ROOT / "kcterm" / "assets" / "themes" / "dark.qss").read_text(encoding="utf-8")
    found = re.search(r"QLabel#venueBadgeSim\s*\{[^}]*background:\s*(#[0-9a-fA-F]{6})", qss)
    assert found, "dark.qss no longer declares the SIM badge's background"
    return QColor(found.group(1))


def badge_pixels(image: QImage) -> int:
    """Pixels of the SIM badge's background in the bottom 60 rows (the status bar)."""
    badge = declared_badge_colour().rgb()
    return sum(
        1
        for y in range(max(0, image.height() - 60), image.height())
        for x in range(image.width())
        if image.pixel(x, y) == badge
    )
