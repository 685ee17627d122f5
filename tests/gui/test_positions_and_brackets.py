"""Positions grid and TP/SL against the running exchange: a bracket from the dialog becomes an
st-order and lines on the chart; the grid's actions close, halve, reverse and limit-close a
position on the exchange; flatten all and close by hotkey ask first."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from kcterm.core.validation import OrderDraft
from kcterm.ui.main_window import MainWindow
from kcterm.ui.theme import colors
from tests.gui.conftest import SYMBOL, Answers, trading_ready, until
from tests.gui.far_prices import from_mark, resting_bid


async def open_position(window: MainWindow, side: str = "buy", lots: int = 10) -> None:
    await trading_ready(window)
    session = window.session
    session_qty = lambda: p.qty if (p := session.account.positions.get(SYMBOL)) else 0  # noqa: E731
    before = session_qty()
    await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, side, "market", str(lots)))
    )
    signed = lots if side == "buy" else -lots
    await until(lambda: session_qty() == before + signed, 10, "the position")
    await until(lambda: window.positions.model.rowCount() == 1, 5, "the position row")


async def exchange_qty(window: MainWindow) -> int:
    items = await window.session.adapter.rest.positions()
    return sum(int(i["currentQty"]) for i in items if i["symbol"] == SYMBOL)


async def exchange_stops(window: MainWindow) -> list[dict]:
    return await window.session.adapter.rest.stop_orders(SYMBOL)


def levels_around_mark(window: MainWindow, below: str, above: str) -> tuple[str, str]:
    """Prices `below` % under and `above` % over the mark: far enough that the running market
    does not reach them during the test (tests/gui/far_prices.py)."""
    contract = window.session.contracts[SYMBOL]
    return (
        contract.format_price(from_mark(window.session, SYMBOL, -Decimal(below))),
        contract.format_price(from_mark(window.session, SYMBOL, above)),
    )


async def test_a_bracket_from_the_dialog_creates_the_st_order_and_its_chart_lines(
    desk: MainWindow, qtbot, answers: Answers
) -> None:
    await open_position(desk, "buy", 10)
    qtbot.mouseClick(desk.positions.buttons["bracket"], Qt.MouseButton.LeftButton)
    dialog = desk.desk_actions.bracket_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.place_button.text() == "Place TP/SL"
    sl, tp = levels_around_mark(desk, "1", "2")
    dialog.sl_edit.setText(sl)
    dialog.tp_edit.setText(tp)
    dialog.update_figures()
    assert "PnL -" in dialog.sl_result.text() and "PnL +" in dialog.tp_result.text()
    assert " R " in dialog.r_label.text()
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    session = desk.session
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "the st-order on the feed")
    order_id = session.trading.stop_orders.all()[0].order_id
    [item] = await exchange_stops(desk)
    assert item["id"] == order_id and item["side"] == "sell" and item["closeOrder"] is True
    assert item["stopPriceType"] == "MP"
    lines = desk.chart.position_lines
    await until(lambda: f"{order_id}:TP" in lines.lines, 5, "the TP line")
    assert lines.value(f"{order_id}:SL") == Decimal(sl)
    assert lines.value(f"{order_id}:TP") == Decimal(tp)
    assert lines.lines[f"{order_id}:SL"].value() == float(Decimal(sl))
    position = session.account.positions.get(SYMBOL)
    assert position is not None and lines.value("entry") == position.avg_entry
    assert lines.value("liq") == position.liquidation_price.quantize(Decimal("0.1"))
    grid = desk.positions.model
    await until(lambda: grid.cell(0, grid.column_index("TP/SL")).startswith("SL "), 5, "TP/SL cell")
    assert answers.asked == []  # in practice a TP/SL does not ask (live would)


async def test_editing_a_tp_sl_is_cancel_and_replace_from_the_dialog_and_by_dragging(
    desk: MainWindow, qtbot
) -> None:
    await open_position(desk, "sell", 6)
    session = desk.session
    sl, tp = levels_around_mark(desk, "2", "1")  # a short: the stop-loss above
    tp, sl = sl, tp
    first = await session.trading.place_bracket(session.trading.plan_for_position(SYMBOL, sl, tp))
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "the first st-order")
    desk.positions.request("bracket")
    dialog = desk.desk_actions.bracket_dialog
    assert dialog is not None and dialog.existing_id == first
    assert dialog.place_button.text() == "Replace TP/SL"
    assert dialog.sl_edit.text() == sl and dialog.tp_edit.text() == tp
    new_sl, _ = levels_around_mark(desk, "-1.5", "0")
    dialog.sl_edit.setText(new_sl)
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    await until(
        lambda: {s.order_id for s in session.trading.stop_orders.all()} - {first}, 10, "the new one"
    )
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "the old one gone")
    second = session.trading.stop_orders.all()[0].order_id
    assert [i["id"] for i in await exchange_stops(desk)] == [second]
    assert session.trading.gateway.links[second].old_id == first
    # drag the take-profit line further down: replaced again, the stop-loss kept
    lines = desk.chart.position_lines
    await until(lambda: f"{second}:TP" in lines.lines, 5, "the TP line")
    lines.set_movable(True)
    lowered = Decimal(tp) - 50
    lines.drop(f"{second}:TP", float(lowered))
    await until(
        lambda: second not in {s.order_id for s in session.trading.stop_orders.all()},
        10,
        "replaced",
    )
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "one st-order")
    third = session.trading.stop_orders.all()[0].order_id
    # The feed may show the new st-order before the reply that records its plan is read.
    await until(
        lambda: session.trading.brackets.get(third) is not None, 5, "the new st-order's plan"
    )
    plan = session.trading.brackets.get(third)
    assert plan is not None and plan.take_profit == lowered and plan.stop_loss == Decimal(new_sl)


async def test_closing_a_position_from_the_grid_flattens_it_on_the_exchange(
    desk: MainWindow, qtbot
) -> None:
    await open_position(desk, "buy", 10)
    assert await exchange_qty(desk) == 10
    qtbot.mouseClick(desk.positions.buttons["close"], Qt.MouseButton.LeftButton)
    await until(lambda: desk.positions.model.rowCount() == 0, 10, "the row to go")
    assert await exchange_qty(desk) == 0
    assert desk.positions.count_label.text() == "no positions"


async def test_close_half_then_reverse_from_the_grid(desk: MainWindow, qtbot) -> None:
    await open_position(desk, "buy", 10)
    session = desk.session
    qtbot.mouseClick(desk.positions.buttons["half"], Qt.MouseButton.LeftButton)
    await until(lambda: session.account.positions.get(SYMBOL).qty == 5, 10, "half closed")
    assert await exchange_qty(desk) == 5
    qtbot.mouseClick(desk.positions.buttons["reverse"], Qt.MouseButton.LeftButton)
    await until(lambda: session.account.positions.get(SYMBOL).qty == -5, 10, "reversed")
    assert await exchange_qty(desk) == -5
    grid = desk.positions.model
    await until(lambda: grid.cell(0, grid.column_index("Side")) == "SHORT", 5, "the grid")


async def limit_close(desk: MainWindow, qtbot) -> dict:
    """Click the grid's limit close; the closing order as the exchange has it."""
    session = desk.session
    sent = set(session.trading.gateway.placed.values())
    qtbot.mouseClick(desk.positions.buttons["limit_best"], Qt.MouseButton.LeftButton)
    await until(
        lambda: set(session.trading.gateway.placed.values()) - sent, 10, "the closing order"
    )
    [order_id] = set(session.trading.gateway.placed.values()) - sent
    return await session.adapter.rest.order(order_id)


async def test_limit_close_sends_a_reduce_only_limit_at_the_touch(desk: MainWindow, qtbot) -> None:
    await open_position(desk, "sell", 6)
    order = await limit_close(desk, qtbot)
    assert order["side"] == "buy" and order["type"] == "limit" and order["reduceOnly"] is True
    assert order["size"] == 6 and Decimal(order["price"]) % Decimal("0.1") == 0


async def test_flatten_all_by_hotkey_asks_then_clears_everything(
    desk: MainWindow, answers: Answers
) -> None:
    await open_position(desk, "buy", 5)
    session = desk.session
    resting = resting_bid(session, SYMBOL)
    await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "1", str(resting)))
    )
    sl, tp = levels_around_mark(desk, "1.5", "1.5")
    await session.trading.place_bracket(session.trading.plan_for_position(SYMBOL, sl, tp))
    await until(
        lambda: len(session.trading.orders) == 1 and len(session.trading.stop_orders) == 1,
        10,
        "order, stop",
    )
    answers.reply = False
    desk.hotkeys.actions["flatten_all"].trigger()
    await until(lambda: len(answers.asked) == 1, 5, "the question")
    assert answers.asked[0][0] == "Flatten all" and await exchange_qty(desk) == 5
    answers.reply = True
    desk.hotkeys.actions["flatten_all"].trigger()
    await until(lambda: session.account.positions.get(SYMBOL) is None, 10, "flat")
    await until(
        lambda: len(session.trading.orders) == 0 and len(session.trading.stop_orders) == 0,
        10,
        "nothing left",
    )
    assert await exchange_qty(desk) == 0 and await exchange_stops(desk) == []
    assert await session.adapter.rest.active_orders() == []


async def test_close_position_hotkey_asks_and_closes_the_ticket_symbol(
    desk: MainWindow, answers: Answers
) -> None:
    await open_position(desk, "sell", 3)
    desk.hotkeys.actions["close_position"].trigger()
    await until(lambda: desk.session.account.positions.get(SYMBOL) is None, 10, "closed")
    assert len(answers.asked) == 1 and "short of 3 lots" in answers.asked[0][1]
    desk.hotkeys.actions["close_position"].trigger()  # nothing open: said, not asked
    await until(lambda: "No open position" in desk.desk_actions.last_error, 5, "the reason")
    assert len(answers.asked) == 1


async def test_with_two_positions_the_buttons_act_on_the_selected_row_and_pnl_is_coloured(
    desk: MainWindow, qtbot
) -> None:
    await open_position(desk, "buy", 4)
    session = desk.session
    await session.watch("ETHUSDTM")
    await until(lambda: session.market_data.books["ETHUSDTM"].is_live, 10, "the ETH book")
    await session.trading.place(
        session.trading.prepare(OrderDraft("ETHUSDTM", "sell", "market", "2"))
    )
    grid = desk.positions.model
    await until(lambda: grid.rowCount() == 2, 10, "two rows")
    assert not desk.positions.buttons["close"].isEnabled()  # which one? nothing is chosen
    eth = [grid.symbol_at(r) for r in range(2)].index("ETHUSDTM")
    desk.positions.view.selectRow(eth)
    assert desk.positions.buttons["close"].isEnabled()
    upnl = grid.column_index("uPnL")
    for row in range(2):
        pnl = grid.row_at(row).position.unrealised_pnl
        brush = grid.index(row, upnl).data(Qt.ItemDataRole.ForegroundRole)
        assert brush.color() == colors().signed(float(pnl))
    qtbot.mouseClick(desk.positions.buttons["close"], Qt.MouseButton.LeftButton)
    await until(lambda: session.account.positions.get("ETHUSDTM") is None, 10, "ETH closed")
    assert session.account.positions.get(SYMBOL).qty == 4 and await exchange_qty(desk) == 4


async def test_a_limit_close_of_a_position_on_a_symbol_nobody_shows_is_priced_at_its_touch(
    desk: MainWindow, qtbot
) -> None:
    """Leases drop the book of a symbol the window no longer shows; a position row is no
    lease. The limit close leases the symbol while the trader confirms, so it still finds the
    touch instead of refusing "No price on that side of the book"."""
    await open_position(desk, "buy", 4)
    session = desk.session
    session.market_data.grace_s = 0
    other = next(s for s in sorted(session.contracts) if s != SYMBOL)
    desk.link.select(other)
    await until(lambda: SYMBOL not in session.market_data.books, 10, f"{SYMBOL}'s book dropped")
    order = await limit_close(desk, qtbot)
    assert order["side"] == "sell" and order["type"] == "limit" and order["reduceOnly"] is True
    assert order["symbol"] == SYMBOL and order["size"] == 4
    assert "No price" not in desk.desk_actions.last_error
    await until(lambda: SYMBOL not in session.market_data.leased(), 5, "the close's lease released")
