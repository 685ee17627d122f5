"""What the reconciler corrects reaches the trader (issue 10): a line in the journal panel,
marked and counted, and a notice in the status bar, not only a line in the log."""

from __future__ import annotations

from kcterm.core.validation import OrderDraft
from kcterm.ui.journal_model import is_reconcile_finding
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, trading_ready, until
from tests.gui.far_prices import resting_bid


async def test_an_order_the_feed_missed_is_shown_in_the_journal_and_the_status_bar(
    window: MainWindow,
) -> None:
    session = window.session
    await trading_ready(window)
    await until(lambda: session.reconciler.stats.passes >= 1, 10, "the first load")
    # The private feed is closed on purpose: the order below is placed but never reported,
    # exactly what a feed outage leaves behind.
    await session.adapter.private.close()
    price = resting_bid(session, SYMBOL)
    order_id = await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "2", str(price)))
    )
    assert order_id not in session.trading.orders
    changes = await session.reconciler.run_once("manual")
    assert any(order_id in change for change in changes)
    assert order_id in session.trading.orders  # fixed from the exchange's list

    # The wallet message was missed as well: the balance is one more finding.
    await until(
        lambda: "Reconciled with the exchange" in window.status.notice_label.text(),
        5,
        "the status notice",
    )
    notices = [n.text for n in session.notices if "Reconciled with the exchange" in n.text]
    assert len(notices) == len(changes) and any(order_id in text for text in notices)
    panel = window.journal
    await until(lambda: f"{len(changes)} reconciled" in panel.count_label.text(), 5, "the count")
    found = [e for e in panel.model.rows() if is_reconcile_finding(e)]
    assert len(found) == len(changes) and any(order_id in e.text for e in found)
