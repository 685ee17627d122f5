"""GUI tests: the real window on a qasync loop, trading against the embedded exchange (a child
process, as in the app; a thread of this process where a test steps it or calls into it)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from kcterm.core.session import Session
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui import modal_guard
from kcterm.ui.main_window import MainWindow
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from kcterm.venue.kucoin.venue import KucoinVenue
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"
MAJORS = ("XBTUSDTM", "ETHUSDTM", "SOLUSDTM")


class AppLikeLoop(qasync.QEventLoop):
    """A qasync loop that stays marked as asyncio's running loop between run_until_complete
    calls, as the app's loop is for its whole life.

    Tests run the loop in slices, and Qt processes events between them (qasync's own final
    pass, qtbot's clicks); asyncio code stepped there finds no running loop and fails (aiohttp:
    "no running event loop"), which kills stream tasks at random. The app never runs that way.
    This has nothing to do with where the exchange runs: with every exchange of the GUI tests
    in a child process, a plain qasync.QEventLoop fails the first test (stream tasks end with
    "no running event loop", the interlock never opens), so the patch stays.
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


@pytest.fixture(scope="session", autouse=True)
def nested_loops_fail() -> Iterator[None]:
    """Any dialog exec() or static QMessageBox inside a running asyncio task raises
    (ui/modal_guard.py): a nested event loop there stops every other task for good."""
    modal_guard.install(strict=True)
    yield
    modal_guard.uninstall()


@pytest.fixture(autouse=True)
def no_nested_loop() -> Iterator[None]:
    """...and fails the test even when the raise was swallowed by the code that made it."""
    modal_guard.violations.clear()
    yield
    found = list(modal_guard.violations)
    modal_guard.violations.clear()
    assert not found, f"nested event loop inside a coroutine: {found}"


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
    # freed on a later test's in-thread exchange (in_process=True), where Qt cannot stop their
    # timers (a crash).
    gc.collect()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """A settings file of the test's own: layouts and hotkeys never touch the user's."""
    return QSettings(str(tmp_path / "kcterm.ini"), QSettings.Format.IniFormat)


# The three majors: 31 living books cost the GUI tests about half again their time.
EXCHANGE = SimConfig(port=0, seed=5, tick_interval=0.05, contracts=MAJORS)


class SpareExchanges:
    """A fresh exchange process per test, the next one launched while this test runs: a child
    takes about 0.5 s to boot (interpreter, imports, books), a third of a GUI test's time."""

    def __init__(self) -> None:
        self.spare: EmbeddedExchange | None = None

    def take(self) -> EmbeddedExchange:
        taken, self.spare = self.spare, EmbeddedExchange(EXCHANGE)
        self.spare.launch()
        if taken is None:
            taken = EmbeddedExchange(EXCHANGE)
            taken.launch()
        return taken

    def close(self) -> None:
        if self.spare is not None:
            self.spare.stop()


@pytest.fixture(scope="session")
def spare_exchanges() -> Iterator[SpareExchanges]:
    spares = SpareExchanges()
    yield spares
    spares.close()


@pytest.fixture
def exchange(spare_exchanges: SpareExchanges) -> Iterator[EmbeddedExchange]:
    embedded = spare_exchanges.take()
    embedded.wait_ready()
    yield embedded
    embedded.stop()


def open_session(qloop, exchange: EmbeddedExchange, venue: str = "sim") -> Session:
    cfg = exchange.config
    rest = RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = Session(KucoinVenue.open(rest), venue=venue)
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
    """Close and delete the window now, on this thread (see tests/conftest.py for why it must
    never be left to a garbage collection that may run on an in-thread exchange's thread)."""
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
    """The window's confirmations, answered by the test pressing the real dialog's button.

    Once started (the `answers` fixture does), every question box the app opens (ui.ask) is
    found among the top-level windows, kept in `asked` as (title, text), and answered with a
    mouse click on Yes or No as `reply` says. Calling the object answers without a dialog:
    the older injected form (MainWindow(confirm_action=...)), still accepted.
    """

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.reply = True
        self.clicked = 0  # questions answered by a click on the real dialog
        self._seen: weakref.WeakSet[QMessageBox] = weakref.WeakSet()
        self._timer: QTimer | None = None

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.reply

    def start(self) -> None:
        # Polled from the event loop, as a user would notice a dialog; a question shown with
        # open() waits on its future meanwhile, so nothing races the click.
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self.answer_open_questions)
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.deleteLater()
            self._timer = None

    def answer_open_questions(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if not isinstance(widget, QMessageBox) or not widget.isVisible():
                continue
            yes, no = (
                widget.button(QMessageBox.StandardButton.Yes),
                widget.button(QMessageBox.StandardButton.No),
            )
            if yes is None or no is None or widget in self._seen:
                continue
            self._seen.add(widget)
            self.asked.append((widget.windowTitle(), widget.text()))
            self.clicked += 1
            QTest.mouseClick(yes if self.reply else no, Qt.MouseButton.LeftButton)


@pytest.fixture
def answers(qapp) -> Iterator[Answers]:
    found = Answers()
    found.start()
    yield found
    found.stop()


@pytest.fixture
def desk(
    qloop, qtbot, exchange: EmbeddedExchange, settings: QSettings, answers: Answers
) -> Iterator[MainWindow]:
    """A practice window whose confirmations (close, flatten, move, TP/SL) the test answers by
    clicking the real dialogs (see Answers)."""
    session = open_session(qloop, exchange)
    main = MainWindow(session, SYMBOL, settings=settings, theme="dark")
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
