"""A crash forgets nothing that was acknowledged and never reissues an ID (issue 12 item 8).

`kcterm-sim` runs as a real process on a state file; twenty orders are placed and
acknowledged, the process is killed with SIGKILL the moment the last ack arrives, and a new
process on the same file must show all of them, the position and its fills, and hand out
order, trade and position IDs none of which was used before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from kcterm.sim.config import DEMO_KEY, DEMO_PASSPHRASE, DEMO_SECRET
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials

SYMBOL = "XBTUSDTM"
CREDENTIALS = Credentials(DEMO_KEY, DEMO_SECRET, DEMO_PASSPHRASE)


def start(state: Path) -> tuple[subprocess.Popen[str], str]:
    # A market that does not move on its own (one step an hour): the test decides what fills.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kcterm.sim.cli",
            "--port",
            "0",
            "--state",
            str(state),
            "--tick",
            "3600",
            "--log-level",
            "WARNING",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "REST at http://" in line, proc.stderr.read() if proc.stderr else line
    return proc, line.rsplit(" ", 1)[1].strip()


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


async def fills(rest: RestClient) -> list[dict[str, Any]]:
    page = await rest.request(
        "GET", "/api/v1/fills", params={"symbol": SYMBOL, "pageSize": 200}, signed=True
    )
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_kill_9_right_after_the_acks_loses_nothing_and_reuses_no_id(
    tmp_path: Path,
) -> None:
    state = tmp_path / "sim.sqlite"
    proc, base = start(state)
    rest = RestClient(base, CREDENTIALS)
    acked: dict[str, str] = {}  # orderId -> clientOid
    try:
        ticker = await rest.request("GET", "/api/v1/ticker", params={"symbol": SYMBOL})
        low = (Decimal(str(ticker["bestBidPrice"])) * Decimal("0.97")).quantize(Decimal("0.1"))
        for i in range(20):
            body: dict[str, Any] = {
                "clientOid": f"durable-{i}",
                "symbol": SYMBOL,
                "side": "buy",
                "size": 1,
                "leverage": 10,
            }
            if i % 4 == 0:  # five market orders: a position and its fills
                body["type"] = "market"
            else:
                body.update(type="limit", price=str(low - i))
            ack = await rest.place_order(body)
            acked[ack["orderId"]] = ack["clientOid"]
    finally:
        kill(proc)  # no shutdown, no last save: whatever is not on disk now is lost
        await rest.close()

    proc, base = start(state)
    rest = RestClient(base, CREDENTIALS)
    try:
        for order_id, client_oid in acked.items():
            order = await rest.request("GET", f"/api/v1/orders/{order_id}", signed=True)
            assert order["clientOid"] == client_oid
        active = await rest.active_orders(SYMBOL)
        assert len(active) == 15 and {o["id"] for o in active} <= set(acked)
        position = await rest.request(
            "GET", "/api/v1/position", params={"symbol": SYMBOL}, signed=True
        )
        assert position["currentQty"] == 5
        before = await fills(rest)
        assert sum(f["size"] for f in before) == 5
        assert {f["orderId"] for f in before} <= set(acked)
        old_trades = {f["tradeId"] for f in before}

        fresh = await rest.place_order(
            {
                "clientOid": "after-crash",
                "symbol": SYMBOL,
                "side": "sell",
                "type": "market",
                "size": 5,
                "leverage": 10,
            }
        )
        assert fresh["orderId"] not in acked
        assert int(fresh["orderId"]) > max(int(i) for i in acked)
        after = await fills(rest)
        new_trades = {f["tradeId"] for f in after} - old_trades
        assert new_trades and all(int(t) > max(int(o) for o in old_trades) for t in new_trades)
        closed = await rest.request(
            "GET", "/api/v1/history-positions", params={"symbol": SYMBOL}, signed=True
        )
        assert closed["items"] and closed["items"][0]["closeId"]  # a fresh clearing id
    finally:
        await rest.close()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


async def test_ids_reserved_on_disk_are_never_handed_out_again(tmp_path: Path) -> None:
    """A restart starts after the whole reserved block, even when no order was saved."""
    from kcterm.sim import SimConfig, SimExchange

    state = tmp_path / "ids.sqlite"
    first = SimExchange(SimConfig(port=0, market=False, state_path=state))
    await first.start()
    seen = {next(first.engine._order_ids) for _ in range(3)}  # used, never saved with an order
    kill_like = first.store
    assert kill_like is not None
    kill_like.close()  # as a crash would leave it: no final save
    first.store = None
    await first.stop()
    second = SimExchange(SimConfig(port=0, market=False, state_path=state))
    await second.start()
    try:
        assert next(second.engine._order_ids) > max(seen)
    finally:
        await second.stop()


async def test_kill_9_in_the_middle_of_a_burst_keeps_every_acked_order(tmp_path: Path) -> None:
    """Orders in flight when the process dies: each one acknowledged is there after the
    restart, whatever became of the others, and the file is not damaged."""
    import asyncio

    state = tmp_path / "burst.sqlite"
    proc, base = start(state)
    rest = RestClient(base, CREDENTIALS)
    acked: dict[str, str] = {}
    enough = asyncio.Event()
    try:
        ticker = await rest.request("GET", "/api/v1/ticker", params={"symbol": SYMBOL})
        low = (Decimal(str(ticker["bestBidPrice"])) * Decimal("0.97")).quantize(Decimal("0.1"))

        async def place(i: int) -> None:
            body = {
                "clientOid": f"burst-{i}",
                "symbol": SYMBOL,
                "side": "buy",
                "type": "limit",
                "price": str(low - i),
                "size": 1,
                "leverage": 10,
            }
            try:
                ack = await rest.place_order(body)
            except Exception:  # the process died under this one: it was never acknowledged
                return
            acked[ack["orderId"]] = ack["clientOid"]
            if len(acked) >= 15:
                enough.set()

        burst = [asyncio.ensure_future(place(i)) for i in range(60)]
        await asyncio.wait_for(enough.wait(), 30)
        kill(proc)  # with the rest of the burst still in flight
        await asyncio.gather(*burst)
    finally:
        if proc.poll() is None:
            kill(proc)
        await rest.close()

    assert len(acked) >= 15
    proc, base = start(state)
    rest = RestClient(base, CREDENTIALS)
    try:
        active = {o["id"]: o["clientOid"] for o in await rest.active_orders(SYMBOL)}
        assert acked.items() <= active.items()  # every ack survived (and maybe a few more)
        fresh = await rest.place_order(
            {
                "clientOid": "after-burst",
                "symbol": SYMBOL,
                "side": "buy",
                "type": "limit",
                "price": str(low - 100),
                "size": 1,
                "leverage": 10,
            }
        )
        assert int(fresh["orderId"]) > max(int(i) for i in active)
    finally:
        await rest.close()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
