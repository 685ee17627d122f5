"""Our own fills by trade id, from the order feed's match events and, after an outage, from
GET /api/v1/recentFills: a fill missed while disconnected is recovered, never counted twice."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal
from kcterm.venue.events import Fill as VenueFill

MAX_FILLS = 5000


@dataclass(frozen=True, slots=True)
class Fill:
    trade_id: str
    order_id: str
    symbol: str
    side: str
    price: Decimal
    size: int
    liquidity: str
    ts_ns: int


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

    def on_match_event(self, data: dict[str, Any]) -> Fill | None:
        """A tradeOrders `match` payload."""
        trade_id = str(data.get("tradeId") or "")
        if not trade_id:
            return None
        return self._add(
            Fill(
                trade_id,
                str(data.get("orderId", "")),
                str(data.get("symbol", "")),
                str(data.get("side", "")),
                to_decimal(data.get("matchPrice") or 0),
                int(data.get("matchSize") or 0),
                str(data.get("liquidity") or ""),
                int(data.get("ts") or 0),
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
                str(item.get("side", "")),
                to_decimal(item.get("price") or 0),
                int(item.get("size") or 0),
                str(item.get("liquidity") or ""),
                int(item.get("tradeTime") or 0),
            )
            if self._add(fill) is not None:
                recovered.append(fill)
        return recovered

    def merge_fills(self, fills: Iterable[VenueFill]) -> list[Fill]:
        """Add the venue's listed fills (newest first, as listed) we have not seen; returns the
        recovered ones. Only trades: a settlement or deleveraging row is not a fill here."""
        recovered = []
        for fill in reversed(list(fills)):  # oldest first, so the table stays in time order
            if fill.trade_type != "trade":
                continue
            mine = Fill(
                fill.trade_id,
                fill.order_id,
                fill.symbol,
                fill.side.value,
                fill.price,
                fill.size,
                fill.liquidity,
                fill.ts_ns,
            )
            if self._add(mine) is not None:
                recovered.append(mine)
        return recovered

    def _add(self, fill: Fill) -> Fill | None:
        if fill.trade_id in self._fills:
            return None
        self._fills[fill.trade_id] = fill
        while len(self._fills) > self._maxlen:
            self._fills.popitem(last=False)
        self.version += 1
        return fill
