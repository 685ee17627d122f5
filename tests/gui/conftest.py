"""GUI tests: the real window on a qasync loop, trading against the embedded exchange thread."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from kcterm.api.rest import RestClient
from kcterm.api.signer import Credentials
from kcterm.core.session import Session
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


class AppLikeLoop(qasync.QEventLoop):
    """A qasync loop that stays marked as asyncio's running loop between run_until_complete
    calls, as the app's loop is for its whole life.

    Tests run the loop in slices, and Qt processes events between them (qasync's own final
    pass, qtbot's clicks); asyncio code stepped there finds no running loop and fails (aiohttp:
    "no running event loop"), which kills stream tasks at random. The app never runs that way.
    """

    def run_until_complete(self, future):
        try:
            return super().run_until_complete(future)
        finally:
            asyncio.events._set_running_loop(self)

    def run_forever(self):
        asyncio.events._set_running_loop(None)  # qasync sets it itself and clears it after
        try:
            return super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)


@pytest.fixture
def qloop(qapp) -> Iterator[qasync.QEventLoop]:
    loop = AppLikeLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    # Closed here, while Qt still exists: a qasync loop left to the garbage collector
    # closes itself after its signals are gone and prints a RuntimeError per test.
    loop.close()
    del loop
    # Free this test's Qt objects now, on this thread: left to the cyclic collector they may be
    # freed on the next test's exchange thread, where Qt cannot stop their timers (a crash).
    gc.collect()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """A settings file of the test's own: layouts and hotkeys never touch the user's."""
    return QSettings(str(tmp_path / "kcterm.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def exchange() -> Iterator[EmbeddedExchange]:
    embedded = EmbeddedExchange(SimConfig(port=0, seed=5, tick_interval=0.05))
    embedded.start()
    yield embedded
    embedded.stop()


def open_session(qloop, exchange: EmbeddedExchange, venue: str = "sim") -> Session:
    cfg = exchange.config
    rest = RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = Session(rest, venue=venue)
    qloop.run_until_complete(session.start([SYMBOL]))
    return session


@pytest.fixture
def window(qloop, qtbot, exchange: EmbeddedExchange, settings: QSettings) -> Iterator[MainWindow]:
    session = open_session(qloop, exchange)
    main = MainWindow(session, SYMBOL, settings=settings, theme="dark")
    main.show()
    yield main
    main.frame_clock.stop()
    qloop.run_until_complete(session.stop())
    dispose(main)


def dispose(window: MainWindow) -> None:
    """Close and delete the window now, on this thread (see kcterm/ui/gui_gc.py for why it
    must never be left to a garbage collection that may run on the exchange's thread)."""
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def run(coro) -> None:
    """Run a coroutine on the test's qasync loop (Qt events are processed meanwhile)."""
    asyncio.get_event_loop().run_until_complete(coro)


def wait(condition, timeout: float = 10.0, what: str = "") -> None:
    run(wait_for(condition, timeout, what))


def trading_ready(window: MainWindow, symbol: str = SYMBOL) -> None:
    """Streams connected, the book live and fresh data: the interlock lets orders through."""
    wait(lambda: window.gate(symbol).open, 15, f"the interlock to open for {symbol}")


class Answers:
    """The window's confirmations, answered by the test: every question is kept."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.reply = True

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.reply


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def desk(
    qloop, qtbot, exchange: EmbeddedExchange, settings: QSettings, answers: Answers
) -> Iterator[MainWindow]:
    """A practice window whose confirmations (close, flatten, move, TP/SL) the test answers."""
    session = open_session(qloop, exchange)
    main = MainWindow(session, SYMBOL, settings=settings, theme="dark", confirm_action=answers)
    main.show()
    yield main
    main.frame_clock.stop()
    qloop.run_until_complete(session.stop())
    dispose(main)


def result_of(coro):
    """Run a coroutine on the test's loop and return its result."""
    box: list = []

    async def go() -> None:
        box.append(await coro)

    run(go())
    return box[0]
