"""A fresh embedded exchange per test, on a free loopback port, in the test's own loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kcterm.core.session import Session
from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from tests.sessions import kucoin_session


@pytest.fixture
async def sim() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=False, seed=11))
    await exchange.start()
    yield exchange
    await exchange.stop()


def credentials_for(sim: SimExchange) -> Credentials:
    cfg = sim.config
    return Credentials(cfg.key, cfg.secret, cfg.passphrase, cfg.key_version)


@pytest.fixture
async def rest(sim: SimExchange) -> AsyncIterator[RestClient]:
    client = RestClient(sim.base_url, credentials_for(sim))
    yield client
    await client.close()


@pytest.fixture
async def session(sim: SimExchange) -> AsyncIterator[Session]:
    live = kucoin_session(RestClient(sim.base_url, credentials_for(sim)), venue="sim")
    await live.start(["XBTUSDTM"])
    yield live
    await live.stop()
