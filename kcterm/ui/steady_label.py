"""A label whose text changes often without relaying out the window.

QLabel.setText asks its parent layout to run again, and a layout that ran asks its own parent:
one new price in the ticker or one new age in the status bar relaid out the dock, the main
window and every other dock (QDockWidgetLayout::sizeFromContent was a sixth of an idle
window's CPU, issue 14). A widget of fixed size stops that chain at itself, so a value label
is given a fixed size: as wide as the widest text it has shown (grown when a wider one comes,
which relays out once), as high as its font needs. A new text then repaints the label alone.
In a layout cell wider than the label, give the label an alignment (a fixed-size widget is
centred otherwise).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def set_steady_text(label: QLabel, text: str) -> bool:
    """Show `text` in `label`, keeping its size fixed; False when it was shown already."""
    old = label.text()
    if old == text:
        return False
    label.setText(text)
    if len(text) != len(old) or label.minimumSize() != label.maximumSize():
        hold_size(label)  # the panels' fonts are monospaced: same length, same width
    return True


def hold_size(label: QLabel) -> None:
    """Fix `label`'s size to fit its text (never narrower than it is now)."""
    label.ensurePolished()  # the theme's font (a stylesheet's font-size) is in the hint
    hint = label.sizeHint()
    fixed = label.minimumSize() == label.maximumSize()
    width = max(hint.width(), label.minimumWidth() if fixed else 0)
    if not fixed or width != label.minimumWidth() or hint.height() != label.minimumHeight():
        label.setFixedSize(width, hint.height())


def release_size(label: QLabel) -> None:
    """Let `label` fit its next text afresh (say, another symbol's prices)."""
    label.setMinimumSize(0, 0)
    label.setMaximumSize(16777215, 16777215)  # QWIDGETSIZE_MAX
