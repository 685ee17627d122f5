"""The ticket on an inverse contract (XBTUSDM from the running sim): its size units read lots,
USD and XBT, the risk amount and the conversion say XBT, never USDT (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import MAJORS, trading_ready, until


@pytest.fixture
def exchange() -> Iterator[EmbeddedExchange]:
    """The conftest's exchange with XBTUSDM listed too (it lists the linear majors only)."""
    config = SimConfig(port=0, seed=5, tick_interval=0.05, contracts=(*MAJORS, "XBTUSDM"))
    embedded = EmbeddedExchange(config)
    embedded.start()
    yield embedded
    embedded.stop()


async def test_an_inverse_ticket_sizes_in_usd_and_values_in_xbt(window: MainWindow) -> None:
    ticket = window.ticket
    await trading_ready(window)
    await until(lambda: "XBTUSDM" in window.session.contracts, 10, "the inverse contract listed")
    ticket.symbol_box.setCurrentText("XBTUSDM")
    await until(
        lambda: ticket.contract is not None and ticket.contract.symbol == "XBTUSDM", 5, "XBTUSDM"
    )
    units = [ticket.unit_box.itemText(i) for i in range(ticket.unit_box.count())]
    assert units == ["lots", "USD", "XBT"]
    assert ticket.risk.mode_box.itemText(ticket.risk.mode_box.findData("amount")) == "XBT"
    assert "1 lot = 1 USD" in ticket.contract_hint.text()
    ticket.set_kind("limit")
    ticket.unit_box.setCurrentIndex(ticket.unit_box.findData("coins"))
    ticket.price_edit.setText("91250")
    ticket.size_edit.setText("100")
    # 100 USD at 91,250 = 0.00109589041... XBT
    await until(
        lambda: ticket.conversion_label.text() == "= 100 lots = 100 USD ≈ 0.00109589 XBT",
        5,
        f"the XBT conversion (shown {ticket.conversion_label.text()!r})",
    )
    # 100 / 91,250 = 0.00109589 XBT; its taker fee x 0.0006 = 0.00000066 XBT, never "6.6E-7";
    # its maker fee x 0.0002 = 0.00000022 XBT. Which one depends on where the practice market
    # is: a buy at 91,250 crosses an ask below it (taker) and rests under one above (maker).
    await until(
        lambda: "value 0.00109589 XBT" in ticket.buy_preview.text(), 5, "the preview in XBT"
    )
    preview = ticket.buy_preview.text()
    assert "fee 0.00000066 (taker)" in preview or "fee 0.00000022 (maker)" in preview, preview
    assert "USDT" not in ticket.buy_preview.text()


async def test_an_inverse_entrys_tp_sl_dialog_shows_xbt_and_the_pnl_ratio(
    window: MainWindow,
) -> None:
    """The TP/SL dialog of an XBTUSDM entry: PnL and fee in XBT to the satoshi (never 0.00),
    and reward over risk from the PnL itself (45k/50k/55k long: 0.82 R, not 1.00)."""
    await trading_ready(window)
    session = window.session
    await until(lambda: "XBTUSDM" in session.contracts, 10, "the inverse contract listed")
    request = session.trading.prepare(OrderDraft("XBTUSDM", "buy", "limit", "1000", "50000"))
    dialog = window.desk_actions.open_bracket("XBTUSDM", request)
    try:
        dialog.sl_edit.setText("45000")
        dialog.tp_edit.setText("55000")
        dialog.update_figures()
        # 1000 USD long from 50,000: at 55,000 +1000/50,000 - 1000/55,000 = +0.00181818 XBT;
        # at 45,000 -0.00222222 XBT. Fees: 0.0006 x 1000/55,000 = 0.00001091 XBT.
        assert "PnL +0.00181818 XBT" in dialog.tp_result.text()
        assert "(fee 0.00001091)" in dialog.tp_result.text()
        assert "PnL -0.00222222 XBT" in dialog.sl_result.text()
        assert "0.82 R" in dialog.r_label.text()
    finally:
        dialog.close()
