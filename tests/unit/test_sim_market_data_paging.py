"""hasMore paging of the index, premium and interest series (spec/REFERENCE.md 7.7), on
worked examples."""

from __future__ import annotations

from kcterm.sim.points import PageRequest, PointLog, Timeline, page


def log_of(count: int) -> PointLog[float]:
    log: PointLog[float] = PointLog(1_000)
    for i in range(count):
        log.add(1_000 * (i + 1), float(i))
    return log


def times(items: list[tuple[int, float]]) -> list[int]:
    return [t for t, _ in items]


def test_the_first_page_is_the_newest_ten() -> None:
    items, more = page(Timeline.of_log(log_of(25)), PageRequest())
    assert times(items) == [1_000 * i for i in range(25, 15, -1)]
    assert more is True


def test_offset_walks_every_point_once_in_either_order() -> None:
    timeline = Timeline.of_log(log_of(25))
    for reverse in (True, False):
        seen: list[int] = []
        req = PageRequest(reverse=reverse, max_count=7)
        while True:
            items, more = page(timeline, req)
            seen += times(items)
            if not more:
                break
            req = PageRequest(reverse=reverse, max_count=7, offset=items[-1][0])
        expected = [1_000 * i for i in range(1, 26)]
        assert seen == (expected[::-1] if reverse else expected)


def test_forward_false_walks_back_to_the_previous_page() -> None:
    timeline = Timeline.of_log(log_of(25))
    items, more = page(timeline, PageRequest(offset=15_000, forward=False, max_count=3))
    assert times(items) == [18_000, 17_000, 16_000] and more is True


def test_start_and_end_bound_the_page() -> None:
    timeline = Timeline.of_log(log_of(25))
    items, more = page(timeline, PageRequest(start_at=5_000, end_at=9_000, reverse=False))
    assert times(items) == [5_000, 6_000, 7_000, 8_000, 9_000] and more is False


def test_a_regular_timeline_pages_without_materialising_years_of_points() -> None:
    timeline = Timeline.regular(0, 60_000, 60_000 * 5_000_000, 0.0003)
    assert timeline.count == 5_000_001
    items, more = page(timeline, PageRequest(max_count=2))
    assert items == [(300_000_000_000, 0.0003), (299_999_940_000, 0.0003)] and more is True
    items, _ = page(timeline, PageRequest(offset=120_000, max_count=5))
    assert times(items) == [60_000, 0]


def test_the_log_keeps_the_newest_points_and_replaces_a_repeated_instant() -> None:
    log: PointLog[int] = PointLog(3)
    for t in range(1, 8):
        log.add(t, t)
    log.add(7, 70)
    assert log.times[-3:] == [5, 6, 7] and log.last() == (7, 70) and len(log) <= 6
    assert log.between(6, 7) == [(6, 6), (7, 70)]
