"""Benchmark: orders per second through the exchange's REST API over loopback, with nothing
stored and with every acknowledged write on disk first (WAL, one fsynced transaction per
call; issue 12 item 8). Prints both.

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_sim_durable_orders.py
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials

pytestmark = pytest.mark.perf
SYMBOL = "XBTUSDTM"
N = 600


async def _orders_per_second(state: Path | None) -> float:
    config = SimConfig(
        port=0, market=False, state_path=state, public_quota=10**9, futures_quota=10**9
    )
    exchange = SimExchange(config)
    await exchange.start()
    cfg = exchange.config
    rest = RestClient(
        exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase, cfg.key_version)
    )
    try:
        start = time.perf_counter()
        for i in range(N):  # market orders, buy and sell in turn: fills, a position, records
            await rest.place_order(
                {
                    "clientOid": f"perf-{i}",
                    "symbol": SYMBOL,
                    "side": "buy" if i % 2 == 0 else "sell",
                    "type": "market",
                    "size": 1,
                    "leverage": 10,
                }
            )
        elapsed = time.perf_counter() - start
    finally:
        await rest.close()
        await exchange.stop()
    return N / elapsed


async def test_rest_orders_per_second_in_memory_and_durable(tmp_path: Path) -> None:
    memory = await _orders_per_second(None)
    durable = await _orders_per_second(tmp_path / "state.sqlite")
    print(
        f"\nREST market orders over loopback: {memory:,.0f} orders/s in memory, "
        f"{durable:,.0f} orders/s with every ack on disk first ({N} orders each)"
    )
    # KuCoin's own VIP0 quota is 2000 weight per 30 s (about 33 orders/s at weight 2).
    assert durable > 100
