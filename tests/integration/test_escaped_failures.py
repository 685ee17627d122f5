"""An exception that escapes a task (issue 10): logged with its context, shown, and trading is
locked through the interlock with the reason until a reconcile pass begun after it succeeds."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest
from qasync import asyncSlot

from kcterm.core.interlock import evaluate
from kcterm.core.session import Session
from kcterm.sim import SimExchange
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


@pytest.fixture
def slow_replies(sim: SimExchange):
    """REST answers 300 ms late, so a reconcile pass takes that long and the lock is seen."""
    sim.drills.delay_replies(300)
    yield sim
    sim.drills.delay_replies(0)


async def unlocked_once_reconciled(session: Session) -> None:
    await wait_for(lambda: not session.faults.locked, 10, "a reconcile pass to unlock trading")
    assert "trading unlocked" in session.notices[-1].text


def assert_locked(session: Session, words: str) -> None:
    assert session.faults.locked and words in session.faults.reason
    gate = evaluate(session.feed_facts(SYMBOL))
    assert not gate.open and gate.reason.startswith("Trading locked until reconciled")
    assert words in gate.reason


async def test_a_session_task_that_raises_locks_trading_until_reconciled(
    session: Session, slow_replies: SimExchange, caplog: pytest.LogCaptureFixture
) -> None:
    await wait_for(lambda: session.reconciler.stats.passes >= 1, 10, "the first reconcile pass")

    async def order_sync() -> None:  # a background job with a bug in it
        raise ValueError("a field the code did not expect")

    passes = session.reconciler.stats.passes
    with caplog.at_level(logging.ERROR, logger="kcterm.core.session"):
        session._spawn(order_sync())
        await wait_for(lambda: session.faults.locked, 5, "the lock")
    assert_locked(session, "ValueError: a field the code did not expect")
    assert "order_sync" in session.faults.reason  # where it happened
    record = next(r for r in caplog.records if "unexpected failure" in r.getMessage())
    assert record.exc_info is not None and record.exc_info[0] is ValueError  # the traceback
    assert any(n.level == "error" and "Trading locked" in n.text for n in session.notices)
    await unlocked_once_reconciled(session)
    assert session.reconciler.stats.passes > passes
    assert not evaluate(session.feed_facts(SYMBOL)).reason.startswith("Trading locked")


async def test_a_failing_loop_callback_locks_trading_until_reconciled(
    session: Session, slow_replies: SimExchange
) -> None:
    def tick() -> None:
        raise KeyError("symbol")

    asyncio.get_running_loop().call_soon(tick)
    await wait_for(lambda: session.faults.locked, 5, "the lock")
    assert_locked(session, "KeyError")
    assert any(n.level == "error" and "Trading locked" in n.text for n in session.notices)
    await unlocked_once_reconciled(session)


async def test_an_async_slot_that_raises_reaches_the_session(
    session: Session, slow_replies: SimExchange
) -> None:
    # qasync hands an @asyncSlot coroutine's exception to sys.excepthook; the session's hook
    # sits in front of whatever was there and passes the report on.
    passed_on: list[BaseException] = []
    before = sys.excepthook
    sys.excepthook = lambda kind, exc, tb: passed_on.append(exc)
    try:
        session._escapes.uninstall()
        session._escapes.install(asyncio.get_running_loop())

        @asyncSlot(bool)
        async def on_click(checked: bool) -> None:
            raise RuntimeError("slot bug")

        on_click(True)  # as a button's clicked(bool) calls it
        await wait_for(lambda: session.faults.locked, 5, "the lock")
    finally:
        session._escapes.uninstall()
        sys.excepthook = before
    assert_locked(session, "RuntimeError: slot bug")
    assert [str(e) for e in passed_on] == ["slot bug"]  # the crash dialog still hears of it


async def test_the_traders_unlock_is_a_reconcile_pass(session: Session) -> None:
    await wait_for(lambda: session.reconciler.stats.passes >= 1, 10, "the first reconcile pass")
    session.reconciler.interval = 3600  # no periodic pass: only the trader's unlock counts
    session.faults.lock("a test failure")
    assert not evaluate(session.feed_facts(SYMBOL)).open
    assert await session.reconcile_and_unlock()
    assert not session.faults.locked
