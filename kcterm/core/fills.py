"""Our own fills by trade id, from the order feed's match events and, after an outage, from
GET /api/v1/recentFills: a fill missed while disconnected is recovered, never counted twice."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal
from kcterm.venue.events import Fill, OrderUpdate, Side

MAX_FILLS = 5000

__all__ = ["Fill", "Fills"]


class Fills:
    def __init__(self, maxlen: int = MAX_FILLS) -> None:
        self._fills: OrderedDict[str, Fill] = OrderedDict()
        self._maxlen = maxlen
        self.version = 0

    def __len__(self) -> int:
        return len(self._fills)

    def __contains__(self, trade_id: object) -> bool:
        return trade_id in self._fills

    def all(self) -> list[Fill]:
        return sorted(self._fills.values(), key=lambda f: f.ts_ns, reverse=True)

    def on_match(self, update: OrderUpdate) -> Fill | None:
        """A MATCH of the order feed: our trade, without its fee (the feed carries none)."""
        if not update.trade_id:
            return None
        return self._add(
            Fill(
                update.trade_id,
                update.order_id,
                update.symbol,
                update.side,
                update.match_price or Decimal(0),
                update.match_size,
                update.liquidity,
                update.ts_ns,
            )
        )

    def merge_recent(self, items: list[dict[str, Any]]) -> list[Fill]:
        """Add the recentFills rows we have not seen; returns the recovered ones."""
        recovered = []
        for item in reversed(items):  # oldest first, so the table stays in time order
            if str(item.get("tradeType") or "trade") != "trade":
                continue
            fill = Fill(
                str(item["tradeId"]),
                str(item.get("orderId", "")),
                str(item.get("symbol", "")),
                Side(str(item.get("side") or "buy")),
                to_decimal(item.get("price") or 0),
                int(item.get("size") or 0),
                str(item.get("liquidity") or ""),
                int(item.get("tradeTime") or 0),
            )
            if self._add(fill) is not None:
                recovered.append(fill)
        return recovered

    def _add(self, fill: Fill) -> Fill | None:
        if fill.trade_id in self._fills:
            return None
        self._fills[fill.trade_id] = fill
        while len(self._fills) > self._maxlen:
            self._fills.popitem(last=False)
        self.version += 1
        return fill
