"""Numbers that are true now (issue 10): a resting limit order freezes its order margin in the
account bar as soon as the order is open, before any reconcile; cancelling gives it back."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.validation import OrderDraft
from kcterm.ui.formatting import DASH
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, trading_ready, until
from tests.gui.far_prices import resting_bid

CENT = Decimal("0.01")


def shown(window: MainWindow, key: str) -> Decimal:
    return Decimal(window.account_bar.labels[key].text().split()[0].replace(",", ""))


async def test_a_resting_order_moves_available_and_margin_before_any_reconcile(
    window: MainWindow,
) -> None:
    session = window.session
    await trading_ready(window)
    bar = window.account_bar
    await until(lambda: bar.labels["available"].text() != DASH, 10, "the available balance")
    await until(lambda: session.reconciler.stats.passes >= 1, 10, "the first load")
    passes = session.reconciler.stats.passes
    available, margin = shown(window, "available"), shown(window, "margin")
    contract = session.contracts[SYMBOL]
    price = resting_bid(session, SYMBOL)
    order_id = await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "3", str(price)))
    )
    detail = await session.adapter.rest.order(order_id)
    frozen = 3 * contract.multiplier * price / Decimal(str(detail["leverage"]))
    assert frozen > CENT  # the test means something: the order holds visible margin
    await until(lambda: order_id in session.trading.orders, 10, "the open event")
    expected = (available - frozen).quantize(CENT)
    await until(
        lambda: shown(window, "available") == expected, 5, "available to drop by the margin"
    )
    assert abs(shown(window, "margin") - (margin + frozen)) <= CENT
    assert session.reconciler.stats.passes == passes  # no reconcile did it
    exchange_says = await session.adapter.rest.account_overview()
    assert abs(shown(window, "available") - Decimal(str(exchange_says["availableBalance"]))) <= CENT

    await session.trading.cancel(order_id)
    await until(lambda: order_id not in session.trading.orders, 10, "the cancel event")
    await until(lambda: shown(window, "available") == available.quantize(CENT), 5, "available back")
    assert shown(window, "margin") == margin.quantize(CENT)
    assert session.reconciler.stats.passes == passes
