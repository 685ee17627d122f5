"""The on-disk journal follows a real session on the embedded exchange: journal lines, fills
with fees from the reconciler's fill list, funding payments, and fill discrepancies."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from kcterm.core.account import Balances
from kcterm.core.fills import Fills
from kcterm.core.journal import Journal
from kcterm.core.orders import OpenOrders
from kcterm.core.positions import Positions
from kcterm.core.reconcile import Reconciler
from kcterm.core.stop_orders import StopOrders
from kcterm.journal_store import (
    FillSync,
    JournalRecorder,
    JournalWriter,
    export_csv,
    follow_session,
)
from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.account_calls import KucoinAccount
from kcterm.venue.kucoin.order_events import order_update
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"
# A match the order feed "reported" that the exchange never made (spec/REFERENCE.md 8.3 shape)
GHOST = {"type": "match", "status": "open", "orderId": "o-ghost", "tradeId": "ghost",
         "symbol": SYMBOL, "side": "buy", "matchSize": "1", "matchPrice": "1", "ts": 1}  # fmt: skip


@pytest.fixture
async def funded_sim() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=False, seed=11, funding_interval_s=0.5))
    await exchange.start()
    yield exchange
    await exchange.stop()


def query(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def market(rest: RestClient, side: str, size: int) -> None:
    body = {
        "clientOid": uuid.uuid4().hex,
        "symbol": SYMBOL,
        "side": side,
        "type": "market",
        "size": size,
        "leverage": 10,
    }
    await rest.place_order(body)


async def test_session_fills_funding_and_export(funded_sim: SimExchange, tmp_path: Path) -> None:
    rest = RestClient(funded_sim.base_url, credentials_for(funded_sim))
    session = kucoin_session(rest, venue="sim", reconcile_interval=0.2)
    writer = JournalWriter(tmp_path / "practice.sqlite")
    writer.start()
    recorder = JournalRecorder(writer, lambda s: (session.contracts[s].multiplier, False))
    sync = follow_session(recorder, session)  # as the app attaches it
    try:
        await session.start([SYMBOL])

        def private_feed_up() -> bool:
            return session.health.stream_states.get("private", ("",))[0] == "connected"

        await wait_for(private_feed_up, 10, "the private order feed")
        await market(session.adapter.rest, "buy", 5)
        await market(session.adapter.rest, "sell", 2)

        def fills_with_fees() -> bool:
            writer.flush()
            got = query(writer.path, "SELECT count(*) FROM fills WHERE fee IS NOT NULL")
            return got[0][0] >= 2

        await wait_for(fills_with_fees, 10, "both fills with their fees")

        def funded() -> bool:
            writer.flush()
            return bool(query(writer.path, "SELECT count(*) FROM funding")[0][0])

        await wait_for(funded, 10, "a funding payment")
    finally:
        await session.stop()
        writer.flush()
        writer.close()
    assert sync.syncs >= 1
    kinds = {row[0] for row in query(writer.path, "SELECT kind FROM entries")}
    assert {"info", "event"} <= kinds  # the connection line and the order feed's events
    fills = query(writer.path, "SELECT side, size, multiplier, fee_currency FROM fills ORDER BY at")
    assert sum(size for side, size, *_ in fills if side == "buy") == 5
    assert {row[2:] for row in fills} == {("0.001", "USDT")}
    out = tmp_path / "fills.csv"
    summary = export_csv(writer.path, out)
    assert summary.fills == len(fills) and summary.funding >= 1
    assert summary.fees > 0 and summary.realised_pnl != Decimal("NaN")
    assert out.read_text().splitlines()[0].startswith("time_utc,type,symbol,side")


async def test_fill_discrepancies_are_journaled_once(
    funded_sim: SimExchange, tmp_path: Path
) -> None:
    rest = RestClient(funded_sim.base_url, credentials_for(funded_sim))
    writer = JournalWriter(tmp_path / "j.sqlite")
    writer.start()
    recorder = JournalRecorder(writer, lambda s: None)
    journal = Journal()
    state = (OpenOrders(), StopOrders(), Positions(), Balances(), Fills())
    reconciler = Reconciler(KucoinAccount(rest), journal, *state)  # its passes, run here by hand
    FillSync(recorder, reconciler, grace=0.0)
    try:
        # The order feed "reported" a fill the exchange never made ...
        recorder.on_order_update(order_update(GHOST))
        # ... and a real fill now happens that the feed (not listened to here) never reports.
        await market(rest, "buy", 1)
        await asyncio.sleep(0.01)
        await reconciler.run_once("test")
        await reconciler.run_once("test")
    finally:
        await rest.close()
        writer.flush()
        writer.close()
    what = [row[0] for row in query(writer.path, "SELECT what FROM discrepancies ORDER BY id")]
    assert len(what) == 2
    assert "reported fill ghost" in what[0] and "does not show" in what[0]
    assert "never came on the order feed" in what[1]
