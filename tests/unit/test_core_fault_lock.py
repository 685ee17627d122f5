"""FaultLock: locked by a failure, unlocked only by a reconcile pass begun after the last one."""

from __future__ import annotations

from kcterm.core.fault_lock import FaultLock
from kcterm.core.interlock import FeedFacts, evaluate


def facts(lock: FaultLock) -> FeedFacts:
    return FeedFacts("connected", "connected", True, 0.1, locked_reason=lock.reason)


def test_a_failure_closes_the_interlock_with_its_reason() -> None:
    lock = FaultLock()
    assert evaluate(facts(lock)).open
    lock.lock("ValueError: bad in session task x")
    gate = evaluate(facts(lock))
    assert not gate.open
    assert gate.reason == "Trading locked until reconciled: ValueError: bad in session task x"


def test_only_a_pass_under_the_latest_token_unlocks() -> None:
    lock = FaultLock()
    first = lock.lock("one")
    second = lock.lock("two")  # a second failure while the first pass is on its way
    assert first != second and lock.token == second
    assert not lock.reconciled(first) and lock.locked  # began before the second failure
    assert not lock.reconciled("periodic") and lock.locked
    assert lock.reconciled(second)
    assert not lock.locked and lock.token == "" and lock.last_reason == "two"
    assert lock.failures == 2
