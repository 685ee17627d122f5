"""Realised PnL of a stream of fills, by the average-cost method, per contract.

A fill that adds to a position moves its average entry; a fill against it realises
closed lots x multiplier x (exit - entry) for a linear (USDT) contract, or
closed lots x multiplier x (1/entry - 1/exit) in the coin for an inverse one, with the sign of
the position. A fill larger than the position closes it and opens the rest the other way.
Fees are reported beside the PnL, not inside it, as tax reports want them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Position:
    qty: int = 0  # signed lots: + long, - short
    entry: Decimal = Decimal(0)  # average entry price of the open lots


class PnlBook:
    def __init__(self) -> None:
        self.positions: dict[str, Position] = {}

    def fill(
        self,
        symbol: str,
        side: str,
        lots: int,
        price: Decimal,
        multiplier: Decimal,
        inverse: bool = False,
    ) -> Decimal:
        """Apply one fill; return the PnL it realises (0 when it only opens or adds)."""
        pos = self.positions.setdefault(symbol, Position())
        signed = lots if side == "buy" else -lots
        if pos.qty == 0 or (pos.qty > 0) == (signed > 0):
            total = abs(pos.qty) + lots
            pos.entry = (pos.entry * abs(pos.qty) + price * lots) / total
            pos.qty += signed
            return Decimal(0)
        closed = min(lots, abs(pos.qty))
        direction = 1 if pos.qty > 0 else -1
        if inverse:
            move = (1 / pos.entry - 1 / price) if price and pos.entry else Decimal(0)
        else:
            move = price - pos.entry
        realised = closed * multiplier * move * direction
        pos.qty += signed
        if pos.qty == 0:
            pos.entry = Decimal(0)
        elif (pos.qty > 0) != (direction > 0):
            pos.entry = price  # flipped: the remainder opened at this fill's price
        return realised
