"""The stream supervisor (issue 10): a read loop that ends or stops running for any reason but a
requested close is restarted, and the status says so meanwhile, against the sim over loopback.

The nested-loop case is the real one: a modal dialog's exec() inside a coroutine runs loop
callbacks while a task is still being executed, so every task woken there dies with "Cannot
enter into task". Running the loop's own iteration from inside a task does exactly that.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kcterm.core.session import Session
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from kcterm.venue.kucoin.stream import WsStream
from kcterm.venue.stream_status import StreamState
from tests.sessions import kucoin_session
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


@pytest.fixture
async def live() -> AsyncIterator[Session]:
    """A session on a sim whose market moves by itself, so the book has somewhere to go. The
    sim runs in its own process (as in the app), so what the client's loop suffers never
    reaches the exchange."""
    sim = EmbeddedExchange(SimConfig(port=0, seed=3, tick_interval=0.05, contracts=(SYMBOL,)))
    sim.start()
    cfg = sim.config
    rest = RestClient(sim.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = kucoin_session(rest, venue="sim")
    await session.start([SYMBOL])
    yield session
    started = time.monotonic()
    await session.stop()
    assert time.monotonic() - started < 8, "a wedged task hung the close"
    sim.stop()


async def streaming(session: Session) -> None:
    await wait_for(
        lambda: (
            session.adapter.public.state is StreamState.CONNECTED
            and session.market_data.books[SYMBOL].is_live
        ),
        10,
        "the public stream and a live book",
    )


async def book_advances(session: Session, what: str) -> None:
    book = session.market_data.books[SYMBOL]
    start = book.sequence
    await wait_for(lambda: book.is_live and book.sequence > start + 5, 10, what)


def read_loop_of(stream: WsStream) -> asyncio.Task[Any]:
    for task in asyncio.all_tasks():
        coro = task.get_coro()
        frame = getattr(coro, "cr_frame", None)
        if (
            getattr(coro, "__name__", "") == "_read_loop"
            and frame is not None
            and frame.f_locals.get("self") is stream
        ):
            return task
    raise AssertionError(f"no read loop of {stream!r}")


class StateLog:
    """Every state the public stream reports, as the status bar reads it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: list[StreamState] = []
        self.details: list[str] = []
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        # A loop callback, like the status bar's timer: it runs even inside a nested loop.
        self.seen.append(self.session.adapter.public.state)
        self.details.append(self.session.health.stream_states.get("public", (None, ""))[1])
        self._handle = asyncio.get_running_loop().call_later(0.01, self.start)

    # Every report the health part kept counts too, not only the sampled ones: a zero-second
    # retry can pass its reason, "connecting" and connected again between two samples.
    def saw(self, state: StreamState) -> bool:
        reported = [r.state for r in self.session.health.stream_history if r.name == "public"]
        return state in self.seen or state in reported

    def said(self, text: str) -> bool:
        reported = [r.detail for r in self.session.health.stream_history if r.name == "public"]
        return any(text in detail for detail in self.details + reported)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


async def test_a_read_loop_cancelled_from_outside_is_reconnected(live: Session) -> None:
    await streaming(live)
    states = StateLog(live)
    states.start()
    read_loop_of(live.adapter.public.streams[0]).cancel()
    await wait_for(lambda: states.saw(StreamState.RECONNECTING), 5, "a reconnecting state")
    await wait_for(
        lambda: live.adapter.public.state is StreamState.CONNECTED, 10, "connected again"
    )
    states.stop()
    assert states.said("read loop ended (cancelled)")
    await book_advances(live, "the book to advance after the reconnect")


async def test_a_read_loop_killed_by_a_nested_event_loop_is_restarted(live: Session) -> None:
    await streaming(live)
    connections = live.adapter.public.connections
    states = StateLog(live)
    states.start()
    loop = asyncio.get_running_loop()
    # What QMessageBox.exec() inside a coroutine does: the loop iterates while this task is
    # still being executed; the read loop is woken by the next frame and cannot enter.
    # Longer than a wedged task takes to be noticed (task_health.STUCK_AFTER_S), as a dialog
    # left open is.
    ready: collections.deque[asyncio.Handle] = loop._ready  # type: ignore[attr-defined]
    # The pass running this task counted the handles ready behind it and pops that many after
    # it; the nested passes run those too, so as many no-ops are put back for it to pop.
    owed = len(ready)
    until = time.monotonic() + 1.6
    while time.monotonic() < until:
        loop._run_once()  # type: ignore[attr-defined]
    ready.extend(asyncio.Handle(lambda: None, (), loop) for _ in range(owed))
    await wait_for(
        lambda: StreamState.DEAD in states.seen, 5, "the dead stream to be shown as dead"
    )
    assert states.said("read loop stopped running")
    await wait_for(
        lambda: (
            live.adapter.public.state is StreamState.CONNECTED
            and live.adapter.public.connections > connections
        ),
        10,
        "a fresh connection",
    )
    states.stop()
    assert live.adapter.public.restarts >= 1
    await book_advances(live, "the book to advance on the fresh connection")
    # The tasks it killed were errors that escaped: trading was locked until reconciled.
    assert "a nested event loop could not run" in live.faults.last_reason
    await wait_for(lambda: not live.faults.locked, 10, "the reconcile pass that unlocks")


async def test_a_stream_task_cancelled_from_outside_is_restarted(live: Session) -> None:
    await streaming(live)
    states = StateLog(live)
    states.start()
    stream = live.adapter.public.streams[0]
    assert stream.run_task is not None
    stream.run_task.cancel()
    await wait_for(lambda: states.saw(StreamState.DEAD), 5, "the stream shown as dead")
    await wait_for(
        lambda: live.adapter.public.state is StreamState.CONNECTED, 10, "connected again"
    )
    states.stop()
    assert live.adapter.public.streams[0] is not stream  # a fresh one in its place
    assert states.said("stream task ended (cancelled)")
    await book_advances(live, "the book to advance after the restart")
