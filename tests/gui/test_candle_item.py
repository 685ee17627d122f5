"""The chart's candles (ui.candle_item.CandleItem): the bounding box Qt asks for is worked out
once per change and follows every change (a new high or low of the live candle, a candle
closed, a new history), for candles and for volume bars."""

from __future__ import annotations

from kcterm.ui.candle_item import CandleItem


def box(item: CandleItem) -> tuple[float, float, float, float]:
    rect = item.boundingRect()
    return rect.left(), rect.top(), rect.right(), rect.bottom()


def test_the_bounding_box_follows_the_live_candle_and_new_candles(qapp) -> None:
    item = CandleItem()
    assert item.boundingRect().isNull()
    item.set_bars([(0.0, 10, 12, 9, 11, 5), (60.0, 11, 13, 10, 12, 7)], 60.0)
    assert box(item) == (-60.0, 9.0, 120.0, 13.0)
    assert box(item) == box(item)  # asked again: the same box
    item.set_last((60.0, 11, 15, 10, 14, 9))  # the live candle makes a new high
    assert box(item) == (-60.0, 9.0, 120.0, 15.0)
    item.set_last((60.0, 11, 15, 7, 8, 12))  # ... and a new low
    assert box(item) == (-60.0, 7.0, 120.0, 15.0)
    item.append([(60.0, 11, 15, 7, 8, 12)], (120.0, 8, 9, 6.5, 8.5, 1))  # a candle closed
    assert box(item) == (-60.0, 6.5, 180.0, 15.0)
    item.set_bars([(0.0, 100, 101, 99, 100, 1)], 60.0)  # a new history
    assert box(item) == (-60.0, 99.0, 60.0, 101.0)


def test_volume_bars_grow_from_zero(qapp) -> None:
    item = CandleItem(volume=True)
    item.set_bars([(0.0, 10, 12, 9, 11, 5), (60.0, 11, 13, 10, 12, 7)], 60.0)
    assert box(item) == (-60.0, 0.0, 120.0, 7.0)
    item.set_last((60.0, 11, 13, 10, 12, 30))
    assert box(item) == (-60.0, 0.0, 120.0, 30.0)


def _plot_of_bars(count: int = 300):
    import random

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    rng = random.Random(3)
    bars = []
    price = 100.0
    for i in range(count):
        o, c = price, price + rng.gauss(0, 1)
        bars.append((i * 60.0, o, max(o, c) + abs(rng.gauss(0, 0.5)), min(o, c) - 0.3, c, 5))
        price = c
    plot = pg.PlotWidget()
    item = CandleItem()
    item.set_bars(bars, 60.0)
    plot.addItem(item)
    plot.setXRange((count - 120) * 60.0, count * 60.0, padding=0)
    plot.resize(640, 400)
    plot.show()
    QApplication.processEvents()
    return plot, item


def _paint(plot, item: CandleItem, area):
    """`item` painted as the view paints it with `area` (viewport pixels) exposed."""
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    image = QImage(plot.viewport().size(), QImage.Format.Format_RGB32)
    image.fill(QColor("black"))
    painter = QPainter(image)
    painter.setClipRect(area)
    to_device = item.deviceTransform(plot.viewportTransform())
    painter.setTransform(to_device)
    option = QStyleOptionGraphicsItem()
    option.exposedRect = to_device.inverted()[0].mapRect(area)
    before = item.candles_drawn
    item.paint(painter, option)
    painter.end()
    return image, item.candles_drawn - before


def test_a_repaint_draws_the_candles_its_area_crosses_and_the_pixels_of_a_whole_one(
    qapp,
) -> None:
    from PySide6.QtCore import QRectF

    plot, item = _plot_of_bars()
    width, height = plot.viewport().width(), plot.viewport().height()
    whole, everything = _paint(plot, item, QRectF(0, 0, width, height))
    assert 115 <= everything <= 125  # the visible candles, not the 300 of the history
    to_device = item.deviceTransform(plot.viewportTransform())
    live_x = to_device.map(item.bars()[-1][0], 0)[0]
    one = item.bars()[250]
    one_x, one_y = to_device.map(one[0], one[4])
    areas = {
        "the live candle's column": (QRectF(round(live_x) - 6, 0, 12, height), 4),
        "the last-price line's strip": (QRectF(0, height / 2 - 3, width, 6), 60),
        "around one candle": (QRectF(round(one_x) - 40, round(one_y) - 20, 80, 40), 30),
    }
    for name, (area, most) in areas.items():
        part, drawn = _paint(plot, item, area)
        assert 0 < drawn <= most, name
        clip = area.toAlignedRect()
        assert part.copy(clip) == whole.copy(clip), name
    plot.close()


def test_a_frame_with_the_live_column_and_the_price_strip_dirty_draws_only_theirs(
    qapp,
) -> None:
    # Both dirty in one frame (a trade moves the live candle and the last-price line): Qt's
    # exposedRect bounds them as the whole chart, the widget's clip keeps them apart. The
    # window then shows what a full repaint shows.
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    plot, item = _plot_of_bars()
    viewport = plot.viewport()
    live_x = round(item.deviceTransform(plot.viewportTransform()).map(item.bars()[-1][0], 0)[0])
    before = item.candles_drawn
    viewport.update(QRect(live_x - 6, 0, 12, viewport.height()))
    viewport.update(QRect(0, viewport.height() // 2 - 3, viewport.width(), 6))
    QApplication.processEvents()
    drawn = item.candles_drawn - before
    assert 0 < drawn < 60  # of the ~120 visible
    shown = QApplication.primaryScreen().grabWindow(plot.winId()).toImage()
    repainted = viewport.grab().toImage().convertToFormat(shown.format())
    assert shown.copy(viewport.geometry()) == repainted
    plot.close()
