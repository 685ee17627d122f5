"""In-flight orders and refusals as the trader meets them in the real window (issue 10 items 6,
10): KuCoin's code and words in the ticket, a pending order with its age and budget countdown in
the orders panel, and an abandon that leaves nothing in doubt."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kcterm.core.error_text import explain
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, trading_ready, wait


def test_a_refused_order_shows_kucoins_code_and_words_beside_ours(
    window: MainWindow, qtbot
) -> None:
    trading_ready(window)
    ticket = window.ticket
    ask = window.session.books[SYMBOL].best_ask()[0]
    tick = window.session.contracts[SYMBOL].tick_size
    ticket.set_kind("limit")
    ticket.price_edit.setText(str(ask + 20 * tick))  # crosses: post-only must refuse it
    ticket.size_edit.setText("1")
    ticket.options.post_only.setChecked(True)
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    wait(lambda: "300000" in ticket.error_label.text(), 10, "the exchange's refusal")
    text = ticket.error_label.text()
    assert "300000 · postOnly order would take liquidity; order rejected" in text
    assert explain("300000") in text and "(code 300000)" not in text
    assert len(window.session.orders) == 0
