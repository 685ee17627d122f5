"""A grey veil over a panel whose feed is stale, with its age ("stale 12 s").

Numbers that are no longer the market's must not look like it (issue 10). The veil is a
translucent layer over a dock's panel: it lets every click through (cancelling and closing
stay possible; placing is refused by the interlock anyway) and hides itself as soon as data
flows again. What "stale" means per panel is the session's (core.health Freshness):
a symbol's market panels follow its book feed, positions the private link, the watchlist the
public link. `veil_docks` puts one on each such dock of a window; the Desk calls it. The
window's veils look together, 4 times a second (Veils.refresh_hz): staleness is counted in
seconds, and panels of one feed are greyed and un-greyed on the same frame. A veil that is up
looks again on every frame (Veils.lift), so data that comes back (the first snapshot at
start, issue 14) shows on the next frame, not up to a quarter of a second later; a window
whose feeds flow pays nothing for that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from kcterm.core.health import Freshness

if TYPE_CHECKING:
    from kcterm.ui.main_window import MainWindow

Probe = Callable[[], Freshness]


class StaleVeil(QWidget):
    def __init__(self, panel: QWidget, probe: Probe) -> None:
        super().__init__(panel)
        self.setObjectName("staleVeil")
        self._panel = panel
        self._probe = probe
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(
            "#staleVeil { background-color: rgba(96, 96, 96, 150); }"
            "#staleVeilText { color: #f0f0f0; background: rgba(0, 0, 0, 170);"
            " padding: 3px 8px; border-radius: 3px; font-weight: bold; }"
        )
        self.label = QLabel()
        self.label.setObjectName("staleVeilText")
        layout = QVBoxLayout(self)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignCenter)
        panel.installEventFilter(self)
        self.hide()
        self.up = False  # shown by refresh(): `greyed` without asking Qt, every frame (lift)

    @property
    def greyed(self) -> bool:
        return self.isVisibleTo(self._panel)

    def refresh(self) -> None:
        fresh = self._probe()
        if fresh.stale:
            if self.label.text() != fresh.text:
                self.label.setText(fresh.text)
            if not self.greyed:
                self.setGeometry(self._panel.rect())
                self.raise_()
                self.show()
            self.up = True
        else:
            if self.greyed:
                self.hide()
            self.up = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._panel and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._panel.rect())
        return False


class Veils(dict[str, StaleVeil]):
    """A window's veils by dock name, refreshed together on its frame clock."""

    refresh_hz = 4  # the frame clock calls refresh() at this rate (ui.frame_clock)

    def refresh(self) -> None:
        for veil in self.values():
            veil.refresh()

    def lift(self) -> None:
        """Every frame: the veils that are up look again, all of them on the same frame."""
        greyed = [veil for veil in self.values() if veil.up]
        if greyed and any(not veil._probe().stale for veil in greyed):
            for veil in greyed:
                veil.refresh()


def veil_docks(window: MainWindow) -> Veils:
    """A veil on the book, tape, ticker, chart, positions and watchlist docks of `window`,
    repainted on its frame clock; returns them by dock name."""
    session = window.session
    probes: dict[str, Probe] = {
        "order_book": lambda: session.health.market_freshness(window.book.symbol),
        "trades": lambda: session.health.market_freshness(window.tape.symbol),
        "ticker": lambda: session.health.market_freshness(window.ticker.symbol),
        "chart": lambda: session.health.market_freshness(window.chart_symbol),
        "positions": session.health.private_freshness,
        "watchlist": session.health.public_freshness,
    }
    veils = Veils()
    for name, probe in probes.items():
        dock: QDockWidget | None = window.docks.get(name)
        panel = dock.widget() if dock is not None else None
        if panel is None:
            continue
        veils[name] = StaleVeil(panel, probe)
    window.frame_clock.add(veils.refresh)
    window.frame_clock.add(veils.lift, hz=window.frame_clock.fps)
    return veils
