"""kcterm.qt_loop.BatchedQEventLoop, the app's asyncio loop, in a real QApplication (offscreen).

It keeps asyncio's semantics while its ready callbacks run in batches: FIFO order, cancelled
handles skipped, an exception to the exception handler and the loop going on, callbacks made
during a pass run in the next one (asyncio's _run_once: the scenario is run on a plain asyncio
loop too, and both must give the same story), Qt's own events served between passes (a
callback that reschedules itself starves no QTimer and no posted event), call_soon_threadsafe
from another thread, tasks, futures, sleeps, a socket reader and an aiohttp request against a
local server, stop() inside a pass, run_until_complete returning, delayed callbacks still
qasync's Qt timers, and close() dropping what is left. No timing is asserted.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
import qasync
from aiohttp import web
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from kcterm.qt_loop import BatchedQEventLoop


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[BatchedQEventLoop]:
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    made = BatchedQEventLoop(qapp)
    asyncio.set_event_loop(made)
    yield made
    asyncio.set_event_loop(None)
    qapp.setQuitOnLastWindowClosed(quits)
    if made.is_running():
        made.stop()
    made.close()


def test_the_loop_is_qasyncs() -> None:
    assert issubclass(BatchedQEventLoop, qasync.QEventLoop)


def test_call_soon_runs_in_fifo_order_and_run_until_complete_returns(
    loop: BatchedQEventLoop,
) -> None:
    seen: list[str] = []
    done = loop.create_future()
    for name in "abcdefghij":
        loop.call_soon(seen.append, name)
    loop.call_soon(done.set_result, "done")

    assert loop.run_until_complete(done) == "done"
    assert seen == list("abcdefghij")
    assert not loop.is_running()


def test_call_soon_passes_arguments_and_the_context() -> None:
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="outside")
    app = QApplication.instance()
    assert app is not None
    loop = BatchedQEventLoop(app)
    try:
        seen: list[tuple[str, str, str]] = []
        context = contextvars.copy_context()
        context.run(var.set, "inside")
        done = loop.create_future()
        loop.call_soon(lambda a, b: seen.append((a, b, var.get())), "x", "y", context=context)
        loop.call_soon(lambda: seen.append(("-", "-", var.get())))
        loop.call_soon(done.set_result, None)
        loop.run_until_complete(done)
        assert seen == [("x", "y", "inside"), ("-", "-", "outside")]
    finally:
        loop.close()


def test_call_soon_refuses_what_cannot_be_called(loop: BatchedQEventLoop) -> None:
    with pytest.raises(TypeError, match="callable"):
        loop.call_soon(42)  # type: ignore[arg-type]


def test_debug_mode_refuses_a_coroutine_function_and_logs_slow_callbacks(
    loop: BatchedQEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    async def coroutine_function() -> None:
        pass

    loop.set_debug(True)
    loop.slow_callback_duration = 0.0  # every callback is "slow": the warning is what we test
    with pytest.raises(TypeError):
        loop.call_soon(coroutine_function)
    current: list[object] = []
    done = loop.create_future()

    def look() -> None:
        current.append(loop._current_handle)

    handle = loop.call_soon(look)
    loop.call_soon(done.set_result, None)
    with caplog.at_level(logging.DEBUG, logger="kcterm.qt_loop"):
        loop.run_until_complete(done)
    assert current == [handle]
    assert loop._current_handle is None
    assert any("Executing" in r.getMessage() and "look" in r.getMessage() for r in caplog.records)


def test_callbacks_made_during_a_pass_run_in_the_next_one(loop: BatchedQEventLoop) -> None:
    """A then C are ready; A makes B: the pass runs A and C, B comes in the next pass."""
    seen: list[str] = []
    passes: list[int] = []
    done = loop.create_future()

    def a() -> None:
        seen.append("a")
        passes.append(len(loop._ready))  # what is left of this pass, then what A queued
        loop.call_soon(b)

    def b() -> None:
        seen.append("b")
        done.set_result(None)

    loop.call_soon(a)
    loop.call_soon(seen.append, "c")
    loop.run_until_complete(done)
    assert seen == ["a", "c", "b"]
    assert passes == [1]  # only C still waited behind A


def stop_inside_a_pass(loop: asyncio.AbstractEventLoop) -> list[str]:
    """A stops the loop and makes B; C is ready behind A. What ran in the first run_forever,
    then in a second one."""
    seen: list[str] = []

    def a() -> None:
        seen.append("a")
        loop.stop()
        loop.call_soon(b)

    def b() -> None:
        seen.append("b")
        loop.stop()

    loop.call_soon(a)
    loop.call_soon(seen.append, "c")
    loop.run_forever()
    seen.append("|")
    loop.run_forever()
    return seen


def test_stop_inside_a_pass_finishes_the_pass_as_asyncio_does(
    loop: BatchedQEventLoop,
) -> None:
    plain = asyncio.new_event_loop()
    try:
        expected = stop_inside_a_pass(plain)
    finally:
        plain.close()
    assert expected == ["a", "c", "|", "b"]
    assert stop_inside_a_pass(loop) == expected


def test_a_cancelled_callback_never_runs(loop: BatchedQEventLoop) -> None:
    seen: list[str] = []
    done = loop.create_future()
    loop.call_soon(seen.append, "a")
    cancelled = loop.call_soon(seen.append, "cancelled")
    loop.call_soon(seen.append, "b")
    cancelled.cancel()
    loop.call_soon(done.set_result, None)
    loop.run_until_complete(done)
    assert seen == ["a", "b"]


def test_a_callback_cancelled_by_an_earlier_one_of_its_pass_never_runs(
    loop: BatchedQEventLoop,
) -> None:
    seen: list[str] = []
    done = loop.create_future()
    later: list[asyncio.Handle] = []
    loop.call_soon(lambda: later[0].cancel())
    later.append(loop.call_soon(seen.append, "cancelled"))
    loop.call_soon(seen.append, "b")
    loop.call_soon(done.set_result, None)
    loop.run_until_complete(done)
    assert seen == ["b"]


def test_an_exception_goes_to_the_exception_handler_and_the_loop_goes_on(
    loop: BatchedQEventLoop,
) -> None:
    caught: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: caught.append(context))
    seen: list[str] = []
    done = loop.create_future()

    def boom() -> None:
        raise ValueError("boom")

    loop.call_soon(seen.append, "before")
    failing = loop.call_soon(boom)
    loop.call_soon(seen.append, "after")
    loop.call_soon(done.set_result, None)
    loop.run_until_complete(done)

    assert seen == ["before", "after"]
    assert len(caught) == 1
    assert isinstance(caught[0]["exception"], ValueError)
    assert caught[0]["handle"] is failing
    # and the next run still works
    again = loop.create_future()
    loop.call_soon(again.set_result, 1)
    assert loop.run_until_complete(again) == 1


def test_a_base_exception_leaves_the_rest_of_the_pass_queued(
    loop: BatchedQEventLoop, qapp: QApplication
) -> None:
    """A KeyboardInterrupt escapes handle._run(): Qt reports it, and what was behind it in the
    pass still runs, on the next wake-up."""
    seen: list[str] = []

    def interrupt() -> None:
        raise KeyboardInterrupt

    loop.call_soon(interrupt)
    loop.call_soon(seen.append, "behind")
    done = loop.create_future()
    loop.call_soon(done.set_result, None)
    with pytest.raises(KeyboardInterrupt):
        loop._drain()  # as Qt's timer would call it; the exception comes out of the pass
    assert seen == []
    loop.run_until_complete(done)
    assert seen == ["behind"]


def test_a_callback_that_reschedules_itself_starves_no_qt_timer(
    loop: BatchedQEventLoop,
) -> None:
    """A call_soon chain with no end of its own: a zero-interval QTimer and a posted event,
    both made after the chain started, are still served, and each ends it."""
    cap = 200_000  # the chain gives up here: reaching it means Qt's events were starved
    for served_by in ("timer", "posted event"):
        runs = 0
        finished = loop.create_future()

        def chain(done: asyncio.Future[str] = finished) -> None:
            nonlocal runs
            runs += 1
            if done.done():
                return
            if runs >= cap:
                done.set_result("starved")
                return
            loop.call_soon(chain)

        class Receiver(QObject):
            def event(self, event: QEvent, done: asyncio.Future[str] = finished) -> bool:
                if event.type() == QEvent.Type.User:
                    if not done.done():
                        done.set_result("served")
                    return True
                return super().event(event)

        receiver = Receiver()

        def start(
            done: asyncio.Future[str] = finished, how: str = served_by, target: QObject = receiver
        ) -> None:
            loop.call_soon(chain)
            if how == "timer":
                QTimer.singleShot(0, lambda: done.done() or done.set_result("served"))
            else:
                QCoreApplication.postEvent(target, QEvent(QEvent.Type.User))

        loop.call_soon(start)
        assert (served_by, loop.run_until_complete(finished)) == (served_by, "served")
        assert runs < cap


def test_call_soon_threadsafe_from_other_threads(loop: BatchedQEventLoop) -> None:
    seen: list[tuple[int, int]] = []
    done = loop.create_future()
    threads = 4
    each = 50

    def send(index: int) -> None:
        for n in range(each):
            loop.call_soon_threadsafe(seen.append, (index, n))
        loop.call_soon_threadsafe(finished_one)

    finished = 0

    def finished_one() -> None:
        nonlocal finished
        finished += 1
        if finished == threads:
            done.set_result(threading.get_ident())

    workers = [threading.Thread(target=send, args=(i,)) for i in range(threads)]
    loop.call_soon(lambda: [w.start() for w in workers])
    ran_on = loop.run_until_complete(done)
    for w in workers:
        w.join()
    assert ran_on == threading.get_ident()  # the callbacks ran on the loop's thread
    assert len(seen) == threads * each
    for index in range(threads):  # each thread's callbacks in the order it sent them
        assert [n for i, n in seen if i == index] == list(range(each))


def test_tasks_futures_sleeps_and_gather(loop: BatchedQEventLoop) -> None:
    steps: list[str] = []

    async def worker(name: str, hops: int) -> str:
        for hop in range(hops):
            steps.append(f"{name}{hop}")
            await asyncio.sleep(0)
        return name

    async def main() -> tuple[list[str], float, str]:
        names = await asyncio.gather(worker("a", 3), worker("b", 3))
        started = loop.time()
        await asyncio.sleep(0.02)  # a delayed callback: one of qasync's Qt timers
        slept = loop.time() - started
        future: asyncio.Future[str] = loop.create_future()
        loop.call_later(0.01, future.set_result, "later")
        cancelled = loop.call_later(0.005, steps.append, "never")
        cancelled.cancel()
        result = await future
        await asyncio.sleep(0.01)
        return names, slept, result

    names, slept, result = loop.run_until_complete(main())
    assert names == ["a", "b"]
    assert steps == ["a0", "b0", "a1", "b1", "a2", "b2"]  # interleaved one hop at a time
    assert slept > 0
    assert result == "later"


def test_a_task_is_cancelled_and_its_awaiter_learns_it(loop: BatchedQEventLoop) -> None:
    async def forever() -> None:
        await asyncio.sleep(3600)

    async def main() -> bool:
        task = asyncio.ensure_future(forever())
        await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return task.cancelled()
        return False

    assert loop.run_until_complete(main()) is True


def test_a_socket_reader_runs_through_the_loop(loop: BatchedQEventLoop) -> None:
    left, right = socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    got: list[bytes] = []
    done = loop.create_future()

    def readable() -> None:
        got.append(left.recv(100))
        if b"".join(got) == b"ping pong":
            done.set_result(None)

    try:
        loop.add_reader(left.fileno(), readable)
        loop.call_soon(right.send, b"ping ")
        loop.call_later(0.01, right.send, b"pong")
        loop.run_until_complete(done)
        assert loop.remove_reader(left.fileno())
    finally:
        left.close()
        right.close()


def test_an_aiohttp_request_against_a_local_server(loop: BatchedQEventLoop) -> None:
    async def hello(request: web.Request) -> web.Response:
        await asyncio.sleep(0)
        return web.json_response({"hello": request.query.get("name", "")})

    async def main() -> list[dict[str, str]]:
        app = web.Application()
        app.router.add_get("/hello", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as session:
                replies = []
                for name in ("one", "two", "three"):
                    url = f"http://127.0.0.1:{port}/hello"
                    async with session.get(url, params={"name": name}) as reply:
                        replies.append(await reply.json())
                return replies
        finally:
            await runner.cleanup()

    assert loop.run_until_complete(main()) == [
        {"hello": "one"},
        {"hello": "two"},
        {"hello": "three"},
    ]


def test_run_in_executor(loop: BatchedQEventLoop) -> None:
    async def main() -> int:
        return await loop.run_in_executor(None, sum, [1, 2, 3])

    assert loop.run_until_complete(main()) == 6


def test_a_callback_after_close_is_dropped_and_close_drops_what_waits(
    qapp: QApplication,
) -> None:
    loop = BatchedQEventLoop(qapp)
    seen: list[str] = []
    loop.call_soon(seen.append, "waiting")
    loop.close()
    loop.call_soon(seen.append, "after")
    qapp.processEvents()
    qapp.processEvents()
    assert seen == []
    assert loop.is_closed()
    assert not loop._ready


def test_qt_processing_events_outside_a_run_drains_as_qasyncs_timers_did(
    loop: BatchedQEventLoop, qapp: QApplication
) -> None:
    """run_until_complete ends with one processEvents (qasync's): what was ready by then runs,
    as qasync's zero-timers ran then."""
    seen: list[str] = []
    done = loop.create_future()
    loop.call_soon(done.set_result, None)
    run: Callable[[], None] = lambda: seen.append("late")  # noqa: E731
    done.add_done_callback(lambda _f: loop.call_soon(run))
    loop.run_until_complete(done)
    qapp.processEvents()
    assert seen == ["late"]
