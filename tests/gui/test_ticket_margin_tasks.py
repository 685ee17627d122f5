"""The ticket's margin read (ui.ticket_margin) dies with its window: left pending when the
window closed, the task was destroyed with the loop ("Task was destroyed but it is pending")."""

from __future__ import annotations

import asyncio

from kcterm.ui.main_window import MainWindow

OTHER = "ETHUSDTM"  # the window opens on XBTUSDTM: this one's margin mode is not known yet


def margin_reads(loop: asyncio.AbstractEventLoop) -> list[asyncio.Task]:
    return [
        task
        for task in asyncio.all_tasks(loop)
        if getattr(task.get_coro(), "__qualname__", "") == "MarginControls._load_settings"
    ]


async def test_a_closed_ticket_leaves_no_margin_read_of_its_own_pending(
    window: MainWindow, qloop
) -> None:
    assert OTHER not in window.session.account.margin_modes
    window.ticket.set_symbol(OTHER)  # the ticket asks the exchange for the symbol's margin mode
    reads = [task for task in margin_reads(qloop) if not task.done()]
    assert reads, "the ticket started no margin read: nothing here is tested"
    window.close()
    # One pass of the loop: enough for a cancelled task to end, far too little for two signed
    # REST calls over loopback (the read unfinished here is what was left pending before).
    await asyncio.sleep(0)
    assert all(task.cancelled() for task in reads), f"margin reads outlived the window: {reads}"
    assert [task for task in margin_reads(qloop) if not task.done()] == []
