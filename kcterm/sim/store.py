"""The exchange's memory across restarts: accounts, positions, orders, their records and where
each market stood, in one SQLite file (kcterm-sim's user data directory; tests keep
everything in memory).

Durable by construction (issue 12): every acknowledged write is on disk before its answer
leaves. The server calls ``flush`` after every REST call that may change something (before
the reply is sent) and after every market step or funding settlement that changed a trader's
state; a flush is one SQLite transaction (WAL, synchronous=FULL) that writes only what
changed: the dirty orders, the accounts (a few small rows), the records appended since the
last flush and the markets' levels. So ``kill -9`` at any moment loses nothing that was
acknowledged.

IDs (orders, trades, positions, closes) are reserved on disk a block at a time before the
first of them is handed out; a restarted exchange starts after the last reserved block, so it
never reissues an ID, whatever it lost or did not.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import sqlite3
from collections import deque
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from kcterm.sim.accounts import MAX_RECORDS, Account
from kcterm.sim.orders import SimOrder
from kcterm.sim.positions import Position

if TYPE_CHECKING:
    from kcterm.sim.engine import Engine
    from kcterm.sim.market import SyntheticMarket

log = logging.getLogger("kcterm.sim.store")

SCHEMA_VERSION = 2
ID_BLOCK = 100_000  # IDs reserved per disk write (the market's own orders use them too)
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
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS accounts (user_id TEXT PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS orders (order_id TEXT PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS records "
    "(seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT, kind TEXT, value BLOB)",
)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, deque):
        return list(value)
    raise TypeError(type(value).__name__)


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


def _decimals(row: dict[str, Any]) -> dict[str, Any]:
    return {k: Decimal(v) if k in _DECIMAL_FIELDS and v is not None else v for k, v in row.items()}


def _record(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """Ledger lines keep Decimal amounts (the API renders them); other records are text."""
    if name != "ledger":
        return row
    money = ("amount", "fee", "accountEquity")
    return {k: Decimal(v) if k in money and isinstance(v, str) else v for k, v in row.items()}


class DurableIds(Iterator[int]):
    """A counter whose numbers are on disk before they are used: ``next`` reserves a block
    of ID_BLOCK in the state table (one small committed write) each time the last reserved
    number is reached."""

    def __init__(self, store: StateStore, name: str, start: int) -> None:
        self._store = store
        self.name = name
        self._next = start
        self._limit = start  # nothing reserved yet

    def __next__(self) -> int:
        if self._next >= self._limit:
            self._limit = self._next + ID_BLOCK
            self._store.reserve(self.name, self._limit)
        value = self._next
        self._next += 1
        return value


class StateStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every transaction is an explicit BEGIN ... COMMIT below.
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is fsynced, so an acknowledged write survives a power cut too, not
        # only a killed process (measured in tests/perf/test_sim_durable_orders.py).
        self._db.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            self._db.execute(statement)
        # The last record of each list already on disk (by identity: records are appended
        # and never changed), so a flush writes only what came after it.
        self._last: dict[tuple[str, str], dict[str, Any] | None] = {}

    def close(self) -> None:
        self._db.close()

    # -- IDs -------------------------------------------------------------------------------

    def reserve(self, name: str, limit: int) -> None:
        with self._transaction():
            self._put(f"ids:{name}", orjson.dumps(limit))

    def attach(self, engine: Engine, starts: dict[str, int] | None = None) -> None:
        """Hand the engine and clearing durable counters and start tracking dirty orders.
        ``starts``: where each counter resumes (the saved reservations)."""
        given = starts or {}
        engine._order_ids = DurableIds(self, "order", given.get("order", next(engine._order_ids)))
        engine._trade_ids = DurableIds(self, "trade", given.get("trade", next(engine._trade_ids)))
        engine.clearing._ids = DurableIds(
            self, "clearing", given.get("clearing", next(engine.clearing._ids))
        )
        engine.dirty_orders = set()

    # -- writing ---------------------------------------------------------------------------

    def flush(self, engine: Engine, market: SyntheticMarket) -> None:
        """Write what changed since the last flush, in one transaction."""
        dirty = engine.dirty_orders or set()
        orders = [engine.orders.get(order_id) for order_id in dirty]
        with self._transaction():
            for account in engine.clearing.accounts.values():
                if account.user_id in engine.bot_users:
                    continue
                self._db.execute(
                    "INSERT OR REPLACE INTO accounts VALUES (?, ?)",
                    (account.user_id, _dumps(self._account(account))),
                )
                for name in _RECORDS:
                    fresh = self._fresh(account, name)
                    if fresh:
                        self._db.executemany(
                            "INSERT INTO records (user_id, kind, value) VALUES (?, ?, ?)",
                            [(account.user_id, name, _dumps(row)) for row in fresh],
                        )
            self._db.executemany(
                "INSERT OR REPLACE INTO orders VALUES (?, ?)",
                [(o.order_id, _dumps(self._order(o))) for o in orders if o is not None],
            )
            self._put("markets", _dumps(market.state()))
        dirty.clear()

    save = flush  # at shutdown: the same, nothing more to do

    def _fresh(self, account: Account, name: str) -> list[dict[str, Any]]:
        rows: deque[dict[str, Any]] = getattr(account, name)
        key = (account.user_id, name)
        last = self._last.get(key)
        fresh: list[dict[str, Any]] = []
        for row in reversed(rows):
            if row is last:
                break
            fresh.append(row)
        if rows:
            self._last[key] = rows[-1]
        fresh.reverse()
        return fresh

    @staticmethod
    def _order(order: SimOrder) -> dict[str, Any]:
        return {"symbol": order.symbol, **{f: getattr(order, f) for f in _ORDER_FIELDS}}

    @staticmethod
    def _account(account: Account) -> dict[str, Any]:
        return {
            "user_id": account.user_id,
            "balances": account.balances,
            "version": account.version,
            "margin_modes": account.margin_modes,
            "cross_leverage": account.cross_leverage,
            "positions": [
                {"symbol": p.spec.symbol, **{f: getattr(p, f) for f in _POSITION_FIELDS}}
                for p in account.positions.values()
                if p.qty != 0
            ],
        }

    def _put(self, key: str, value: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    def _get(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else orjson.loads(row[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- reading ---------------------------------------------------------------------------

    def load(self, engine: Engine, market: SyntheticMarket) -> bool:
        """Restore a saved exchange into a fresh one (before its books are seeded) and attach
        the durable counters. False when there was nothing to restore."""
        legacy = self._get("snapshot")
        if legacy is not None:
            restored = self._load_snapshot(engine, market, legacy)
            self._migrated(engine, market)
            return restored
        starts = {
            name: int(limit)
            for name in ("order", "trade", "clearing")
            if (limit := self._get(f"ids:{name}")) is not None
        }
        self.attach(engine, starts)
        markets = self._get("markets")
        if markets is None:
            self.flush(engine, market)  # a new file: the opening deposit is a record too
            return False
        market.restore(markets)
        specs = {symbol: m.spec for symbol, m in engine.markets.items()}
        for (blob,) in self._db.execute("SELECT value FROM accounts"):
            data = orjson.loads(blob)
            account = self._restored_account(data, specs)
            engine.clearing.accounts[account.user_id] = account
        self._load_records(engine)
        count = 0
        for (blob,) in self._db.execute("SELECT value FROM orders"):
            self._restore_order(engine, orjson.loads(blob), specs)
            count += 1
        log.info(
            "restored %d accounts and %d orders from %s",
            len(engine.clearing.accounts),
            count,
            self.path,
        )
        return True

    @staticmethod
    def _restored_account(data: dict[str, Any], specs: dict[str, Any]) -> Account:
        # Files written before per-currency wallets kept the USDT balance alone.
        saved = data.get("balances") or {"USDT": data["balance"]}
        account = Account(
            data["user_id"],
            {currency: Decimal(amount) for currency, amount in saved.items()},
            margin_modes=data["margin_modes"],
            cross_leverage=data["cross_leverage"],
            version=data["version"],
        )
        for pos in data["positions"]:
            fields = _decimals({k: v for k, v in pos.items() if k != "symbol"})
            account.positions[pos["symbol"]] = Position(specs[pos["symbol"]], **fields)
        return account

    @staticmethod
    def _restore_order(engine: Engine, data: dict[str, Any], specs: dict[str, Any]) -> None:
        fields = _decimals({k: v for k, v in data.items() if k != "symbol"})
        fields["resting"] = False
        engine.restore_order(SimOrder(spec=specs[data["symbol"]], **fields))

    def _load_records(self, engine: Engine) -> None:
        overfull: set[tuple[str, str]] = set()
        rows = self._db.execute("SELECT user_id, kind, value FROM records ORDER BY seq")
        for user_id, kind, blob in rows:
            account = engine.clearing.accounts.get(user_id)
            if account is None or kind not in _RECORDS:
                continue
            records: deque[dict[str, Any]] = getattr(account, kind)
            if len(records) == records.maxlen:
                overfull.add((user_id, kind))
            records.append(_record(kind, orjson.loads(blob)))
        for account in engine.clearing.accounts.values():
            for name in _RECORDS:
                records = getattr(account, name)
                self._last[(account.user_id, name)] = records[-1] if records else None
        with self._transaction():  # what memory no longer keeps, the file need not either
            for user_id, kind in overfull:
                self._db.execute(
                    "DELETE FROM records WHERE user_id = ? AND kind = ? AND seq <= "
                    "(SELECT seq FROM records WHERE user_id = ? AND kind = ? "
                    "ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                    (user_id, kind, user_id, kind, MAX_RECORDS),
                )

    # -- the snapshot format of schema 1 (read once, then rewritten as schema 2) -------------

    def _load_snapshot(
        self, engine: Engine, market: SyntheticMarket, snapshot: dict[str, Any]
    ) -> bool:
        if snapshot.get("version") != 1:
            log.warning("ignoring saved state of schema %s", snapshot.get("version"))
            self.attach(engine)
            return False
        specs = {symbol: m.spec for symbol, m in engine.markets.items()}
        market.restore(snapshot["markets"])
        for data in snapshot["accounts"]:
            account = self._restored_account(data, specs)
            for name in _RECORDS:
                rows = data[name]
                getattr(account, name).extend(_record(name, row) for row in rows)
            engine.clearing.accounts[account.user_id] = account
        for data in snapshot["orders"]:
            self._restore_order(engine, data, specs)
        engine._order_ids = itertools.count(snapshot["order_id"])
        engine._trade_ids = itertools.count(snapshot["trade_id"])
        # Schema 1 did not save the clearing counter: start it well past anything it issued.
        engine.clearing._ids = itertools.count(next(engine.clearing._ids) + 10 * ID_BLOCK)
        self.attach(engine)
        return True

    def _migrated(self, engine: Engine, market: SyntheticMarket) -> None:
        assert engine.dirty_orders is not None
        engine.dirty_orders.update(o.order_id for o in engine.orders.values())
        self.flush(engine, market)
        with self._transaction():
            self._db.execute("DELETE FROM state WHERE key = 'snapshot'")
        log.info("state of %s rewritten in schema %d", self.path, SCHEMA_VERSION)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
