"""What an order would cost, worked by hand: value, margin, fee, liquidation price."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.order_preview import liquidation_price, preview_order, resulting_position
from kcterm.core.positions import Position
from kcterm.core.validation import MarketContext, OrderDraft, validate_order
from tests.unit.test_core_order_kinds import XBT

D = Decimal
MARKET = MarketContext(
    last=D("50000"), mark=D("50000"), best_bid=D("49999.9"), best_ask=D("50000.1")
)


def request(**kw: object):
    base: dict[str, object] = {
        "symbol": "XBTUSDTM",
        "side": "buy",
        "order_type": "limit",
        "size": "10",
        "price": "50000",
    }
    base.update(kw)
    return validate_order(XBT, OrderDraft(**base), MARKET)  # type: ignore[arg-type]


def position(qty: int, entry: str, margin: str, mode: str = "ISOLATED") -> Position:
    return Position("XBTUSDTM", qty, D(entry), D(entry), D(0), D(0), D(0), D(margin), D(5), mode)


def test_a_new_long_costs_value_over_leverage_and_liquidates_by_the_formula() -> None:
    # 10 lots = 0.01 XBT at 50,000: value 500, margin 500 / 5 = 100.
    # long: P = (qE - M) / (q (1 - mmr)) = (500 - 100) / (0.01 x 0.996) = 40,160.64...
    preview = preview_order(XBT, request(), MARKET)
    assert preview is not None
    assert preview.value == D(500) and preview.margin == D(100)
    assert preview.maker and preview.fee == D("0.1000")  # resting: 500 x 0.0002
    assert preview.resulting_qty == 10
    assert abs(preview.liquidation - D("40160.64257")) < D("0.001")
    assert "liq. 40,160.6" in preview.describe(XBT)


def test_a_short_liquidates_above_and_a_crossing_limit_pays_the_taker_fee() -> None:
    # short: P = (qE + M) / (q (1 + mmr)) = (500 + 100) / (0.01 x 1.004) = 59,760.95...
    preview = preview_order(XBT, request(side="sell", price="49990"), MARKET)
    assert preview is not None and not preview.maker  # 49,990 is under the bid: it takes
    assert preview.fee == D("499.90") * XBT.taker_fee_rate
    expected = (D("499.90") + D("99.98")) / (D("0.01") * D("1.004"))
    assert abs(preview.liquidation - expected) < D("0.0001")


def test_a_market_order_is_figured_at_the_touch() -> None:
    preview = preview_order(XBT, request(order_type="market", price=""), MARKET)
    assert preview is not None and preview.price == D("50000.1") and not preview.maker


def test_reducing_costs_no_margin_and_keeps_the_entry() -> None:
    held = position(10, "48000", "96")
    preview = preview_order(XBT, request(side="sell", size="4", price="50000"), MARKET, held)
    assert preview is not None and preview.margin == 0 and preview.resulting_qty == 6
    qty, entry, margin = resulting_position(XBT, held, -4, D(50000), D(5))
    assert (qty, entry) == (6, D(48000)) and margin == D("57.6")  # 96 x 6/10


def test_going_through_zero_opens_the_rest_at_the_order_price() -> None:
    held = position(4, "48000", "38.4")
    preview = preview_order(XBT, request(side="sell", size="10"), MARKET, held)
    assert preview is not None
    assert preview.resulting_qty == -6 and preview.margin == D(60)  # 6 lots x 50 / 5
    assert preview.liquidation > D(50000)


def test_closing_everything_leaves_no_liquidation_price() -> None:
    held = position(-7, "51000", "71.4")
    closing = request(order_type="market", price="", side="buy", size="", close_position=True)
    preview = preview_order(XBT, closing, MARKET, held)
    assert preview is not None and preview.resulting_qty == 0 and preview.liquidation is None
    assert preview.value == 7 * XBT.multiplier * D("50000.1")
    assert "flat after" in preview.describe(XBT)


def test_reduce_only_never_previews_more_than_the_position() -> None:
    held = position(3, "50000", "30")
    preview = preview_order(XBT, request(side="sell", size="10", reduce_only=True), MARKET, held)
    assert preview is not None and preview.resulting_qty == 0


def test_growing_re_averages_the_entry() -> None:
    qty, entry, margin = resulting_position(XBT, position(10, "48000", "96"), 10, D(50000), D(5))
    assert (qty, entry, margin) == (20, D(49000), D(196))


def test_cross_figures_are_marked_approximate() -> None:
    preview = preview_order(XBT, request(margin_mode="CROSS"), MARKET, leverage=D(10))
    assert preview is not None and preview.approximate_liq and preview.margin == D(50)
    assert "liq. ≈" in preview.describe(XBT)


def test_no_price_no_preview() -> None:
    bare = validate_order(
        XBT,
        OrderDraft("XBTUSDTM", "buy", "market", "1"),
        MarketContext(best_ask=D(1)),
    )
    assert preview_order(XBT, bare, MarketContext()) is None
    assert liquidation_price(XBT, 0, D(1), D(1)) is None
