"""KuCoin's two ways of paging a list: numbered pages ({currentPage, pageSize, totalNum,
totalPage, items}) and offset pages ({dataList, hasMore})."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from kcterm.sim import params

T = TypeVar("T")


def numbered_page(
    rows: Sequence[T],
    query: dict[str, str],
    render: Callable[[T], Any] = lambda row: row,
    *,
    max_size: int = 1000,
) -> dict[str, Any]:
    """Only the requested page is rendered, so a long history costs one page of work."""
    current = params.whole(query, "currentPage", default=1, minimum=1)
    size = params.whole(query, "pageSize", default=50, minimum=1, maximum=max_size)
    start = (current - 1) * size
    return {
        "currentPage": current,
        "pageSize": size,
        "totalNum": len(rows),
        "totalPage": (len(rows) + size - 1) // size,
        "items": [render(row) for row in rows[start : start + size]],
    }


def has_more_page(
    rows: Iterable[dict[str, Any]], query: dict[str, str], key: str
) -> dict[str, Any]:
    """KuCoin's offset paging: newest first by default (reverse=true); `offset` is the key of
    the last item of the previous page; `forward` flips the direction; at most 100."""
    items = list(rows)
    reverse = params.text(query, "reverse", default="true", choices=("true", "false")) == "true"
    forward = params.text(query, "forward", default="false", choices=("true", "false")) == "true"
    count = params.whole(query, "maxCount", default=10, minimum=1, maximum=100)
    start = params.whole(query, "startAt", default=0)
    end = params.whole(query, "endAt", default=0)
    time_key = "timePoint" if items and "timePoint" in items[0] else "time"
    items = [r for r in items if r[time_key] >= start and (not end or r[time_key] <= end)]
    if reverse:
        items.reverse()
    offset = query.get("offset")
    if offset:
        keys = [str(r[key]) for r in items]
        if offset in keys:
            at = keys.index(offset)
            items = items[:at] if forward else items[at + 1 :]
    return {"dataList": items[:count], "hasMore": len(items) > count}
