"""What goes into the journal file, row by row: fed by the in-memory Journal and by FillSync.

`on_entry` is the kcterm.core.journal listener: every line the trader sees in the journal panel
is kept, and when the line carries the exchange's payload, that payload is recorded too:
- a tradeOrders "match" event      -> a fill (source "feed"; the fee follows from the fill list)
- data {"funding": <funding item>} -> a funding payment (GET /api/v1/funding-history shape)
- data {"discrepancy": "..."}      -> a reconciliation discrepancy
Text passes the secret redactor before it is queued.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from kcterm.core.journal import JournalEntry
from kcterm.journal_store.writer import JournalWriter
from kcterm.logging_setup import REDACTOR

# symbol -> (multiplier, inverse); None when the contract is unknown
ContractLookup = Callable[[str], tuple[Decimal, bool] | None]

_ENTRY = "INSERT INTO entries(at, session, kind, symbol, code, text) VALUES (?, ?, ?, ?, ?, ?)"
_FILL_COLUMNS = (
    "trade_id, at, symbol, side, size, price, multiplier, inverse, fee, fee_currency, "
    "liquidity, order_id, source"
)
_FILL_VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
# The order feed's fill comes first; the fill list adds the fee. Either may arrive alone.
_FEED_FILL = (
    f"INSERT INTO fills({_FILL_COLUMNS}) VALUES ({_FILL_VALUES}) "
    "ON CONFLICT(trade_id) DO UPDATE SET source = 'both' WHERE source = 'rest'"
)
_REST_FILL = (
    f"INSERT INTO fills({_FILL_COLUMNS}) VALUES ({_FILL_VALUES}) "
    "ON CONFLICT(trade_id) DO UPDATE SET fee = excluded.fee, "
    "fee_currency = excluded.fee_currency, "
    "source = CASE WHEN source = 'feed' THEN 'both' ELSE source END"
)
_FUNDING = (
    "INSERT OR IGNORE INTO funding(id, at, symbol, rate, mark_price, position_qty, amount, "
    "currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_DISCREPANCY = "INSERT INTO discrepancies(at, symbol, what) VALUES (?, ?, ?)"


class JournalRecorder:
    def __init__(self, writer: JournalWriter, contracts: ContractLookup) -> None:
        self.writer = writer
        self.contracts = contracts
        self.session_id = uuid.uuid4().hex[:12]
        self.feed_trade_ids: dict[str, float] = {}  # fills the order feed reported: id -> at
        self.fill_listeners: list[Callable[[], None]] = []  # FillSync wants to hear of fills

    # -- the core.journal listener -------------------------------------------------------------

    def on_entry(self, entry: JournalEntry, data: Mapping[str, Any] | None) -> None:
        text = REDACTOR.redact(entry.text)
        self.writer.execute(
            _ENTRY, (entry.at, self.session_id, entry.kind.value, entry.symbol, entry.code, text)
        )
        if entry.kind.value == "event":
            # Any order event may mean a fill: let FillSync fetch the fill list soon.
            for listener in self.fill_listeners:
                listener()
        if not data:
            return
        if data.get("type") == "match" and data.get("tradeId"):
            self.feed_fill(data)
        elif "funding" in data:
            self.funding(data["funding"])
        elif "discrepancy" in data:
            self.discrepancy(str(data["discrepancy"]), entry.symbol)

    # -- rows ------------------------------------------------------------------------------

    def feed_fill(self, data: Mapping[str, Any]) -> None:
        """A fill from a tradeOrders "match" event (spec/REFERENCE.md 8.3): no fee in it."""
        trade_id = str(data["tradeId"])
        at = _seconds(data.get("ts")) or time.time()
        self.feed_trade_ids[trade_id] = at
        self.writer.execute(
            _FEED_FILL,
            self._fill_row(
                trade_id,
                at,
                data,
                size=data.get("matchSize"),
                price=data.get("matchPrice"),
                fee=None,
                source="feed",
            ),
        )

    def rest_fill(self, item: Mapping[str, Any]) -> None:
        """A fill from GET /api/v1/recentFills or /api/v1/fills (spec/REFERENCE.md 7.x): with
        fee."""
        at = _seconds(item.get("tradeTime")) or _seconds(item.get("createdAt")) or time.time()
        row = self._fill_row(
            str(item["tradeId"]),
            at,
            item,
            size=item.get("size"),
            price=item.get("price"),
            fee=item.get("fee"),
            source="rest",
        )
        self.writer.execute(_REST_FILL, row)

    def funding(self, item: Mapping[str, Any]) -> None:
        """A funding payment in GET /api/v1/funding-history's shape."""
        symbol = str(item.get("symbol", ""))
        self.writer.execute(
            _FUNDING,
            (
                f"{symbol}:{item.get('id')}",
                _seconds(item.get("timePoint")) or time.time(),
                symbol,
                str(item.get("fundingRate", "")),
                str(item.get("markPrice", "")),
                int(item.get("positionQty") or 0),
                str(item.get("funding", "0")),
                str(item.get("settleCurrency", "")),
            ),
        )

    def discrepancy(self, what: str, symbol: str = "") -> None:
        self.writer.execute(_DISCREPANCY, (time.time(), symbol, REDACTOR.redact(what)))

    def _fill_row(
        self,
        trade_id: str,
        at: float,
        data: Mapping[str, Any],
        *,
        size: Any,
        price: Any,
        fee: Any,
        source: str,
    ) -> tuple[Any, ...]:
        symbol = str(data.get("symbol", ""))
        found = self.contracts(symbol)
        multiplier, inverse = found if found is not None else (Decimal(1), False)
        return (
            trade_id,
            at,
            symbol,
            str(data.get("side", "")),
            int(Decimal(str(size or 0))),
            str(price or "0"),
            str(multiplier),
            int(inverse),
            None if fee is None else str(fee),
            str(data.get("feeCurrency") or data.get("settleCurrency") or ""),
            str(data.get("liquidity", "")),
            str(data.get("orderId", "")),
            source,
        )


def _seconds(stamp: Any) -> float | None:
    """KuCoin times come in ns (tradeTime, ts) or ms (createdAt, timePoint): tell by size."""
    if stamp in (None, ""):
        return None
    value = int(stamp)
    if value > 10**17:
        return value / 1e9
    if value > 10**14:
        return value / 1e6
    return value / 1e3
