"""GUI tests: the real window on a qasync loop, trading against the embedded exchange (a child
process, as in the app; a thread of this process where a test steps it or calls into it).

A GUI test is an `async def` and runs as ONE run of the app's loop (kcterm.qt_loop: qasync's
QEventLoop, ready callbacks run in batches), as the app runs one
loop for its whole life: its window and session are opened inside that run, the test body runs,
and they are closed before the run ends (LoopTest, InLoop). Qt never processes events with
asyncio work pending and no loop running, so the loop needs no patch. Inside a test: `await` a
coroutine and `await until(condition, timeout, what)`; never qtbot.waitUntil or qWait, whose
nested event processing would step other tasks inside the test's own. qtbot's clicks and key
presses are synchronous and fine, and a question the app opens with open() is answered by
Answers (a timer of the running loop clicking the real dialog's button).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from kcterm.core.session import Session
from kcterm.embedded import EmbeddedExchange
from kcterm.qt_loop import BatchedQEventLoop
from kcterm.sim import SimConfig
from kcterm.ui import modal_guard
from kcterm.ui.main_window import MainWindow
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from kcterm.venue.kucoin.venue import KucoinVenue
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"
MAJORS = ("XBTUSDTM", "ETHUSDTM", "SOLUSDTM")

T = TypeVar("T")


class InLoop(Generic[T]):
    """A fixture's value that is made inside the test's loop run: `opens()` gives an async
    context manager, entered before the test body and left after it, in the same run (the
    window and desk fixtures: their session starts streams, which need the running loop).
    Not an async fixture: pytest-asyncio would run that on a loop of its own, in a run apart."""

    def __init__(self, opens: Callable[[], AbstractAsyncContextManager[T]]) -> None:
        self.opens = opens


class LoopTest(pytest.Function):
    """An async GUI test, run by one qloop.run_until_complete: its InLoop fixtures opened (in
    the order the test names them), the test body, and the fixtures closed again."""

    @classmethod
    def of(cls, item: pytest.Function) -> LoopTest:
        return cls.from_parent(
            item.parent,
            name=item.name,
            callspec=getattr(item, "callspec", None),
            callobj=item.obj,
            fixtureinfo=item._fixtureinfo,
            originalname=item.originalname,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "qloop" not in self.fixturenames:
            self.fixturenames = [*self.fixturenames, "qloop"]

    def runtest(self) -> None:
        loop = self.funcargs["qloop"]
        assert isinstance(loop, BatchedQEventLoop)
        args = {name: self.funcargs[name] for name in self._fixtureinfo.argnames}
        loop.run_until_complete(self._one_run(args))

    async def _one_run(self, args: dict[str, Any]) -> None:
        async with contextlib.AsyncExitStack() as opened:
            for name, value in args.items():
                if isinstance(value, InLoop):
                    args[name] = await opened.enter_async_context(value.opens())
            await self.obj(**args)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pycollect_makeitem(collector, name: str, obj: object):
    """Async tests here are LoopTests. pytest-asyncio (asyncio_mode = "auto", for the other
    test folders) turns every async test into one of its own items, which would run it on a
    loop of its own; here they are taken back."""
    made = yield
    if not inspect.iscoroutinefunction(obj) or not made:
        return made
    items = made if isinstance(made, list) else [made]
    return [LoopTest.of(item) if isinstance(item, pytest.Function) else item for item in items]


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
def qloop(qapp) -> Iterator[BatchedQEventLoop]:
    # The test's run ends when the test does, not when its last window closes (closing one
    # would quit Qt's loop and stop the run early). The app decides the same way (desk.py).
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    loop = BatchedQEventLoop(qapp)  # the app's loop (kcterm.app)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    qapp.setQuitOnLastWindowClosed(quits)
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


async def open_session(exchange: EmbeddedExchange, venue: str = "sim") -> Session:
    """A session on `exchange`, started (clock, contracts, tickers, streams) on SYMBOL."""
    cfg = exchange.config
    rest = RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = Session(KucoinVenue.open(rest), venue=venue)
    await session.start([SYMBOL])
    return session


@asynccontextmanager
async def open_window(exchange: EmbeddedExchange, settings: QSettings) -> AsyncIterator[MainWindow]:
    """A dark window on a session of its own, shown; closed with its session afterwards."""
    session = await open_session(exchange)
    main = MainWindow(session, SYMBOL, settings=settings, theme="dark")
    main.show()
    try:
        yield main
    finally:
        main.frame_clock.stop()
        await session.stop()
        dispose(main)


@pytest.fixture
def window(qloop, qtbot, exchange: EmbeddedExchange, settings: QSettings) -> InLoop[MainWindow]:
    """A practice window, opened in the test's loop run (see open_window)."""
    return InLoop(lambda: open_window(exchange, settings))


def dispose(window: MainWindow) -> None:
    """Close and delete the window now, on this thread (see tests/conftest.py for why it must
    never be left to a garbage collection that may run on an in-thread exchange's thread)."""
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


async def until(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """Let the loop run until `condition()` holds; an AssertionError after `timeout` s."""
    await wait_for(condition, timeout, what)


async def trading_ready(window: MainWindow, symbol: str = SYMBOL) -> None:
    """Streams connected, the book live and fresh data: the interlock lets orders through."""
    await until(lambda: window.gate(symbol).open, 15, f"the interlock to open for {symbol}")


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
) -> InLoop[MainWindow]:
    """A practice window whose confirmations (close, flatten, move, TP/SL) the test answers by
    clicking the real dialogs (see Answers)."""
    return InLoop(lambda: open_window(exchange, settings))
