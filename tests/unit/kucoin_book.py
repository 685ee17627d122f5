"""Feed a LevelTwoBook KuCoin's wire values the way the adapter does: parsed by
venue.kucoin.market_events, refused there when unreadable (the book then hears it was lost)."""

from __future__ import annotations

from typing import Any

from kcterm.core.book import LevelTwoBook
from kcterm.venue.kucoin.market_events import BadMarketData, book_delta, book_snapshot


def increment(book: LevelTwoBook, sequence: object, change: object) -> bool:
    """One level2 message (`sequence`, `change` "price,side,size"); True: resync needed."""
    try:
        delta = book_delta(book.symbol, sequence, change)
    except BadMarketData as exc:
        return book.lost(f"level2 message refused: {exc}")
    return book.on_delta(delta)


def load_snapshot(book: LevelTwoBook, data: Any) -> bool:
    """GET /api/v1/level2/snapshot data; True: another snapshot is needed."""
    try:
        parsed = book_snapshot(book.symbol, data)
    except BadMarketData as exc:
        return book.refuse_snapshot(str(exc))
    return book.apply_snapshot(parsed)
