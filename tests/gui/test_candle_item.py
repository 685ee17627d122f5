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
