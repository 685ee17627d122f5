"""Ladder rules: price levels grouped by a multiple of the tick, and the user's own orders.

Bids group down and asks group up, so a group's price is never better than any level in it
and a click on a grouped row prices an order that still sits on the tick grid.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from kcterm.core.orders import OpenOrder

Level = tuple[Decimal, int]
GROUP_MULTIPLES = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)


def bucket_price(price: Decimal, step: Decimal, side: str) -> Decimal:
    """The group a price falls in: floor for bids ("buy"), ceiling for asks ("sell")."""
    if step <= 0:
        raise ValueError("group step must be positive")
    units = price / step
    whole = units.to_integral_value(rounding=ROUND_FLOOR if side == "buy" else ROUND_CEILING)
    return whole * step


def group_levels(
    levels: Iterable[Level],
    step: Decimal,
    side: str,
    depth: int,
    buckets: dict[Decimal, Decimal] | None = None,
) -> list[Level]:
    """Merge best-first `levels` into at most `depth` groups of `step`, best first.

    `buckets` price -> group, of this side and step, kept by a caller that groups the same
    prices frame after frame (the ladder model): a Decimal division per level is skipped."""
    out: list[Level] = []
    for price, size in levels:
        known = None if buckets is None else buckets.get(price)
        if known is not None:
            bucket = known
        else:
            bucket = bucket_price(price, step, side)
            if buckets is not None:
                buckets[price] = bucket
        if out and out[-1][0] == bucket:
            out[-1] = (bucket, out[-1][1] + size)
        elif len(out) >= depth:
            break
        else:
            out.append((bucket, size))
    return out


def levels_needed(depth: int, multiple: int, cap: int = 5000) -> int:
    """How many raw levels can fill `depth` groups: each group holds at most `multiple`."""
    return min(cap, depth * multiple)


def own_sizes(
    orders: Iterable[OpenOrder], symbol: str, step: Decimal
) -> dict[tuple[str, Decimal], int]:
    """(side, group price) -> the user's remaining lots resting there."""
    sizes: dict[tuple[str, Decimal], int] = {}
    for order in orders:
        if order.symbol != symbol or order.order_type != "limit" or order.remaining <= 0:
            continue
        key = (order.side, bucket_price(order.price, step, order.side))
        sizes[key] = sizes.get(key, 0) + order.remaining
    return sizes
