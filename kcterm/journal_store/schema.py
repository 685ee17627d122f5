"""The journal's tables and how a connection to the file is opened (WAL, foreign-free)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1

# Money and prices are TEXT (exact Decimal strings as the exchange sent them), never REAL.
DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,            -- wall clock, seconds
    session TEXT NOT NULL,       -- one id per run of kcterm
    kind TEXT NOT NULL,          -- action | reply | error | event | info
    symbol TEXT NOT NULL,
    code TEXT NOT NULL,          -- KuCoin's code, for errors
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_at ON entries(at);
CREATE TABLE IF NOT EXISTS fills (
    trade_id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    size INTEGER NOT NULL,       -- lots
    price TEXT NOT NULL,
    multiplier TEXT NOT NULL,    -- contract size: PnL = lots * multiplier * price move
    inverse INTEGER NOT NULL,    -- 1 for coin-margined contracts (PnL in the base coin)
    fee TEXT,                    -- NULL until the exchange's fill list confirms it
    fee_currency TEXT,
    liquidity TEXT NOT NULL,
    order_id TEXT NOT NULL,
    source TEXT NOT NULL         -- feed (order stream) | rest (fill list) | both
);
CREATE INDEX IF NOT EXISTS fills_at ON fills(at);
CREATE TABLE IF NOT EXISTS funding (
    id TEXT PRIMARY KEY,         -- symbol:exchange id
    at REAL NOT NULL,
    symbol TEXT NOT NULL,
    rate TEXT NOT NULL,
    mark_price TEXT NOT NULL,
    position_qty INTEGER NOT NULL,
    amount TEXT NOT NULL,        -- positive: received, negative: paid
    currency TEXT NOT NULL
);
-- A fill the exchange reported under a trade id the journal already holds with another
-- side, size or price (an exchange that lost its state and reissued the id, say): the known
-- fill is kept, the new one is kept here, and the trader is told. Never merged.
CREATE TABLE IF NOT EXISTS fill_conflicts (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,            -- when the conflict was seen
    trade_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,          -- what the exchange now reports
    size INTEGER NOT NULL,
    price TEXT NOT NULL,
    order_id TEXT NOT NULL,
    source TEXT NOT NULL,        -- feed | rest
    known_side TEXT NOT NULL,    -- what the journal holds for that trade id
    known_size INTEGER NOT NULL,
    known_price TEXT NOT NULL,
    UNIQUE (trade_id, side, size, price)
);
CREATE TABLE IF NOT EXISTS discrepancies (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    symbol TEXT NOT NULL,
    what TEXT NOT NULL
);
"""


def journal_path(profile_slug: str, data_dir: Path | None = None) -> Path:
    """<user data dir>/journal/<PROFILE>.sqlite: one file per profile."""
    if data_dir is None:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir("kcterm", appauthor=False))
    return data_dir / "journal" / f"{profile_slug.lower()}.sqlite"


def open_db(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        if not path.exists():
            raise FileNotFoundError(f"no journal at {path}")
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    # WAL: a crash loses at most the last transaction, and readers (export) never block the
    # writer. synchronous=NORMAL is durable across application crashes in WAL mode.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(DDL)
    conn.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
    )
    conn.commit()
    return conn
