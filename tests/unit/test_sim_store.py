"""The exchange's state file: a schema-1 snapshot (kcterm-sim before issue 12) is read once and
rewritten in the per-row schema, and records are kept bounded on disk."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import orjson

from kcterm.sim import SimConfig, SimExchange
from kcterm.sim.server import DEMO_USER
from kcterm.sim.store import StateStore

SYMBOL = "XBTUSDTM"


def _schema_1_file(path: Path) -> tuple[str, int]:
    """A state file as the snapshot store wrote it: one JSON blob under key 'snapshot'."""
    exchange = SimExchange(SimConfig(port=0, market=False, seed=3))
    exchange.market.seed_books()
    engine = exchange.engine
    bid = engine.market(SYMBOL).snapshot()["bids"][0][0]
    resting = engine.place(
        DEMO_USER,
        {
            "clientOid": "old-1",
            "symbol": SYMBOL,
            "side": "buy",
            "type": "limit",
            "price": str(Decimal(str(bid)) - 50),
            "size": 3,
            "leverage": 10,
        },
    )
    engine.place(
        DEMO_USER,
        {"clientOid": "old-2", "symbol": SYMBOL, "side": "buy", "type": "market", "size": 2},
    )
    next_order_id = next(engine._order_ids)
    account = engine.clearing.account(DEMO_USER)
    snapshot = {
        "version": 1,
        "order_id": next_order_id,
        "trade_id": next(engine._trade_ids),
        "accounts": [
            {
                **StateStore._account(account),
                **{n: list(getattr(account, n)) for n in ("fills", "ledger")},
                "funding_history": [],
                "closed_positions": [],
            }
        ],
        "orders": [StateStore._order(o) for o in engine.user_orders(DEMO_USER)],
        "markets": exchange.market.state(),
    }
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB)")
    blob = orjson.dumps(snapshot, default=lambda v: str(v) if isinstance(v, Decimal) else list(v))
    db.execute("INSERT INTO state VALUES ('snapshot', ?)", (blob,))
    db.commit()
    db.close()
    return resting.order_id, next_order_id


async def test_a_schema_1_file_is_read_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    resting_id, next_id = _schema_1_file(path)
    for _ in range(2):  # the first start migrates, the second reads the new schema
        exchange = SimExchange(SimConfig(port=0, market=False, state_path=path))
        await exchange.start()
        try:
            engine = exchange.engine
            assert engine.orders[resting_id].is_active
            assert engine.clearing.account(DEMO_USER).positions[SYMBOL].qty == 2
            assert len(engine.clearing.account(DEMO_USER).fills) >= 1
            assert next(engine._order_ids) >= next_id
        finally:
            await exchange.stop()
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT COUNT(*) FROM state WHERE key = 'snapshot'").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 2
    finally:
        db.close()


async def test_records_on_disk_stay_as_bounded_as_in_memory(tmp_path: Path) -> None:
    from kcterm.sim.accounts import MAX_RECORDS

    path = tmp_path / "many.sqlite"
    exchange = SimExchange(SimConfig(port=0, market=False, state_path=path))
    await exchange.start()
    account = exchange.engine.clearing.account(DEMO_USER)
    for i in range(MAX_RECORDS + 50):
        account.record("Funding", Decimal(i), i, SYMBOL)
    exchange.persist()
    account.record("Funding", Decimal(-1), 10**9, "the newest")
    exchange.persist()  # only the new line is written
    await exchange.stop()
    db = sqlite3.connect(path)
    # The opening deposits (USDT and each other wallet), what memory kept of the burst, the
    # newest: each line once.
    deposits = 1 + len(SimConfig().wallets)
    try:
        (written,) = db.execute("SELECT COUNT(*) FROM records WHERE kind = 'ledger'").fetchone()
        assert written == deposits + MAX_RECORDS + 1
    finally:
        db.close()

    again = SimExchange(SimConfig(port=0, market=False, state_path=path))
    await again.start()
    try:
        ledger = again.engine.clearing.account(DEMO_USER).ledger
        assert len(ledger) == MAX_RECORDS and ledger[-1]["remark"] == "the newest"
        assert ledger[-1]["amount"] == Decimal(-1)  # money comes back as Decimal
    finally:
        await again.stop()
    db = sqlite3.connect(path)
    try:
        (kept,) = db.execute("SELECT COUNT(*) FROM records WHERE kind = 'ledger'").fetchone()
        assert kept == MAX_RECORDS
    finally:
        db.close()


async def test_a_market_step_writes_only_when_a_trader_changed(tmp_path: Path) -> None:
    """The market's own quotes change every step; writing (and fsyncing) then would slow a
    fast market for nothing, so a step writes only what a trader has at stake."""
    exchange = SimExchange(SimConfig(port=0, market=False, state_path=tmp_path / "s.sqlite"))
    await exchange.start()
    try:
        store = exchange.store
        assert store is not None
        engine = exchange.engine
        for ids in (engine._order_ids, engine._trade_ids, engine.clearing._ids):
            next(ids)  # each counter's first block is reserved now, not during the steps
        before = store._db.total_changes
        await exchange.step_market(30)
        assert store._db.total_changes == before
        engine.place(
            DEMO_USER,
            {"clientOid": "m-1", "symbol": SYMBOL, "side": "buy", "type": "market", "size": 1},
        )
        await exchange.step_market(1)  # the fill moved the trader's account: written now
        assert store._db.total_changes > before
        assert engine.dirty_orders == set()
    finally:
        await exchange.stop()
