"""The bench's plots as one PNG, painted with QPainter on a QImage (no plotting library: Qt is
already a dependency, and painting an image needs no window, only a QGuiApplication)."""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

from kcterm.bench.harness import Plot

PANEL_W, PANEL_H = 760, 420
COLUMNS = 2
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 70, 20, 40, 90
PALETTE = ("#2f7ed8", "#e4572e", "#29a36a", "#8e44ad", "#f2a541", "#555555")


def _application() -> None:
    if QGuiApplication.instance() is None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _keep.append(QGuiApplication(sys.argv[:1]))


_keep: list[QGuiApplication] = []


def write_png(plots: Sequence[Plot], path: Path) -> None:
    _application()
    rows = max(1, math.ceil(len(plots) / COLUMNS))
    columns = min(COLUMNS, max(1, len(plots)))
    image = QImage(PANEL_W * columns, PANEL_H * rows, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        for index, plot in enumerate(plots):
            row, column = divmod(index, COLUMNS)
            _panel(painter, QRectF(column * PANEL_W, row * PANEL_H, PANEL_W, PANEL_H), plot)
    finally:
        painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):  # PNG, by the suffix
        raise OSError(f"could not write {path}")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _panel(painter: QPainter, box: QRectF, plot: Plot) -> None:
    area = QRectF(
        box.left() + MARGIN_L,
        box.top() + MARGIN_T,
        box.width() - MARGIN_L - MARGIN_R,
        box.height() - MARGIN_T - MARGIN_B,
    )
    painter.setPen(QColor("black"))
    title = QFont()
    title.setPointSize(11)
    title.setBold(True)
    painter.setFont(title)
    painter.drawText(
        QRectF(box.left(), box.top() + 6, box.width(), 24), Qt.AlignmentFlag.AlignCenter, plot.title
    )
    small = QFont()
    small.setPointSize(8)
    painter.setFont(small)
    ys = [y for series in plot.series for y in series.ys]
    top = _nice_max(max(ys, default=1.0))
    painter.setPen(QPen(QColor("#cccccc"), 1))
    for tick in range(6):
        value = top * tick / 5
        y = area.bottom() - area.height() * tick / 5
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.setPen(QColor("black"))
        painter.drawText(
            QRectF(box.left(), y - 8, MARGIN_L - 6, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"{value:g}",
        )
        painter.setPen(QPen(QColor("#cccccc"), 1))
    painter.setPen(QPen(QColor("black"), 1))
    painter.drawLine(area.bottomLeft(), area.bottomRight())
    painter.drawLine(area.bottomLeft(), area.topLeft())
    painter.save()
    painter.translate(box.left() + 14, area.center().y())
    painter.rotate(-90)
    painter.drawText(
        QRectF(-area.height() / 2, -8, area.height(), 16),
        Qt.AlignmentFlag.AlignCenter,
        plot.y_label,
    )
    painter.restore()
    painter.drawText(
        QRectF(area.left(), box.bottom() - 22, area.width(), 16),
        Qt.AlignmentFlag.AlignCenter,
        plot.x_label,
    )
    if plot.bars:
        _bars(painter, area, plot, top)
    else:
        _lines(painter, area, plot, top)
    # legend
    x = area.left() + 8
    for index, series in enumerate(plot.series):
        color = QColor(PALETTE[index % len(PALETTE)])
        painter.fillRect(QRectF(x, area.top() + 4, 10, 10), color)
        painter.setPen(QColor("black"))
        painter.drawText(QPointF(x + 14, area.top() + 13), series.label)
        x += 24 + 7 * len(series.label)


def _bars(painter: QPainter, area: QRectF, plot: Plot, top: float) -> None:
    groups = len(plot.bars)
    per = len(plot.series)
    slot = area.width() / max(1, groups)
    width = slot * 0.7 / max(1, per)
    for group, name in enumerate(plot.bars):
        left = area.left() + slot * group + slot * 0.15
        for index, series in enumerate(plot.series):
            if group >= len(series.ys):
                continue
            value = series.ys[group]
            height = area.height() * value / top
            rect = QRectF(left + width * index, area.bottom() - height, width - 2, height)
            painter.fillRect(rect, QColor(PALETTE[index % len(PALETTE)]))
            painter.setPen(QColor("black"))
            painter.drawText(
                QRectF(rect.left() - 10, rect.top() - 15, rect.width() + 20, 14),
                Qt.AlignmentFlag.AlignCenter,
                f"{value:.3g}",
            )
        painter.save()
        painter.translate(area.left() + slot * (group + 0.5), area.bottom() + 6)
        painter.rotate(20)
        painter.drawText(QPointF(0, 10), name[:48])
        painter.restore()


def _lines(painter: QPainter, area: QRectF, plot: Plot, top: float) -> None:
    xs = [x for series in plot.series for x in series.xs]
    low, high = min(xs, default=0.0), max(xs, default=1.0)
    span = (high - low) or 1.0

    def at(x: float, y: float) -> QPointF:
        return QPointF(
            area.left() + area.width() * (x - low) / span, area.bottom() - area.height() * y / top
        )

    for x in sorted(set(xs)):
        point = at(x, 0)
        painter.setPen(QColor("black"))
        painter.drawText(
            QRectF(point.x() - 30, area.bottom() + 4, 60, 14),
            Qt.AlignmentFlag.AlignCenter,
            f"{x:g}",
        )
    for index, series in enumerate(plot.series):
        color = QColor(PALETTE[index % len(PALETTE)])
        painter.setPen(QPen(color, 2))
        points = [at(x, y) for x, y in zip(series.xs, series.ys, strict=True)]
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
        for point in points:
            painter.drawEllipse(point, 3, 3)
