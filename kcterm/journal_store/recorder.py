"""What goes into the journal file, row by row: fed by the in-memory Journal and, with the
venue's typed values, by the reconciler's passes (journal_store.fill_sync).

`on_entry` is the kcterm.core.journal listener: every line the trader sees in the journal panel
is kept, and when the line carries the exchange's payload, that payload is recorded too:
- a tradeOrders "match" event      -> a fill (source "feed"; the fee follows from the fill list)
- data {"discrepancy": "..."}      -> a reconciliation discrepancy
Text passes the secret redactor before it is queued.

`record_fill` (a venue Fill with its fee, from the fill list) and `record_funding` (a
FundingPayment) are the typed entry points; `record_feed_fill` takes the order feed's fill.

A trade id is one fill: the feed's and the fill list's reports of it merge into one row. A
report under a known trade id with another side, size or price is not that fill (an exchange
that lost its state may hand the id out again): it is never merged, it is kept in
fill_conflicts and the trader is told in the journal.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kcterm.core.journal import EntryKind, Journal, JournalEntry
from kcterm.journal_store.schema import open_db
from kcterm.journal_store.writer import JournalWriter
from kcterm.logging_setup import REDACTOR
from kcterm.venue.events import Fill, FundingPayment, OrderEventKind, OrderUpdate

log = logging.getLogger("kcterm.journal_store")

# What makes a fill that fill: (side, lots, price). Prices compare as Decimals, so the feed's
# "60000.50" and the fill list's "60000.5" are the same.
FillKey = tuple[str, int, Decimal | str]

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
_CONFLICT = (
    "INSERT OR IGNORE INTO fill_conflicts(at, trade_id, symbol, side, size, price, order_id, "
    "source, known_side, known_size, known_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class JournalRecorder:
    def __init__(
        self, writer: JournalWriter, contracts: ContractLookup, journal: Journal | None = None
    ) -> None:
        """``journal``: where a conflicting fill is announced (the journal panel shows it)."""
        self.writer = writer
        self.contracts = contracts
        self.journal = journal
        self.session_id = uuid.uuid4().hex[:12]
        self.feed_trade_ids: dict[str, float] = {}  # fills the order feed reported: id -> at
        self.known_fills: dict[str, FillKey] = self._load_known()
        self.conflicts: list[tuple[str, FillKey, FillKey]] = []  # (trade id, known, new)
        self._announced: set[tuple[str, FillKey]] = set()

    def _load_known(self) -> dict[str, FillKey]:
        """The fills already in the file, so a conflict with an earlier session is seen."""
        try:
            conn = open_db(self.writer.path, readonly=True)
        except (OSError, sqlite3.Error):
            return {}  # a new journal: nothing known yet
        try:
            rows = conn.execute("SELECT trade_id, side, size, price FROM fills").fetchall()
        except sqlite3.Error:
            return {}
        finally:
            conn.close()
        return {str(t): _fill_key(side, size, price) for t, side, size, price in rows}

    # -- the core.journal listener -------------------------------------------------------------

    def on_entry(self, entry: JournalEntry, data: Mapping[str, Any] | None) -> None:
        text = REDACTOR.redact(entry.text)
        self.writer.execute(
            _ENTRY, (entry.at, self.session_id, entry.kind.value, entry.symbol, entry.code, text)
        )
        if data and "discrepancy" in data:  # the reconciler's finding (core.reconcile)
            self.discrepancy(str(data["discrepancy"]), entry.symbol)

    # -- rows ------------------------------------------------------------------------------

    def on_order_update(self, update: OrderUpdate) -> None:
        """The order feed's typed event (a bus subscriber, profile_runner): a MATCH is a fill
        without its fee; the reconcile pass's fill list brings the fee (record_fill)."""
        if update.kind is not OrderEventKind.MATCH or not update.trade_id:
            return
        fill = Fill(
            trade_id=update.trade_id,
            order_id=update.order_id,
            symbol=update.symbol,
            side=update.side,
            price=update.match_price or Decimal(0),
            size=update.match_size,
            liquidity=update.liquidity,
            ts_ns=update.ts_ns,
        )
        self.record_feed_fill(fill)

    def record_feed_fill(self, fill: Fill) -> None:
        """A fill the order feed reported (its fee, if any, is not recorded from here)."""
        at = _seconds(fill.ts_ns) or time.time()
        row = self._fill_row(fill, at, fee=None, source="feed")
        if not self._same_fill(row):
            return
        self.feed_trade_ids[fill.trade_id] = at
        self.writer.execute(_FEED_FILL, row)

    def record_fill(self, fill: Fill) -> None:
        """A fill with its fee, from the venue's fill list: merged into the feed's row of it."""
        at = _seconds(fill.ts_ns) or time.time()
        row = self._fill_row(fill, at, fee=fill.fee, source="rest")
        if self._same_fill(row):
            self.writer.execute(_REST_FILL, row)

    def _same_fill(self, row: tuple[Any, ...]) -> bool:
        """True when the row is new or the fill already known under its trade id; False (and
        the conflict recorded and told) when that id is known as another fill."""
        trade_id, symbol, side, size, price = row[0], row[2], row[3], row[4], row[5]
        new = _fill_key(side, size, price)
        known = self.known_fills.setdefault(trade_id, new)
        if known == new:
            return True
        if (trade_id, new) in self._announced:
            return False  # the fill list is fetched again and again: told once is enough
        self._announced.add((trade_id, new))
        self.conflicts.append((trade_id, known, new))
        self.writer.execute(
            _CONFLICT,
            (
                time.time(),
                trade_id,
                symbol,
                side,
                size,
                price,
                row[11],  # order id
                row[12],  # source
                known[0],
                known[1],
                str(known[2]),
            ),
        )
        text = (
            f"Fill conflict on {symbol or 'an unknown contract'}: trade {trade_id} is already "
            f"in the journal as {_shown(known)}, and the exchange now reports {_shown(new)} "
            "under the same id. The journal kept the first and did not merge them; compare "
            "with the exchange's fill history (an exchange that lost its state may have "
            "reused the id)."
        )
        log.warning("journal: %s", text)
        if self.journal is not None:
            self.journal.add(EntryKind.ERROR, text, symbol=symbol)
        else:
            self.discrepancy(text, symbol)
        return False

    def record_funding(self, payment: FundingPayment) -> None:
        """A funding payment; the same one again is ignored (the symbol and its id)."""
        self.writer.execute(
            _FUNDING,
            (
                f"{payment.symbol}:{payment.payment_id}",
                _seconds(payment.ts_ns) or time.time(),
                payment.symbol,
                str(payment.rate),
                str(payment.mark_price),
                payment.position_qty,
                str(payment.amount),
                payment.currency,
            ),
        )

    def discrepancy(self, what: str, symbol: str = "") -> None:
        self.writer.execute(_DISCREPANCY, (time.time(), symbol, REDACTOR.redact(what)))

    def _fill_row(
        self, fill: Fill, at: float, *, fee: Decimal | None, source: str
    ) -> tuple[Any, ...]:
        found = self.contracts(fill.symbol)
        multiplier, inverse = found if found is not None else (Decimal(1), False)
        return (
            fill.trade_id,
            at,
            fill.symbol,
            fill.side.value,
            fill.size,
            str(fill.price),
            str(multiplier),
            int(inverse),
            None if fee is None else str(fee),
            fill.fee_currency,
            fill.liquidity,
            fill.order_id,
            source,
        )


def _fill_key(side: Any, size: Any, price: Any) -> FillKey:
    exact: Decimal | str = str(price)  # not a number: only the same text is the same price
    try:
        number = Decimal(exact)
        if number.is_finite():
            exact = number
    except InvalidOperation:
        pass
    return str(side), int(size), exact


def _shown(key: FillKey) -> str:
    side, size, price = key
    return f"{side} {size} lots at {price}"


def _seconds(ts_ns: int) -> float | None:
    """Nanoseconds since the epoch as seconds; None for an unknown (0) time."""
    return ts_ns / 1e9 if ts_ns else None
