"""GUI tests: the real window on a qasync loop, trading against the embedded exchange thread."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync

from kcterm.api.rest import RestClient
from kcterm.api.signer import Credentials
from kcterm.core.session import Session
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow


@pytest.fixture
def qloop(qapp) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    # Closed here, while Qt still exists: a qasync loop left to the garbage collector
    # closes itself after its signals are gone and prints a RuntimeError per test.
    loop.close()


@pytest.fixture
def exchange() -> Iterator[EmbeddedExchange]:
    embedded = EmbeddedExchange(SimConfig(port=0, seed=5, tick_interval=0.05))
    embedded.start()
    yield embedded
    embedded.stop()


@pytest.fixture
def window(qloop, qtbot, exchange: EmbeddedExchange) -> Iterator[MainWindow]:
    cfg = exchange.config
    rest = RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = Session(rest, venue="sim")
    qloop.run_until_complete(session.start(["XBTUSDTM"]))
    main = MainWindow(session, "XBTUSDTM")
    qtbot.addWidget(main)
    main.show()
    yield main
    main.frame_clock.stop()
    qloop.run_until_complete(session.stop())
