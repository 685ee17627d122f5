"""`kcterm journal export`: fills with realised PnL, and funding payments, as CSV.

PnL is computed over every fill in the journal, oldest first, so positions opened before
`since` are known when they are closed after it; only rows at or after `since` are written.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from kcterm.journal_store.pnl import PnlBook
from kcterm.journal_store.schema import open_db

COLUMNS = [
    "time_utc",
    "type",
    "symbol",
    "side",
    "size_lots",
    "price",
    "fee",
    "fee_currency",
    "liquidity",
    "realised_pnl",
    "funding",
    "currency",
    "order_id",
    "trade_id",
]


@dataclass(frozen=True)
class ExportSummary:
    fills: int
    funding: int
    realised_pnl: Decimal
    fees: Decimal
    funding_total: Decimal


def parse_since(text: str | None) -> float:
    """'2024-05-01' (UTC midnight) or an ISO date-time (UTC unless it names a zone)."""
    if not text:
        return 0.0
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--since: a date like 2024-05-01 or 2024-05-01T09:30, not {text!r}"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def plain(value: Decimal) -> str:
    """Exact text without exponent notation or trailing zeros ("12.5", not "1.25E+1")."""
    return format(value.normalize(), "f") if value else "0"


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC).isoformat(timespec="milliseconds")


def export_csv(journal: Path, out: IO[str] | Path, since: float = 0.0) -> ExportSummary:
    conn = open_db(journal, readonly=True)
    try:
        fills = conn.execute(
            "SELECT at, symbol, side, size, price, multiplier, inverse, fee, fee_currency, "
            "liquidity, order_id, trade_id FROM fills ORDER BY at, trade_id"
        ).fetchall()
        funding = conn.execute(
            "SELECT at, symbol, amount, currency FROM funding WHERE at >= ? ORDER BY at",
            (since,),
        ).fetchall()
    finally:
        conn.close()
    if isinstance(out, Path):
        with out.open("w", newline="", encoding="utf-8") as handle:
            return _write(handle, fills, funding, since)
    return _write(out, fills, funding, since)


def _write(handle: IO[str], fills: list, funding: list, since: float) -> ExportSummary:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    book = PnlBook()
    rows: list[tuple[float, list[str]]] = []
    pnl_total = fee_total = funding_total = Decimal(0)
    count = 0
    for at, symbol, side, size, price, mult, inverse, fee, fee_ccy, liq, order_id, trade in fills:
        realised = book.fill(symbol, side, size, Decimal(price), Decimal(mult), bool(inverse))
        if at < since:
            continue
        count += 1
        pnl_total += realised
        fee_total += Decimal(fee or 0)
        rows.append(
            (
                at,
                [
                    _iso(at),
                    "fill",
                    symbol,
                    side,
                    str(size),
                    price,
                    fee if fee is not None else "",
                    fee_ccy or "",
                    liq,
                    plain(realised),
                    "",
                    fee_ccy or "",
                    order_id,
                    trade,
                ],
            )
        )
    for at, symbol, amount, currency in funding:
        funding_total += Decimal(amount)
        row = [_iso(at), "funding", symbol, "", "", "", "", "", "", "", amount, currency, "", ""]
        rows.append((at, row))
    rows.sort(key=lambda pair: pair[0])  # fills and funding in one time line
    writer.writerows(row for _, row in rows)
    return ExportSummary(count, len(funding), pnl_total, fee_total, funding_total)
