"""Themes: a Fusion palette, a stylesheet from kcterm/assets/themes and the colours panels paint.

Panels ask `colors()` when they paint, never keep a colour, so switching the theme at run time
takes effect on the next frame without rebuilding anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from kcterm import assets

THEMES = ("dark", "light")


@dataclass(frozen=True)
class ThemeColors:
    name: str
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    button: str
    highlight: str
    bid: str
    ask: str
    bid_bar: str  # size bars behind the ladder's numbers (with alpha)
    ask_bar: str
    cum_bar: str  # cumulative-size bars (fainter)
    own_order: str  # the user's orders on the ladder and the chart
    large_trade: str  # background of large prints on the tape
    grid: str

    def side(self, side: str) -> QColor:
        return QColor(self.bid if side == "buy" else self.ask)

    def signed(self, value: float) -> QColor:
        """PnL and changes: green up, red down, plain text at zero."""
        if value > 0:
            return QColor(self.bid)
        if value < 0:
            return QColor(self.ask)
        return QColor(self.text)


DARK = ThemeColors(
    name="dark",
    window="#1e2126",
    base="#16181c",
    alternate="#1b1e22",
    text="#d8dde3",
    muted="#8a94a1",
    button="#2a2e35",
    highlight="#3a6ea5",
    bid="#26a69a",
    ask="#ef5350",
    bid_bar="#3326a69a",
    ask_bar="#33ef5350",
    cum_bar="#1a9aa4b1",
    own_order="#ffb300",
    large_trade="#3d3520",
    grid="#2a2e35",
)
LIGHT = ThemeColors(
    name="light",
    window="#eef0f3",
    base="#ffffff",
    alternate="#f6f7f9",
    text="#1d2330",
    muted="#5f6b7a",
    button="#e2e5ea",
    highlight="#2f6fb3",
    bid="#0d8a7d",
    ask="#d32f2f",
    bid_bar="#330d8a7d",
    ask_bar="#33d32f2f",
    cum_bar="#1a3c4654",
    own_order="#c77700",
    large_trade="#fff1c9",
    grid="#dde1e6",
)
_BY_NAME = {"dark": DARK, "light": LIGHT}
_current = DARK

# Kept for callers that want the dark side colours without a theme (e.g. tests of old code).
BID_COLOR = QColor(DARK.bid)
ASK_COLOR = QColor(DARK.ask)


def colors() -> ThemeColors:
    return _current


def monospace_font(point_size: int = 10) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(point_size)
    return font


_FUSION_SET = "kctermFusionSet"  # an application property: the Fusion style is in place


def apply_theme(app: QApplication, name: str = "dark") -> ThemeColors:
    """Apply palette and stylesheet of `name` ("dark" or "light") to the whole application."""
    global _current
    theme = _BY_NAME.get(name, DARK)
    _current = theme
    if not app.property(_FUSION_SET):
        # Only once: a new style object re-polishes every widget for nothing. (The style's
        # name cannot tell: under a stylesheet it reads "".)
        app.setStyle("Fusion")
        app.setProperty(_FUSION_SET, True)
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.alternate,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.button,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.highlight,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: theme.button,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Mid: theme.grid,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    # Disabled text of every kind is muted, check-box and label text (WindowText) included:
    # a disabled Post-only box must not look as if it could be ticked.
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    app.setPalette(palette)
    sheet = assets.read_text(f"themes/{theme.name}.qss") or ""
    if app.styleSheet() != sheet:  # a new sheet rebuilds every widget's style: only on change
        app.setStyleSheet(sheet)
    return theme


def apply_dark_theme(app: QApplication) -> None:
    apply_theme(app, "dark")
