"""The ticket's preview on an inverse contract (XBTUSDM: 1 USD a lot, margined in XBT), against
figures worked out by hand: value lots / price, margin value / leverage, fee value x rate,
entry averaged by coin value, liquidation long q(1 + mmr) / (M + q/E) (issue 12)."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.order_preview import preview_order, resulting_position
from kcterm.core.positions import Position
from kcterm.core.validation import MarketContext, OrderDraft, OrderRequest, validate_order
from tests.unit.test_inverse_ticket_units import INV

D = Decimal
MARKET = MarketContext(
    last=D("50000"), mark=D("50000"), best_bid=D("49999.9"), best_ask=D("50000.1")
)


def request(**kw: object) -> OrderRequest:
    base: dict[str, object] = {
        "symbol": "XBTUSDM",
        "side": "buy",
        "order_type": "limit",
        "size": "1000",
        "price": "50000",
        "leverage": 10,
    }
    base.update(kw)
    return validate_order(INV, OrderDraft(**base), MARKET)  # type: ignore[arg-type]


def held(qty: int, entry: str, margin: str) -> Position:
    return Position(
        "XBTUSDM",
        qty,
        D(entry),
        D(entry),
        D(0),
        D(0),
        D(0),
        D(margin),
        D(10),
        "ISOLATED",
        settle_currency="XBT",
        is_inverse=True,
    )


def test_a_new_inverse_long_is_valued_margined_and_charged_in_xbt() -> None:
    # 1000 USD at 50,000 = 0.02 XBT; at 10x 0.002 XBT; resting: 0.02 x 0.0002 = 0.000004 XBT.
    # liq = 1000 x 1.01 / (0.002 + 1000 / 50,000) = 1010 / 0.022 = 45,909.0909...
    preview = preview_order(INV, request(), MARKET)
    assert preview is not None
    assert preview.value == D("0.02") and preview.margin == D("0.002")
    assert preview.maker and preview.fee == D("0.000004")
    assert preview.liquidation is not None
    assert abs(preview.liquidation - D("45909.0909")) < D("0.001")
    text = preview.describe(INV)
    assert "value 0.02000000 XBT" in text and "cost 0.00200000" in text
    assert "fee 0.00000400 (maker)" in text and "liq. 45,909.1" in text


def test_an_inverse_short_liquidates_above() -> None:
    # short: q(1 - mmr) / (q/E - M) = 990 / (0.02 - 0.002) = 55,000.
    preview = preview_order(INV, request(side="sell"), MARKET)
    assert preview is not None and preview.liquidation == D(55000)


def test_adding_to_an_inverse_long_averages_the_entry_by_value() -> None:
    # 1000 @ 50,000 (0.02 XBT) + 1000 @ 40,000 (0.025 XBT): 2000 / 0.045 = 44,444.44...,
    # not the linear 45,000; margin 0.002 + 0.025 / 10 = 0.0045 XBT.
    qty, entry, margin = resulting_position(
        INV, held(1000, "50000", "0.002"), 1000, D(40000), D(10)
    )
    assert qty == 2000 and margin == D("0.0045")
    assert abs(entry - D("44444.4444")) < D("0.0001")


def test_going_through_zero_on_inverse_opens_the_rest_valued_in_xbt() -> None:
    # Long 1000, sell 3000 @ 40,000: short 2000 at 40,000 with 2000 / 40,000 / 10 = 0.005 XBT.
    assert resulting_position(INV, held(1000, "50000", "0.002"), -3000, D(40000), D(10)) == (
        -2000,
        D(40000),
        D("0.005"),
    )


def test_a_tiny_fee_is_written_out_never_in_exponent_form() -> None:
    # 100 lots at 91,250: 0.00109589... XBT; taker fee x 0.0006 = 0.00000065753... -> 0.00000066.
    preview = preview_order(INV, request(size="100", price="91250"), MARKET)
    assert preview is not None and "fee 0.00000066 (taker)" in preview.describe(INV)
