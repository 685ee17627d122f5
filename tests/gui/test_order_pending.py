"""In-flight orders and refusals as the trader meets them in the real window (issue 10 items 6,
10): KuCoin's code and words in the ticket, a pending order with its age and budget countdown in
the orders panel, and an abandon that leaves nothing in doubt."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from kcterm.core.pending_orders import PendingOrder
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from kcterm.ui.open_orders_model import CANCEL_COLUMN
from kcterm.venue.kucoin.error_words import explain
from tests.gui.conftest import MAJORS, SYMBOL, trading_ready, until


@pytest.fixture
def exchange() -> Iterator[EmbeddedExchange]:
    """The conftest's exchange, but in this process: these tests switch its drills and count
    its orders from inside (call())."""
    embedded = EmbeddedExchange(
        SimConfig(port=0, seed=5, tick_interval=0.05, contracts=MAJORS), in_process=True
    )
    embedded.start()
    yield embedded
    embedded.stop()


async def test_a_refused_order_shows_kucoins_code_and_words_beside_ours(
    window: MainWindow, qtbot
) -> None:
    """A refusal the ticket cannot foresee (its post-only and reduce-only forecasts catch the
    others before sending): too little margin at 1x for the size, which only the exchange
    knows, with its resting orders and fees."""
    await trading_ready(window)
    ticket = window.ticket
    bid = window.session.market_data.books[SYMBOL].best_bid()[0]
    contract = window.session.contracts[SYMBOL]
    ticket.set_kind("limit")
    ticket.price_edit.setText(contract.format_price(bid - 50 * contract.tick_size))  # rests
    ticket.leverage_box.setValue(1)
    ticket.size_edit.setText("2400")  # about 219k USDT at 1x: more than the practice balance
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(lambda: "300003" in ticket.error_label.text(), 10, "the exchange's refusal")
    text = ticket.error_label.text()
    assert "300003 · Balance insufficient" in text  # KuCoin's words, verbatim
    assert explain("300003") in text and "(code 300003)" not in text
    notice = window.session.notices[-1]  # the status bar's line says the same
    assert notice.level == "error" and "300003 · Balance insufficient" in notice.text
    assert len(window.session.trading.orders) == 0


def on_exchange(exchange: EmbeddedExchange, drill) -> None:
    """Run a drill on the exchange's own thread."""

    async def go() -> None:
        drill(exchange.exchange.drills)

    exchange.call(go)


async def resting_buy(window: MainWindow, qtbot) -> None:
    await trading_ready(window)
    ticket = window.ticket
    bid = window.session.market_data.books[SYMBOL].best_bid()[0]
    contract = window.session.contracts[SYMBOL]
    ticket.set_kind("limit")
    # 1 % under the bid: it rests while the practice market moves
    price = (bid * Decimal("0.99") / contract.tick_size).to_integral_value() * contract.tick_size
    ticket.price_edit.setText(contract.format_price(price))
    ticket.size_edit.setText("2")
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)


def pending_rows(window: MainWindow) -> list[PendingOrder]:
    model = window.open_orders.model
    rows = [model.order_at(r) for r in range(model.rowCount())]
    return [r for r in rows if isinstance(r, PendingOrder)]


async def test_an_order_behind_503s_shows_as_pending_with_its_age_until_it_is_placed(
    window: MainWindow, exchange: EmbeddedExchange, qtbot
) -> None:
    await trading_ready(window)
    on_exchange(exchange, lambda drills: drills.fail_rate(1.0))  # 503s, nothing served
    await resting_buy(window, qtbot)
    await until(lambda: pending_rows(window), 5, "a pending row")
    panel = window.open_orders
    row = next(r for r in range(panel.model.rowCount()) if panel.model.cell(r, 7).startswith("p"))
    assert panel.model.cell(row, 7).startswith("pending · checking")  # asking by clientOid
    assert "503000" in panel.model.data(panel.model.index(row, 7), Qt.ItemDataRole.ToolTipRole)
    assert panel.model.cell(row, 8) == "✕ Abandon" and panel.model.cell(row, 5) == "2"
    assert panel.pending_label.isVisible() and panel.pending_label.text() == "1 pending"
    age = int(panel.model.cell(row, 7).rsplit(" ", 2)[1])
    await until(
        lambda: pending_rows(window) and int(panel.model.cell(row, 7).rsplit(" ", 2)[1]) > age,
        5,
        "the age to grow",
    )
    on_exchange(exchange, lambda drills: drills.fail_rate(0.0))
    # The panel repaints on the frame clock, a moment after the session knows the order.
    await until(
        lambda: (
            not pending_rows(window)
            and len(window.session.trading.orders) == 1
            and panel.model.rowCount() == 1
        ),
        10,
        "confirmed, in the panel",
    )
    assert panel.model.cell(0, 8) == "✕ Cancel"
    assert not panel.pending_label.isVisible() and not panel.abandon_button.isVisible()


async def test_a_wait_for_budget_counts_down_and_abandoning_it_places_nothing(
    window: MainWindow, exchange: EmbeddedExchange, qtbot
) -> None:
    await trading_ready(window)

    def exhaust(drills) -> None:
        drills.limiter.window_ms = 8_000
        drills.exhaust_pool("Futures")

    on_exchange(exchange, exhaust)
    await resting_buy(window, qtbot)
    panel = window.open_orders
    await until(lambda: "budget in" in panel.pending_label.text(), 10, "a countdown in the bar")
    first = int(panel.pending_label.text().split("budget in ")[1].split(" ")[0])
    assert 3 <= first <= 8
    await until(lambda: pending_rows(window), 5, "the pending row")
    model = panel.model
    row = next(r for r in range(model.rowCount()) if isinstance(model.order_at(r), PendingOrder))
    client_oid = model.order_at(row).client_oid
    assert model.cell(row, 7).startswith("pending · budget in")
    await until(
        lambda: (
            "budget in " in panel.pending_label.text()
            and int(panel.pending_label.text().split("budget in ")[1].split(" ")[0]) < first
        ),
        5,
        "the countdown to move",
    )
    cell = panel.view.visualRect(model.index(row, CANCEL_COLUMN)).center()
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    await until(lambda: "NOT placed" in panel.message_label.text(), 5, "the outcome in the bar")
    assert "abandoned by the trader" in panel.message_label.text()
    assert "429000" in panel.message_label.text()  # the exchange's words, verbatim
    await until(lambda: "NOT placed" in window.ticket.error_label.text(), 5, "the ticket told")
    assert not pending_rows(window) and not panel.pending_label.isVisible()
    assert len(window.session.trading.orders) == 0

    seen: list[int] = []

    async def count_on_exchange() -> None:
        orders = exchange.exchange.engine.orders.values()
        seen.append(sum(1 for o in orders if o.client_oid == client_oid))

    exchange.call(count_on_exchange)
    assert seen == [0]  # the exchange never got it: nothing left in doubt
