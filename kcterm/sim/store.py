"""The exchange's memory across restarts: accounts, positions, orders and where each market
stood, in one SQLite file (kcterm-sim's user data directory; tests keep everything in memory).

The whole state is small (one demo account, a few hundred orders), so it is written as a
snapshot: every few seconds while something changed, and at shutdown. A crash loses at most
the last interval; a snapshot is written in one transaction, so the file is never half-new.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import sqlite3
from collections import deque
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from kcterm.sim.accounts import Account
from kcterm.sim.orders import SimOrder
from kcterm.sim.positions import Position

if TYPE_CHECKING:
    from kcterm.sim.engine import Engine
    from kcterm.sim.market import SyntheticMarket

log = logging.getLogger("kcterm.sim.store")

SCHEMA_VERSION = 1
_ORDER_FIELDS = [f.name for f in dataclasses.fields(SimOrder) if f.name != "spec"]
_POSITION_FIELDS = [f.name for f in dataclasses.fields(Position) if f.name != "spec"]
_DECIMAL_FIELDS = {
    "deal_value",
    "stop_price",
    "tp_price",
    "sl_price",
    "entry",
    "margin",
    "realised_gross",
    "fees",
    "funding",
    "closed_value",
    "peak_margin",
    "deposited",
    "last_entry",
}
_RECORDS = ("fills", "ledger", "funding_history", "closed_positions")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, deque):
        return list(value)
    raise TypeError(type(value).__name__)


def _decimals(row: dict[str, Any]) -> dict[str, Any]:
    return {k: Decimal(v) if k in _DECIMAL_FIELDS and v is not None else v for k, v in row.items()}


def _records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ledger lines keep Decimal amounts (the API renders them); other records are text."""
    money = ("amount", "fee", "accountEquity")
    return [
        {k: Decimal(v) if k in money and isinstance(v, str) else v for k, v in r.items()}
        for r in rows
    ]


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB)")

    def close(self) -> None:
        self._db.close()

    # -- writing ---------------------------------------------------------------------------

    def save(self, engine: Engine, market: SyntheticMarket) -> None:
        bots = engine.bot_users
        orders = [o for o in engine.orders.values() if o.user_id not in bots]
        snapshot = {
            "version": SCHEMA_VERSION,
            "order_id": next(engine._order_ids),
            "trade_id": next(engine._trade_ids),
            "accounts": [self._account(a) for a in engine.clearing.accounts.values()],
            "orders": [
                {"symbol": o.symbol, **{f: getattr(o, f) for f in _ORDER_FIELDS}} for o in orders
            ],
            "markets": market.state(),
        }
        engine._order_ids = itertools.count(snapshot["order_id"] + 1)
        engine._trade_ids = itertools.count(snapshot["trade_id"] + 1)
        blob = orjson.dumps(snapshot, default=_default)
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO state VALUES ('snapshot', ?)", (blob,))

    @staticmethod
    def _account(account: Account) -> dict[str, Any]:
        data = {
            "user_id": account.user_id,
            "balance": account.balance,
            "version": account.version,
            "margin_modes": account.margin_modes,
            "cross_leverage": account.cross_leverage,
            "positions": [
                {"symbol": p.spec.symbol, **{f: getattr(p, f) for f in _POSITION_FIELDS}}
                for p in account.positions.values()
                if p.qty != 0
            ],
        }
        for name in _RECORDS:
            data[name] = getattr(account, name)
        return data

    # -- reading ---------------------------------------------------------------------------

    def load(self, engine: Engine, market: SyntheticMarket) -> bool:
        """Restore a saved exchange into a fresh one (before its books are seeded)."""
        row = self._db.execute("SELECT value FROM state WHERE key = 'snapshot'").fetchone()
        if row is None:
            return False
        snapshot = orjson.loads(row[0])
        if snapshot.get("version") != SCHEMA_VERSION:
            log.warning("ignoring saved state of schema %s", snapshot.get("version"))
            return False
        specs = {symbol: m.spec for symbol, m in engine.markets.items()}
        market.restore(snapshot["markets"])
        for data in snapshot["accounts"]:
            account = Account(
                data["user_id"],
                Decimal(data["balance"]),
                margin_modes=data["margin_modes"],
                cross_leverage=data["cross_leverage"],
                version=data["version"],
            )
            for name in _RECORDS:
                rows = data[name]
                getattr(account, name).extend(_records(rows) if name == "ledger" else rows)
            for pos in data["positions"]:
                fields = _decimals({k: v for k, v in pos.items() if k != "symbol"})
                account.positions[pos["symbol"]] = Position(specs[pos["symbol"]], **fields)
            engine.clearing.accounts[account.user_id] = account
        for data in snapshot["orders"]:
            fields = _decimals({k: v for k, v in data.items() if k != "symbol"})
            fields["resting"] = False
            engine.restore_order(SimOrder(spec=specs[data["symbol"]], **fields))
        engine._order_ids = itertools.count(snapshot["order_id"])
        engine._trade_ids = itertools.count(snapshot["trade_id"])
        log.info(
            "restored %d accounts and %d orders from %s",
            len(snapshot["accounts"]),
            len(snapshot["orders"]),
            self.path,
        )
        return True
