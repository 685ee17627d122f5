"""Positions grid columns: what each position is and what it makes, and the actions on it.

PnL and ROE are coloured by sign; the ADL rank shows the auto-deleveraging queue percentile as
five bars. ACTIONS are what the panel offers for a position (its buttons and context menu).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from PySide6.QtGui import QColor

from kcterm.core.contract import Contract
from kcterm.core.positions import Position
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import DASH, price_text, size_text, sort_number
from kcterm.ui.theme import colors

CENT = Decimal("0.01")
SATOSHI = Decimal("0.00000001")


@dataclass(frozen=True)
class PositionRow:
    position: Position
    contract: Contract | None
    protection: str  # "SL 85,000.0 · TP 95,000.0"

    @property
    def value(self) -> Decimal:
        """At mark, in the settlement currency (coins for an inverse contract)."""
        qty, mark = abs(self.position.qty), self.position.mark_price
        return self.contract.value(qty, mark) if self.contract else qty * mark

    @property
    def money_step(self) -> Decimal:
        """Money of an inverse position is in the coin: shown to the satoshi, not the cent."""
        inverse = self.position.is_inverse or (
            self.contract is not None and self.contract.is_inverse
        )
        return SATOSHI if inverse else CENT

    @property
    def roe_pct(self) -> Decimal | None:
        margin = self.position.margin
        return self.position.unrealised_pnl / margin * 100 if margin else None


ACTIONS = (  # name, button text, what it does
    ("close", "Market close", "Close the whole position at market"),
    ("limit_best", "Limit close", "Close with a reduce-only limit at the best price on your side"),
    ("half", "Close ½", "Close half of the position at market"),
    ("reverse", "Reverse", "Close and open the same size the other way, at market"),
    ("bracket", "TP/SL…", "Add or edit the stop-loss and take-profit"),
)


def _money(value: Decimal | None, step: Decimal = CENT) -> str:
    return DASH if value is None else f"{value.quantize(step):+,}"


def _plain_money(value: Decimal, step: Decimal = CENT) -> str:
    return f"{value.quantize(step):,}"


def _leverage(row: PositionRow) -> str:
    """`5x isolated`: the leverage and the margin mode the exchange reports."""
    position = row.position
    mode = position.margin_mode.lower()
    return f"{position.leverage.quantize(CENT).normalize():f}x {mode}"


def adl_bars(rank: Decimal | None) -> str:
    """Five bars lit by the ADL percentile (first to be deleveraged when all five are lit)."""
    if rank is None:
        return DASH
    lit = int((max(Decimal(0), min(Decimal(1), rank)) * 5).to_integral_value(ROUND_CEILING))
    lit = max(1, lit)
    return "■" * lit + "□" * (5 - lit)


def position_columns() -> list[Column[PositionRow]]:
    def pnl_color(value: Decimal | None) -> QColor:
        return colors().signed(float(value or 0))

    def side_color(row: PositionRow) -> QColor:
        return colors().side("buy" if row.position.qty > 0 else "sell")

    columns: list[Column[PositionRow]] = [
        Column("Symbol", lambda r: r.position.symbol, "left"),
        Column("Side", lambda r: r.position.side.upper(), "left", color=side_color),
        Column("Size", lambda r: size_text(abs(r.position.qty)), color=side_color),
        Column(
            "Value",
            lambda r: _plain_money(r.value, r.money_step),
            sort=lambda r: sort_number(r.value),
        ),
        Column("Entry", lambda r: price_text(r.contract, r.position.avg_entry)),
        Column("Mark", lambda r: price_text(r.contract, r.position.mark_price)),
        Column(
            "Liq.",
            lambda r: (
                price_text(r.contract, r.position.liquidation_price)
                if r.position.liquidation_price
                else DASH
            ),
        ),
        Column("Margin", lambda r: _plain_money(r.position.margin, r.money_step)),
        Column("Leverage", _leverage, "left"),
        Column(
            "uPnL",
            lambda r: _money(r.position.unrealised_pnl, r.money_step),
            color=lambda r: pnl_color(r.position.unrealised_pnl),
        ),
        Column(
            "ROE",
            lambda r: DASH if r.roe_pct is None else f"{r.roe_pct:+.2f}%",
            color=lambda r: pnl_color(r.roe_pct),
        ),
        Column(
            "rPnL",
            lambda r: _money(r.position.realised_pnl, r.money_step),
            color=lambda r: pnl_color(r.position.realised_pnl),
        ),
        Column(
            "ADL",
            lambda r: adl_bars(r.position.adl_rank),
            "center",
            tooltip=lambda r: "Auto-deleveraging queue: more bars, earlier in line",
        ),
        Column("TP/SL", lambda r: r.protection or DASH, "left"),
    ]
    return columns


class PositionsModel(SpecTableModel[PositionRow]):
    def __init__(self) -> None:
        super().__init__(position_columns(), key=lambda r: r.position.symbol)

    def symbol_at(self, row: int) -> str:
        return self.row_at(row).position.symbol
