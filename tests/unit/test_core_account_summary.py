"""The account bar's figures: equity re-marked with live PnL, margin used, the risk ratio."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.account import Balance
from kcterm.core.account_summary import summarize
from kcterm.core.positions import Position
from tests.unit.test_core_order_kinds import XBT

D = Decimal


def balance(**kw: object) -> Balance:
    base: dict[str, object] = {
        "currency": "USDT",
        "equity": D(1010),
        "available": D(800),
        "position_margin": D(150),
        "order_margin": D(50),
        "unrealised_pnl": D(10),
        "ts_ns": 0,
    }
    base.update(kw)
    return Balance(**base)  # type: ignore[arg-type]


def position(qty: int, mark: str, upnl: str, mode: str) -> Position:
    return Position("XBTUSDTM", qty, D(50000), D(mark), D(upnl), D(0), D(0), D(100), D(5), mode)


def test_equity_follows_the_positions_pnl_between_wallet_messages() -> None:
    summary = summarize(balance(), [position(10, "51000", "25", "ISOLATED")], {"XBTUSDTM": XBT})
    assert summary is not None
    assert summary.unrealised == D(25) and summary.equity == D(1025)  # 1010 - 10 + 25
    assert summary.margin_used == D(200) and summary.available == D(800)
    assert summary.risk_ratio == 0  # no cross position


def test_risk_ratio_is_cross_maintenance_over_cross_equity() -> None:
    # 20 lots = 0.02 XBT at mark 50,000 x mmr 0.004 = 4 USDT over 400 of cross equity: 1 %
    cross = [position(20, "50000", "0", "CROSS")]
    summary = summarize(balance(cross_equity=D(400)), cross, {"XBTUSDTM": XBT})
    assert summary is not None and summary.risk_ratio == D("0.01")
    overview_only = summarize(balance(risk_ratio=D("0.02")), cross, {"XBTUSDTM": XBT})
    assert overview_only is not None and overview_only.risk_ratio == D("0.02")
    broke = summarize(balance(cross_equity=D(0)), cross, {"XBTUSDTM": XBT})
    assert broke is not None and broke.risk_ratio == 1


def test_nothing_to_show_without_a_balance() -> None:
    assert summarize(None, [], {}) is None
    flat = summarize(balance(), [], {"XBTUSDTM": XBT})
    assert flat is not None and flat.equity == D(1010) and flat.unrealised == D(10)
