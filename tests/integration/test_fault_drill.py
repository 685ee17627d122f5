"""The fault drill: a seeded, bounded run of about a minute in which the client trades while the
sim has a bad day (issue 4). Connections are dropped a dozen times, level2 messages are lost,
REST answers 503, the Futures pool is exhausted, the exchange clock jumps 10 s, pongs stop and
replies come late. At the end the local book, orders, positions and balances equal the sim's,
no clientOid was placed twice and nothing raised. The counts are printed (-s to see them)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from decimal import Decimal
from typing import Any

import pytest

from kcterm.core.account import balance_differences
from kcterm.core.contract import to_decimal
from kcterm.core.session import Session
from kcterm.core.validation import OrderRequest
from kcterm.sim import SimConfig, SimExchange
from kcterm.sim.server import DEMO_USER
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import StreamState
from tests.integration.conftest import credentials_for
from tests.order_terms import limit_order, market_order
from tests.sessions import kucoin_session
from tests.unit.kucoin_values import as_overview
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(180)

SEED = 20240
SYMBOL = "XBTUSDTM"
STEPS = 170  # x STEP_S: about 45 s of trading, the rest is start and settling
STEP_S = 0.25
DROPS = set(range(8, 160, 12))  # 13 drops of every connection
SKIPS = {15, 52, 99, 131}
FAILS = {20, 61, 90, 124, 150}  # two 503s each
EXHAUST_AT = 75
SKEW_AT = 40
PONGS_STOP_AT = 84
DELAY_AT = 110


class Trader:
    """Places, cancels, modifies, opens and closes positions, as a busy hand would."""

    def __init__(self, sim: SimExchange, session: Session) -> None:
        self.sim = sim
        self.session = session
        self.rng = random.Random(SEED)
        self.oids = (f"drill{SEED}x{n}" for n in itertools.count())
        self.made: list[str] = []  # every clientOid the trader made
        self.actions: dict[str, int] = {}

    def oid(self) -> str:
        oid = next(self.oids)
        self.made.append(oid)
        return oid

    def limit_order(self) -> OrderRequest:
        book = self.sim.book(SYMBOL)
        tick = self.session.contracts[SYMBOL].tick_size
        side = self.rng.choice(("buy", "sell"))
        away = tick * self.rng.randint(3, 40)
        price = (
            Decimal(str(book["bids"][0][0])) - away
            if side == "buy"
            else (Decimal(str(book["asks"][0][0])) + away)
        )
        return limit_order(self.oid(), SYMBOL, side, price, self.rng.randint(1, 3))

    async def act(self) -> None:
        roll = self.rng.random()
        mine = [o for o in self.session.trading.orders.all() if o.symbol == SYMBOL]
        if roll < 0.32 or (not mine and roll < 0.6):
            await self.session.trading.gateway.place(self.limit_order())
            self._count("place")
        elif roll < 0.5 and mine:
            await self.session.trading.cancel(self.rng.choice(mine).order_id)
            self._count("cancel")
        elif roll < 0.64 and mine:
            order = self.rng.choice(mine)
            tick = self.session.contracts[SYMBOL].tick_size
            step = tick * self.rng.randint(1, 5) * (-1 if order.side == "buy" else 1)
            await self.session.trading.move_order(order.order_id, order.price + step)
            self._count("modify")
        elif roll < 0.8:
            side = self.rng.choice(("buy", "sell"))
            await self.session.trading.gateway.place(
                market_order(self.oid(), SYMBOL, side, self.rng.randint(1, 2))
            )
            self._count("open position")
        elif roll < 0.92:
            position = self.session.account.positions.get(SYMBOL)
            if position is not None:
                side = "sell" if position.qty > 0 else "buy"
                closing = market_order(self.oid(), SYMBOL, side, 0, close_order=True)
                await self.session.trading.gateway.place(closing)
                self._count("close position")
        else:
            await self.session.trading.gateway.place_batch([self.limit_order() for _ in range(3)])
            self._count("batch")

    def _count(self, what: str) -> None:
        self.actions[what] = self.actions.get(what, 0) + 1


def local_book(session: Session) -> tuple[list, list]:
    book = session.market_data.books[SYMBOL]
    return book.bids(), book.asks()


def sim_book(sim: SimExchange) -> tuple[list, list]:
    snap = sim.book(SYMBOL)
    return (
        [(to_decimal(p), int(s)) for p, s in snap["bids"]],
        [(to_decimal(p), int(s)) for p, s in snap["asks"]],
    )


async def exchange_view(raw: RestClient) -> dict[str, Any]:
    orders = await raw.active_orders()
    positions = await raw.positions()
    return {
        "orders": {o["id"]: (int(o["size"]), int(o.get("filledSize") or 0)) for o in orders},
        "positions": {
            p["symbol"]: (int(p["currentQty"]), to_decimal(p["avgEntryPrice"]))
            for p in positions
            if int(p["currentQty"])
        },
        "balance": as_overview(await raw.account_overview()),
    }


def local_view(session: Session) -> dict[str, Any]:
    return {
        "orders": {o.order_id: (o.size, o.filled_size) for o in session.trading.orders.all()},
        "positions": {p.symbol: (p.qty, p.avg_entry) for p in session.account.positions.all()},
        "balance": session.account.balances.get("USDT"),
    }


def views_agree(local: dict[str, Any], remote: dict[str, Any]) -> bool:
    balance = local["balance"]
    return (
        local["orders"] == remote["orders"]
        and local["positions"] == remote["positions"]
        and balance is not None
        and not balance_differences(balance, remote["balance"])
    )


async def test_fault_drill(caplog: pytest.LogCaptureFixture) -> None:
    """About 50 s on purpose: the faults are spread over a bounded run of about a minute so the
    client meets each one while trading and while recovering from the one before (see above)."""
    caplog.set_level(logging.WARNING)
    escaped: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: escaped.append(context))
    sim = SimExchange(
        SimConfig(port=0, market=False, seed=SEED % 1000, rate_window_ms=2000,
                  ping_interval_ms=1500, ping_timeout_ms=1500)
    )  # fmt: skip
    await sim.start()
    session = kucoin_session(
        RestClient(sim.base_url, credentials_for(sim), timeout=1.5),
        venue="sim",
        stream_options={"backoff_base": 0.05, "backoff_cap": 0.5, "welcome_timeout": 2.0},
        reconcile_interval=4.0,
    )
    raw = RestClient(sim.base_url, credentials_for(sim))  # the exchange's view, no retries
    try:
        await session.start([SYMBOL])
        await wait_for(lambda: session.market_data.books[SYMBOL].is_live, 10, "the first snapshot")
        await wait_for(lambda: session.reconciler.stats.passes >= 1, 10, "the first load")
        trader = Trader(sim, session)
        drills = sim.drills
        for step in range(STEPS):
            await sim.step_market(1)
            if step in DROPS:
                drills.drop_connections("all")
            if step in SKIPS:
                drills.skip_level2(SYMBOL, 1)
            if step in FAILS:
                drills.fail_next(2)
            if step == EXHAUST_AT:
                drills.exhaust_pool("Futures")
            if step == SKEW_AT:
                drills.skew_clock(10_000)
            if step == PONGS_STOP_AT:
                drills.stop_pongs(4.0)
            if step == DELAY_AT:  # replies later than the client waits: outcomes unknown
                drills.delay_replies(2_000)
                loop.call_later(3.0, drills.delay_replies, 0)
                await session.trading.gateway.place(trader.limit_order())  # placed, reply lost
            await trader.act()
            await asyncio.sleep(STEP_S)
        await sim.step_market(3)  # the book moves once more after the last fault

        # -- settle: every drill off except the skew, which the client has learnt ----------
        drills.fail_next(0)
        drills.delay_replies(0)
        await wait_for(
            lambda: session.adapter.public.state is StreamState.CONNECTED
            and session.adapter.private.state is StreamState.CONNECTED,
            15, "both feeds connected",
        )  # fmt: skip
        await wait_for(lambda: local_book(session) == sim_book(sim), 15, "the same book")
        await raw.sync_clock()
        remote = await exchange_view(raw)
        for _ in range(150):  # the feed and the periodic reconciliation bring it home
            if views_agree(local_view(session), remote):
                break
            await asyncio.sleep(0.1)
            remote = await exchange_view(raw)
        final_changes = await session.reconciler.run_once("final")
        remote = await exchange_view(raw)
        local = local_view(session)

        # -- the verdict ---------------------------------------------------------------------
        counters = drills.state()["counters"]
        rest, gateway, recon = (
            session.adapter.rest.stats,
            session.trading.gateway.stats,
            session.reconciler.stats,
        )
        resyncs = session.market_data.books[SYMBOL].resyncs
        reconnects = session.adapter.public.connections + session.adapter.private.connections - 2
        print(
            f"\nfault drill (seed {SEED}): trader actions {trader.actions}\n"
            f"  disconnects: {counters['connectionsDropped']} connections dropped by the sim, "
            f"{reconnects} reconnects by the client\n"
            f"  level2 resyncs: {resyncs} ({counters['sequencesSkipped']} messages skipped)\n"
            f"  503s: {counters['http503Sent']} sent, {rest.http_5xx} seen; "
            f"429s: {counters['http429Sent']} sent, {rest.http_429} seen; "
            f"timeouts/transport: {rest.transport_errors}; clock resyncs: {rest.clock_resyncs} "
            f"(offset {session.adapter.rest.clock_offset_ms} ms)\n"
            f"  retries: {rest.retries} by the REST client; orders: {gateway.sent} sent, "
            f"{gateway.placed} placed, {gateway.ambiguous} unknown outcomes, {gateway.lookups} "
            f"lookups, {gateway.found_by_lookup} found by lookup, {gateway.resent} resent, "
            f"{gateway.duplicates} duplicates\n"
            f"  reconciliation: {recon.passes} passes, {recon.discrepancies_found} discrepancies "
            f"found, {recon.discrepancies_fixed} fixed ({recon.fills_recovered} fills recovered),"
            f" {recon.failures} failed passes; final pass found {len(final_changes)}"
        )
        assert counters["connectionsDropped"] >= 10 and reconnects >= 10
        assert counters["sequencesSkipped"] == len(SKIPS) and resyncs >= len(SKIPS)
        assert counters["http503Sent"] >= 8 and counters["http429Sent"] >= 1
        assert rest.clock_resyncs >= 1 and 9_000 < session.adapter.rest.clock_offset_ms < 11_000
        assert local_book(session) == sim_book(sim)
        assert local["orders"] == remote["orders"]
        assert local["positions"] == remote["positions"]
        assert local["balance"] is not None
        assert not balance_differences(local["balance"], remote["balance"])
        # No clientOid placed twice: one exchange order per clientOid the trader made, and
        # the exchange never had to refuse a duplicate.
        ours = [o.client_oid for o in sim.engine.orders.values() if o.user_id == DEMO_USER]
        assert len(ours) == len(set(ours)) and gateway.duplicates == 0
        assert sorted(session.trading.gateway.placed) == sorted(ours)
        for client_oid, order_id in session.trading.gateway.placed.items():
            found = sim.engine.by_client_oid(DEMO_USER, client_oid)
            assert found is not None and found.order_id == order_id
        assert set(trader.made) <= set(ours)  # every order the trader made exists, once
        assert gateway.found_by_lookup >= 1  # the late reply's order was found, not resent
        assert sum(trader.actions.values()) >= STEPS * 0.8
    finally:
        await session.stop()
        await raw.close()
        await sim.stop()
    assert escaped == [], f"exceptions escaped into the loop: {escaped}"
    errors = [
        r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("kcterm")
    ]
    assert errors == [], [r.getMessage() for r in errors]
