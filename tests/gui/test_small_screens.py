"""The default layout on laptop screens (issue 10 item 5): at 1366x768 and 1280x720 no control
of the ticket or the watchlist is cut at its dock's edge, every field gets at least the size it
needs, and the watchlist's columns show their whole text. Screenshots of both sizes are saved
for a look by eye (the test prints where)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QScrollBar,
    QStyle,
    QWidget,
)

from kcterm.ui.main_window import MainWindow
from kcterm.ui.ticket_layout import FormScroll
from tests.gui.conftest import trading_ready, until

SIZES = ((1366, 768), (1280, 720))


async def lay_out_at(window: MainWindow, width: int, height: int) -> None:
    # Nothing in the window may need more than the screen: a long notice in the status bar
    # once made the window 1351 px wide at the least.
    window.session.notify("error", "Rejected by the exchange: 300003 · Balance insufficient " * 4)
    window.status.refresh()
    needed = max(window.minimumSizeHint().width(), window.statusBar().minimumSizeHint().width())
    assert needed <= width, f"the window needs {needed} px, wider than a {width} px screen"
    window.showNormal()
    window.resize(width, height)
    await until(
        lambda: window.size().width() == width and window.size().height() == height, 5, "size"
    )
    for _ in range(3):
        await asyncio.sleep(0)  # the loop's turns: Qt lays the docks out at the new size
    window.watchlist.fit_columns()


def parts_of(root: QWidget) -> list[QWidget]:
    """The visible controls under `root`, without the insides of compound widgets (a combo's
    popup, a spin box's line edit, scroll bars, a view's viewport and header)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not root.window():
            continue
        parent = widget.parentWidget()
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QAbstractScrollArea, QHeaderView)):
            continue
        if isinstance(widget, (QScrollBar, QHeaderView)) or widget.objectName().startswith("qt_"):
            continue
        found.append(widget)
    return found


def shown_rect(widget: QWidget, dock: QDockWidget) -> tuple[QRect, bool]:
    """The part of `widget` its ancestors up to the dock let show, in dock coordinates, and
    whether one of them scrolls vertically (its height may then be out of view)."""
    rect = QRect(widget.mapTo(dock, QPoint(0, 0)), widget.size())
    scrolls = False
    ancestor = widget.parentWidget()
    while ancestor is not None and ancestor is not dock:
        if isinstance(ancestor, QAbstractScrollArea):
            scrolls = scrolls or ancestor.verticalScrollBar().maximum() > 0
        shown = QRect(ancestor.mapTo(dock, QPoint(0, 0)), ancestor.size())
        rect = rect.intersected(shown)
        ancestor = ancestor.parentWidget()
    return rect.intersected(dock.rect()), scrolls


def clipped_parts(window: MainWindow, dock_name: str, root: QWidget) -> list[str]:
    dock = window.docks[dock_name]
    cut = []
    for widget in parts_of(root):
        need = widget.minimumSizeHint()
        label = widget.objectName() or str(getattr(widget, "text", str)())
        name = f"{type(widget).__name__}({label:.24})"
        if widget.width() < need.width() or widget.height() < need.height():
            cut.append(f"{name} is {widget.width()}x{widget.height()}, needs {need.toTuple()}")
            continue
        rect, scrolls = shown_rect(widget, dock)
        if rect.width() < min(need.width(), widget.width()):
            cut.append(f"{name} shows {rect.width()} of {widget.width()} px across")
        if not scrolls and rect.height() < min(need.height(), widget.height()):
            cut.append(f"{name} shows {rect.height()} of {widget.height()} px down")
    return cut


@pytest.mark.parametrize(("width", "height"), SIZES)
async def test_the_default_layout_cuts_no_control_of_the_ticket_or_the_watchlist(
    window: MainWindow, width: int, height: int, tmp_path: Path
) -> None:
    await trading_ready(window)
    ticket = window.ticket
    ticket.set_kind("stop_limit")  # every field of the ticket enabled and shown
    ticket.margin.apply_button.setVisible(True)  # cross margin's Set button, the widest row
    await lay_out_at(window, width, height)
    shot = tmp_path / f"desk_{width}x{height}.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
    for name in ("order_ticket", "watchlist"):
        dock = window.docks[name]
        assert dock.isVisible() and dock.geometry().right() < width, f"{name} off screen"
    assert clipped_parts(window, "order_ticket", ticket) == []
    scroll = ticket.findChild(FormScroll)
    form = scroll.widget()
    assert form.width() <= scroll.viewport().width()  # nothing out of reach across
    assert form.height() >= form.minimumSizeHint().height()  # scrolling down reaches it all
    assert clipped_parts(window, "watchlist", window.watchlist) == []
    for needed in (
        ticket.type_box,
        ticket.margin.mode_box,
        ticket.trigger_box,
        ticket.bracket_button,
        ticket.sl_edit,
        ticket.tp_edit,
    ):
        assert needed in parts_of(ticket), f"{needed} not shown"


@pytest.mark.parametrize(("width", "height"), SIZES)
async def test_watchlist_columns_show_their_whole_text(
    window: MainWindow, width: int, height: int
) -> None:
    await trading_ready(window)
    panel = window.watchlist
    await until(lambda: panel.model.rowCount() == 3, 10, "the watchlist rows")
    await lay_out_at(window, width, height)
    view, header = panel.view, panel.view.horizontalHeader()
    shown = [c for c in range(panel.model.columnCount()) if not header.isSectionHidden(c)]
    titles = [panel.model.headerData(c, Qt.Orientation.Horizontal) for c in shown]
    assert titles[:2] == ["Symbol", "Last"] and len(shown) >= 4
    assert sum(header.sectionSize(c) for c in shown) <= view.viewport().width()
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    metrics = view.fontMetrics()
    for column in shown:
        assert header.sectionSize(column) >= header.sectionSizeHint(column)  # the title
        for row in range(panel.proxy.rowCount()):
            text = str(panel.proxy.index(row, column).data() or "")
            assert metrics.horizontalAdvance(text) + margin <= header.sectionSize(column), (
                f"{text!r} cut in column {column}"
            )
    assert {panel.proxy.index(r, 0).data() for r in range(3)} == {
        "XBTUSDTM",
        "ETHUSDTM",
        "SOLUSDTM",
    }
