"""One reconciler for all REST truth, against the running sim over loopback: a pass reads each
list once, a burst of order events costs no fill fetch and one debounced done-order reload,
funding is read only for contracts held, the pass's fees reach the journal file, and a
reconnect costs exactly one pass. Requests are counted by path at the client
(RestStats.by_path), i.e. what went on the wire."""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kcterm.core.session import Session
from kcterm.journal_store import JournalRecorder, JournalWriter, follow_session
from kcterm.sim import SimExchange
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)

SYMBOL = "XBTUSDTM"
OTHER = "ETHUSDTM"  # watched, never held: its funding is never read
FILLS = "GET /api/v1/recentFills"
DONE = "GET /api/v1/recentDoneOrders"
FUNDING = "GET /api/v1/funding-history"
PASS_LISTS = (
    "GET /api/v1/orders",
    "GET /api/v1/stopOrders",
    "GET /api/v1/positions",
    "GET /api/v1/account-overview",
    FILLS,
    DONE,
)


@pytest.fixture
async def quiet(sim: SimExchange) -> AsyncIterator[Session]:
    """A session whose reconciler never passes on its own timer (only when asked or on a
    (re)connect), with a private feed that comes back quickly after a drop."""
    session = kucoin_session(
        RestClient(sim.base_url, credentials_for(sim)),
        venue="sim",
        reconcile_interval=3600,
        stream_options={"backoff_base": 0.02, "backoff_cap": 0.1},
    )
    await session.start([SYMBOL, OTHER])
    await wait_for(
        lambda: session.reconciler.stats.passes >= 1 and session.reconciler.idle,
        10,
        "the first pass",
    )
    yield session
    await session.stop()


def calls(session: Session) -> Counter[str]:
    return Counter(session.adapter.rest.stats.by_path)


def since(before: Counter[str], session: Session) -> Counter[str]:
    return calls(session) - before


def market(side: str, size: int = 1) -> dict[str, Any]:
    return {
        "clientOid": uuid.uuid4().hex,
        "symbol": SYMBOL,
        "side": side,
        "type": "market",
        "size": size,
        "leverage": 10,
    }


async def test_one_pass_reads_each_list_once_and_no_funding_without_a_position(
    quiet: Session,
) -> None:
    before = calls(quiet)
    await quiet.reconciler.run_once("manual")
    got = since(before, quiet)
    assert {path: got[path] for path in PASS_LISTS} == dict.fromkeys(PASS_LISTS, 1)
    assert got[FUNDING] == 0 and quiet.reconciler.stats.funding_symbols == []


async def test_funding_is_read_for_the_contract_held_and_only_while_it_is(
    quiet: Session,
) -> None:
    await quiet.adapter.rest.place_order(market("buy"))
    await wait_for(lambda: quiet.account.positions.get(SYMBOL) is not None, 10, "the position")
    before = calls(quiet)
    await quiet.reconciler.run_once("manual")
    assert since(before, quiet)[FUNDING] == 1
    assert quiet.reconciler.stats.funding_symbols == [SYMBOL]  # not OTHER, watched too
    await quiet.adapter.rest.place_order(market("sell"))
    await wait_for(lambda: quiet.account.positions.get(SYMBOL) is None, 10, "the position closed")
    await quiet.reconciler.run_once("manual")
    # Held at the last pass: the funding it may have paid until it closed is still read ...
    assert quiet.reconciler.stats.funding_symbols == [SYMBOL]
    before = calls(quiet)
    await quiet.reconciler.run_once("manual")
    # ... and once nothing is held, nor was since the last pass, none is read.
    assert since(before, quiet)[FUNDING] == 0 and quiet.reconciler.stats.funding_symbols == []


async def test_a_burst_of_order_events_costs_one_done_reload_and_no_fill_fetch(
    quiet: Session, tmp_path: Path
) -> None:
    # The journal listens as in the app: the feed's fills are recorded, nothing is fetched.
    writer = JournalWriter(tmp_path / "journal.sqlite")
    writer.start()
    recorder = JournalRecorder(writer, lambda s: (quiet.contracts[s].multiplier, False))
    follow_session(recorder, quiet)
    passes = quiet.reconciler.stats.passes
    reloads = quiet.reconciler.stats.done_reloads
    before = calls(quiet)
    # 20 market orders in one batch: 20 fills and 20 done events on the order feed at once.
    orders = [market("buy" if i % 2 == 0 else "sell") for i in range(20)]
    replies = await quiet.adapter.rest.place_orders(orders)
    assert len(replies) == 20
    await wait_for(lambda: len(quiet.trading.fills) >= 20, 10, "20 fills on the feed")
    await wait_for(
        lambda: quiet.reconciler.stats.done_reloads > reloads and quiet.reconciler.idle,
        10,
        "the debounced reload",
    )
    got = since(before, quiet)
    assert got[DONE] == 1 and quiet.reconciler.stats.done_reloads == reloads + 1
    assert got[FILLS] == 0 and got[FUNDING] == 0  # the fees wait for the next pass
    assert quiet.reconciler.stats.passes == passes
    done = {order.order_id for order in quiet.trading.history.all()}
    assert {reply["orderId"] for reply in replies} <= done  # the reload listed them
    await wait_for(lambda: len(recorder.feed_trade_ids) >= 20, 10, "the journal's 20 fills")
    writer.close()


async def test_the_fees_of_a_pass_reach_the_journal_file(quiet: Session, tmp_path: Path) -> None:
    writer = JournalWriter(tmp_path / "journal.sqlite")
    writer.start()
    recorder = JournalRecorder(writer, lambda s: (quiet.contracts[s].multiplier, False))
    follow_session(recorder, quiet)

    def fills() -> list[tuple[Any, ...]]:
        assert writer.flush()
        conn = sqlite3.connect(writer.path)
        try:
            return conn.execute("SELECT trade_id, fee, fee_currency, source FROM fills").fetchall()
        finally:
            conn.close()

    try:
        await quiet.adapter.rest.place_order(market("buy", 3))
        await wait_for(lambda: len(fills()) == 1, 10, "the feed's fill in the file")
        ((trade_id, fee, _, source),) = fills()
        assert fee is None and source == "feed"  # the order feed carries no fee
        await quiet.reconciler.run_once("manual")
        ((same, fee, currency, source),) = fills()
        assert same == trade_id and source == "both" and currency == "USDT"
        assert fee is not None and float(fee) > 0
    finally:
        writer.close()


async def test_a_reconnect_costs_exactly_one_pass(quiet: Session, sim: SimExchange) -> None:
    reconciler = quiet.reconciler
    passes = reconciler.stats.passes
    connections = quiet.adapter.private.connections
    before = calls(quiet)
    assert sim.drills.drop_connections("private") >= 1
    await wait_for(
        lambda: quiet.adapter.private.connections > connections, 10, "the private reconnect"
    )
    await wait_for(
        lambda: reconciler.stats.passes > passes and reconciler.idle, 10, "the reconnect pass"
    )
    assert reconciler.stats.passes == passes + 1
    got = since(before, quiet)
    # Every list once, the done orders with them (not once more on the side).
    assert {path: got[path] for path in PASS_LISTS} == dict.fromkeys(PASS_LISTS, 1)
