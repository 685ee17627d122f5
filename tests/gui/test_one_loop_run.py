"""A GUI test runs on the app's loop (kcterm.qt_loop.BatchedQEventLoop), once: pytest-asyncio
(auto mode, for the other folders) does not take it onto a loop of its own, and the window it
gets was opened in the same run, its session's tasks alive on that loop (tests/gui/conftest.py,
LoopTest)."""

from __future__ import annotations

import asyncio

from kcterm.qt_loop import BatchedQEventLoop
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import trading_ready


async def test_the_window_and_the_test_share_one_run_of_the_apps_loop(
    window: MainWindow, qloop
) -> None:
    assert asyncio.get_running_loop() is qloop
    assert type(qloop) is BatchedQEventLoop  # the app's loop (kcterm.app), no patch
    await trading_ready(window)
    tasks = asyncio.all_tasks(qloop)
    alive = [t for t in window.session._tasks if not t.done()]
    assert alive and all(task in tasks for task in alive)
