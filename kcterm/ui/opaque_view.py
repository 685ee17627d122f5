"""A table view that paints all of its viewport, its background included, and its plain cells
itself.

A view whose viewport Qt does not take as opaque has the widgets under it (its panel, its dock)
painted again with every change of a cell: a new print in the tape or a new price in the
watchlist repainted the whole dock, frame and title bar included (issue 14). The viewport is
marked opaque (WA_OpaquePaintEvent) and the view fills the part it repaints with the
viewport's background itself, so a change repaints the changed cells' rectangle alone; its
scroll bars fill their background too.

Qt's item path paints a cell through the delegate: a style option filled from ~7 data roles
(each a call into the Python model), then the application's stylesheet style drawing an item
panel and laying the text out. That cost ~50 µs a cell, ~11 ms for a full watchlist, and was
the idle window's biggest paint (issue 14). For a SpecTableModel (directly or under a sort /
filter proxy) with the stock delegate and no grid, this view paints the cells under the exposed
region in one pass (each of its rectangles on its own: a few changed prices far apart repaint
those cells, not the rows between them), straight from the model's formatted texts and its
columns' colours:
the background brush, then the text as a cached QStaticText at the alignment Qt's item path
uses (its text margin, vertically centred, elided on the right when the cell is too narrow).
A row that is selected or holds the current item still goes through the delegate, as Qt paints
it (highlight, focus frame), and any other view (a grid, a delegate of its own) takes Qt's path.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRect, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from kcterm.ui.columns import SpecTableModel, _alignment


def prepared_text(text: str, font: QFont) -> QStaticText:
    """`text` as plain text, laid out in `font` once (untransformed), ready to draw."""
    static = QStaticText(text)
    static.setTextFormat(Qt.TextFormat.PlainText)
    static.prepare(QTransform(), font)
    return static


class StaticTexts:
    """QStaticText laid out once per distinct text and font, with its size; a text that does
    not repeat costs one layout, one that does (a price, a symbol) a dictionary look-up."""

    MAX = 4000  # distinct texts kept; the cache starts again beyond it

    def __init__(self) -> None:
        self._texts: dict[str, tuple[QStaticText, float, int]] = {}
        self._font: QFont | None = None
        self._metrics = QFontMetricsF(QFont())

    def use(self, font: QFont) -> None:
        """The font the next texts are drawn in (a new one empties the cache)."""
        if font != self._font:
            self._texts.clear()
            self._font = QFont(font)
            self._metrics = QFontMetricsF(font)

    def get(self, text: str) -> tuple[QStaticText, float, int]:
        """(the laid-out text, its width, its height in whole pixels as Qt's item path
        counts it: truncated)."""
        cached = self._texts.get(text)
        if cached is None:
            if len(self._texts) >= self.MAX:
                self._texts.clear()
            static = prepared_text(text, self._font or QFont())
            # The advance, as Qt's text layout aligns a line (the static text's own width
            # takes in a last glyph's overhang, a pixel off on a "%" or a "K").
            width = self._metrics.horizontalAdvance(text)
            cached = self._texts[text] = (static, width, int(static.size().height()))
        return cached


class OpaqueTableView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        for bar in (self.verticalScrollBar(), self.horizontalScrollBar()):
            # A row inserted at the top (the tape) moves the scroll bar: an opaque one is
            # repainted alone, not with the dock, the panel and the view's frame beneath it.
            bar.setAutoFillBackground(True)
        self._statics = StaticTexts()
        self.paint_cells_here = True  # False: every cell through Qt's item path (comparisons)
        self.own_paints = 0  # passes painted here, not through Qt's item path (tests read it)
        self.cells_painted = 0  # ... and the cells those passes painted

    def paintEvent(self, event: QPaintEvent) -> None:
        viewport = self.viewport()
        background = QPainter(viewport)
        background.fillRect(event.rect(), viewport.palette().brush(viewport.backgroundRole()))
        background.end()
        model = self.model()
        source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
        if (
            not self.paint_cells_here
            or not isinstance(source, SpecTableModel)
            or self.showGrid()
            or not self.isEnabled()  # disabled text: Qt's palette group, its way
            or type(self.itemDelegate()) is not QStyledItemDelegate
        ):
            super().paintEvent(event)
            return
        self._paint_cells(event, model, source)

    def _exposed_cells(self, event: QPaintEvent, model) -> dict[int, set[int]] | None:
        """The cells to paint, by row: those under the paint's region. A few changed cells far
        apart (a watchlist's moving prices) make a region of a few rectangles whose bounding
        rectangle is most of the table: each rectangle is looked at on its own, as Qt's own
        table paint does (the system clip keeps every stroke inside the region). None: no
        cell exposed."""
        rows = model.rowCount()
        if rows == 0:
            return None
        region = event.region()
        rects: Iterable[QRect] = (event.rect(),)
        if region.rectCount() > 1:
            rects = region  # type: ignore[assignment]  # a QRegion iterates its rectangles
        header = self.horizontalHeader()
        spans = [
            (c, header.sectionViewportPosition(c), header.sectionSize(c))
            for c in range(model.columnCount())
            if not header.isSectionHidden(c)
        ]
        bottom = self.rowViewportPosition(rows - 1) + self.rowHeight(rows - 1)
        cells: dict[int, set[int]] = {}
        for rect in rects:
            if rect.top() > bottom:
                continue
            first = self.rowAt(rect.top())
            last = self.rowAt(rect.bottom())
            first = 0 if first < 0 else first
            last = rows - 1 if last < 0 else last
            under = {c for c, x, w in spans if w > 0 and x + w > rect.left() and x <= rect.right()}
            if not under:
                continue
            for r in range(first, last + 1):
                cells.setdefault(r, set()).update(under)
        return cells or None

    def _paint_cells(self, event: QPaintEvent, model, source: SpecTableModel) -> None:
        exposed_cells = self._exposed_cells(event, model)
        if exposed_cells is None:
            return
        header = self.horizontalHeader()
        painted_columns = set().union(*exposed_cells.values())
        columns = []
        for c in sorted(painted_columns):
            x, width = header.sectionViewportPosition(c), header.sectionSize(c)
            column = source.columns[c]
            columns.append((c, x, width, _alignment(column.align), column))
        every_column = len(columns)
        proxy = model if model is not source else None
        selection = self.selectionModel()
        # Selected cells are painted here as Qt's item path paints them: the palette's
        # highlight under the text in its highlighted-text colour (a selected row through
        # the delegate cost an idle watchlist more than the rest of its repaint: issue 14).
        # Only the current cell of a focused view, which carries a focus frame, takes the
        # delegate.
        selected: set[tuple[int, int]] = set()
        focused_row = focused_column = -1
        if selection is not None:
            selected = {(i.row(), i.column()) for i in selection.selectedIndexes()}
            current = selection.currentIndex()
            if current.isValid() and self.hasFocus():
                focused_row, focused_column = current.row(), current.column()
        selected_rows = {r for r, _ in selected}
        group = (
            QPalette.ColorGroup.Active if self.isActiveWindow() else QPalette.ColorGroup.Inactive
        )
        palette = self.palette()
        highlight = palette.brush(group, QPalette.ColorRole.Highlight)
        highlighted_text = palette.color(group, QPalette.ColorRole.HighlightedText)
        statics = self._statics
        font = self.font()
        statics.use(font)
        metrics: QFontMetrics | None = None
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        text_color = self.palette().color(QPalette.ColorRole.Text)
        painter = QPainter(self.viewport())
        painter.setFont(font)
        self.own_paints += 1
        cells = source._cells
        wrap = self.wordWrap()
        items = source._rows
        for r in sorted(exposed_cells):
            top = self.rowViewportPosition(r)
            height = self.rowHeight(r)
            i = proxy.mapToSource(proxy.index(r, 0)).row() if proxy is not None else r
            if i < 0:
                continue
            texts, item = cells[i], items[i]
            in_selection = r in selected_rows
            wanted = exposed_cells[r]
            row_columns = (
                columns if len(wanted) == every_column else [k for k in columns if k[0] in wanted]
            )
            self.cells_painted += len(row_columns)
            for c, x, width, align, column in row_columns:
                if r == focused_row and c == focused_column:
                    self._delegate_cell(painter, model, r, top, height, c, x, width)
                    continue
                chosen = in_selection and (r, c) in selected
                if chosen:
                    painter.fillRect(x, top, width, height, highlight)
                elif column.background is not None:
                    fill = column.background(item)
                    if fill is not None:
                        painter.fillRect(x, top, width, height, fill)
                text = texts[c]
                if not text:
                    continue
                if chosen:
                    painter.setPen(highlighted_text)
                else:
                    color = column.color(item) if column.color is not None else None
                    painter.setPen(color if color is not None else text_color)
                room = width - 2 * margin
                if "\n" in text:  # lines of their own: Qt's item path lays them out
                    self._delegate_cell(painter, model, r, top, height, c, x, width)
                    continue
                picture, text_width, text_height = statics.get(text)
                if text_width > room:
                    if wrap:  # Qt's item path would wrap it or not: let it paint the cell
                        self._delegate_cell(painter, model, r, top, height, c, x, width)
                        continue
                    # Elided on the right, as Qt's item path does without word wrap.
                    if metrics is None:
                        metrics = QFontMetrics(font)
                    text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
                    if not text:
                        continue
                    picture, text_width, text_height = statics.get(text)
                # Where Qt's text layout puts it: the line aligned (at a fraction of a pixel)
                # in the cell's text rectangle, vertically centred in whole pixels.
                if align & Qt.AlignmentFlag.AlignRight:
                    left = x + width - margin - text_width
                elif align & Qt.AlignmentFlag.AlignHCenter:
                    left = x + margin + (room - text_width) / 2
                else:
                    left = x + margin
                painter.drawStaticText(QPointF(left, top + (height - text_height) // 2), picture)
        painter.end()

    def _delegate_cell(
        self, painter: QPainter, model, row: int, top: int, height: int, c: int, x: int, width: int
    ) -> None:
        index = model.index(row, c)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = QRect(x, top, width, height)
        state = option.state
        selection = self.selectionModel()
        if selection is not None and selection.isSelected(index):
            state |= QStyle.StateFlag.State_Selected
        if self.hasFocus() and selection is not None and index == selection.currentIndex():
            state |= QStyle.StateFlag.State_HasFocus
        if not model.flags(index) & Qt.ItemFlag.ItemIsEnabled:
            state &= ~QStyle.StateFlag.State_Enabled
        option.state = state
        painter.save()
        self.itemDelegate().paint(painter, option, index)
        painter.restore()
