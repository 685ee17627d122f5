"""The ticket foresees what the exchange would refuse and says what it changed (issue 10 item
10, the ticket's part): a post-only order that would cross and a reduce-only order that would
open or grow a position are refused in the ticket with the reason and never sent; leverage
above the contract's maximum is set to it with a note; the market kinds disable the fields
that do not apply; a first start shows how to place an order, not an error."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from kcterm.ui.main_window import MainWindow
from kcterm.ui.order_ticket import OrderTicket
from tests.gui.conftest import SYMBOL, trading_ready, until
from tests.gui.far_prices import resting_bid


async def nothing_sent(window: MainWindow) -> bool:
    placed = [e for e in window.session.journal.entries if e.text.startswith("Place ")]
    return not placed and await window.session.adapter.rest.active_orders(SYMBOL) == []


async def touch(window: MainWindow) -> tuple[Decimal, Decimal]:
    await trading_ready(window)
    book = window.session.market_data.books[SYMBOL]
    return book.best_bid()[0], book.best_ask()[0]


async def test_a_post_only_order_that_would_cross_is_refused_before_sending(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    bid, ask = await touch(window)
    tick = window.session.contracts[SYMBOL].tick_size
    ticket.options.post_only.setChecked(True)
    ticket.size_edit.setText("2")
    ticket.price_edit.setText(str(ask + 200 * tick))  # far through the ask: crosses
    ticket.checks.run()
    assert "✕ Post-only buy" in ticket.buy_preview.text()
    assert "would take liquidity" in ticket.buy_preview.text()
    assert "✕" not in ticket.sell_preview.text()  # a post-only sell up there rests
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    assert "Post-only buy" in ticket.error_label.text() and "best ask" in ticket.error_label.text()
    assert ticket.price_edit.property("invalid") is True
    ticket.price_edit.setText(str(bid - 200 * tick))  # far through the bid for a sell
    qtbot.mouseClick(ticket.sell_button, Qt.MouseButton.LeftButton)
    assert "Post-only sell" in ticket.error_label.text() and "best bid" in ticket.error_label.text()
    assert await nothing_sent(window)
    ticket.price_edit.setText(str(resting_bid(window.session, SYMBOL)))  # far under: rests
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(window.session.trading.orders) == 1, 10, "the resting post-only buy")
    assert window.session.trading.orders.all()[0].side == "buy"


async def test_a_reduce_only_order_that_would_open_or_grow_a_position_is_refused(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    session = window.session
    await touch(window)
    ticket.set_kind("market")
    ticket.size_edit.setText("3")
    ticket.options.reduce_only.setChecked(True)
    qtbot.mouseClick(ticket.sell_button, Qt.MouseButton.LeftButton)  # no position at all
    assert f"there is no {SYMBOL} position to reduce" in ticket.error_label.text()
    assert await nothing_sent(window)
    ticket.options.reduce_only.setChecked(False)
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    # The position can show before the order's reply is back, and until then the ticket is
    # still sending (its buttons disabled: a click now would do nothing). Wait for what a
    # trader waits for: the whole long, and the buttons live again.
    await until(
        lambda: (
            getattr(session.account.positions.get(SYMBOL), "qty", 0) == 3
            and ticket.buy_button.isEnabled()
        ),
        10,
        "the long, and the ticket ready again",
    )
    ticket.options.reduce_only.setChecked(True)
    ticket.checks.run()
    assert "✕ Reduce-only: a buy would increase your long of 3 lots" in ticket.buy_preview.text()
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    assert "would increase your long" in ticket.error_label.text()
    assert session.account.positions.get(SYMBOL).qty == 3
    qtbot.mouseClick(ticket.sell_button, Qt.MouseButton.LeftButton)  # reduces: it goes
    await until(lambda: session.account.positions.get(SYMBOL) is None, 10, "the long closed")
    assert ticket.error_label.text() == ""


async def test_leverage_above_the_contract_maximum_is_set_to_it_with_a_note(
    window: MainWindow, qtbot
) -> None:
    margin = window.ticket.margin
    box = margin.leverage_box
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "200")
    assert box.value() == 125  # XBTUSDTM's maximum
    assert margin.leverage_note.isVisible()
    assert "200x is above XBTUSDTM's maximum of 125x: leverage set to 125x" in (
        margin.leverage_note.text()
    )
    assert window.ticket.draft("buy").leverage == 125
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "20")
    assert box.value() == 20 and not margin.leverage_note.isVisible()


async def test_the_market_kinds_disable_the_fields_that_do_not_apply(window: MainWindow) -> None:
    ticket = window.ticket
    options = ticket.options
    ticket.options.iceberg.setChecked(True)
    flags = (options.tif_box, options.post_only, options.hidden, options.iceberg)
    for kind in ("market", "stop_market"):
        ticket.set_kind(kind)
        assert not ticket.price_edit.isEnabled() and ticket.price_edit.placeholderText() == (
            "at market"
        )
        assert not any(w.isEnabled() for w in (*flags, options.visible_edit))
        assert ticket.stop_edit.isEnabled() == ticket.trigger_box.isEnabled() == (kind != "market")
        assert ticket.draft("buy").post_only is False and ticket.draft("buy").iceberg is False
    ticket.set_kind("limit")
    assert ticket.price_edit.isEnabled() and all(w.isEnabled() for w in flags)
    assert options.visible_edit.isEnabled()  # iceberg is still ticked
    assert not ticket.stop_edit.isEnabled() and not ticket.trigger_box.isEnabled()


async def test_a_first_start_greets_with_a_hint_not_an_error_until_the_first_order(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    await touch(window)
    hint = ticket.first_hint
    assert hint.isVisible() and "click a book price" in hint.label.text()
    ticket.checks.run()
    for preview in (ticket.buy_preview, ticket.sell_preview):
        assert "A limit order needs a price" in preview.text() and "✕" not in preview.text()
        assert preview.property("refused") is False
    qtbot.keyClicks(ticket.price_edit, "abc")  # typed: now it is an error
    assert "✕" in ticket.buy_preview.text() and ticket.buy_preview.property("refused") is True
    ticket.price_edit.setText(str(resting_bid(window.session, SYMBOL)))
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(window.session.trading.orders) == 1, 10, "the first order")
    # The feed may show the order before its REST reply, which is what dismisses the hint.
    await until(lambda: not ticket.first_hint.isVisible(), 5, "the hint gone with the order")


async def test_the_first_order_hint_goes_with_its_button_and_not_on_a_desk_that_traded(
    window: MainWindow, qtbot
) -> None:
    hint = window.ticket.first_hint
    assert hint.isVisible()
    qtbot.mouseClick(hint.dismiss_button, Qt.MouseButton.LeftButton)
    assert not hint.isVisible() and hint.dismissed
    await touch(window)
    window.ticket.price_edit.setText(str(resting_bid(window.session, SYMBOL)))
    qtbot.mouseClick(window.ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(window.session.trading.orders) == 1, 10, "an order")
    after = OrderTicket(window.session, SYMBOL)  # a desk that has traded, as after a restart
    assert after.first_hint.dismissed and after.first_hint.isHidden()
    after.deleteLater()
