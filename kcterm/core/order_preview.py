"""What an order would cost before it is sent: value, margin, fee and the liquidation price
of the position it would leave (one-way mode), in the settlement currency: USDT or USDC for a
linear contract, the coin for an inverse one (every value goes through Contract.value).

The figures are estimates at the price the order is expected to trade at (its limit price, its
stop price, or the touch for a market order). Liquidation follows the usual linear-contract
definition: the mark at which the position's margin plus its unrealised PnL equals the
maintenance margin (rate mmr of the position's value at that mark). With q coins, entry E and
margin M:  long  M + q(P - E) = mmr·q·P  =>  P = (qE - M) / (q(1 - mmr));
           short M + q(E - P) = mmr·q·P  =>  P = (qE + M) / (q(1 + mmr)).
An inverse contract's liquidation is Contract.liquidation_price's (long q(1 + mmr) / (M + q/E)).
The figure uses the position's own margin, as the exchange's positions list does; a cross
position is backed by the rest of the balance as well, so its figure is marked approximate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kcterm.core.contract import Contract
from kcterm.core.positions import Position
from kcterm.core.validation import MarketContext, OrderRequest

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderPreview:
    price: Decimal  # the price the figures assume
    value: Decimal  # the order's notional value
    margin: Decimal  # initial margin it would take (0 for what only reduces)
    fee: Decimal
    maker: bool  # fee at the maker rate (a resting limit order), else taker
    resulting_qty: int  # signed lots after a full fill
    liquidation: Decimal | None  # of the resulting position; None when flat
    approximate_liq: bool = False  # cross margin: depends on the whole account

    def describe(self, contract: Contract) -> str:
        currency = contract.settle_currency or "USDT"
        money = Decimal(1).scaleb(-contract.money_places)  # 0.01 USDT, 0.00000001 XBT
        fee_step = Decimal(1).scaleb(-max(4, contract.money_places))  # fees are small
        parts = [
            f"value {self.value.quantize(money):,f} {currency}",
            f"cost {self.margin.quantize(money):,f}",
            f"fee {self.fee.quantize(fee_step):,f} ({'maker' if self.maker else 'taker'})",
        ]
        if self.liquidation is None:
            parts.append("position flat after")
        else:
            approx = "≈ " if self.approximate_liq else ""
            liq = self._liq_on_tick(contract)
            parts.append(f"liq. {approx}{liq:,.{contract.price_places}f}")
        return " · ".join(parts)

    def _liq_on_tick(self, contract: Contract) -> Decimal:
        assert self.liquidation is not None
        return self.liquidation.quantize(contract.tick_size)


def expected_price(request: OrderRequest, market: MarketContext) -> Decimal | None:
    if request.price is not None:
        return request.price
    if request.stop_price is not None:
        return request.stop_price
    return market.reference(request.side)


def is_maker(request: OrderRequest, market: MarketContext) -> bool:
    """A limit order that rests pays the maker rate; one that crosses the spread, a market or
    IOC order, and hidden and iceberg orders (KuCoin charges them as takers) pay the taker's."""
    if request.order_type != "limit" or request.time_in_force == "IOC":
        return False
    if request.hidden or request.iceberg:
        return False
    if request.post_only:
        return True
    assert request.price is not None
    if request.side == "buy":
        return market.best_ask is None or request.price < market.best_ask
    return market.best_bid is None or request.price > market.best_bid


def preview_order(
    contract: Contract,
    request: OrderRequest,
    market: MarketContext,
    position: Position | None = None,
    *,
    leverage: Decimal | None = None,
) -> OrderPreview | None:
    """None when there is no price to figure with yet. `leverage` overrides the order's (the
    symbol's cross leverage, which is what a cross order uses)."""
    price = expected_price(request, market)
    if price is None or price <= 0:
        return None
    qty = position.qty if position is not None else 0
    size = abs(qty) if request.close_order else request.size
    signed = size if request.side == "buy" else -size
    if request.close_order:
        signed = -qty
    if request.reduce_only:  # never beyond flat, never the other way
        signed = max(-abs(qty), min(abs(qty), signed)) if qty * signed < 0 else 0
    lev = leverage if leverage is not None else Decimal(request.leverage)
    value = contract.value(abs(signed), price)
    opening = opening_lots(qty, signed)
    margin = contract.value(opening, price) / lev if lev > 0 else ZERO
    maker = is_maker(request, market)
    rate = contract.maker_fee_rate if maker else contract.taker_fee_rate
    fee = value * rate
    after_qty, entry, pos_margin = resulting_position(contract, position, signed, price, lev)
    cross = (position.margin_mode if position is not None else request.margin_mode) == "CROSS"
    liq = liquidation_price(contract, after_qty, entry, pos_margin) if after_qty else None
    return OrderPreview(price, value, margin, fee, maker, after_qty, liq, cross)


def opening_lots(qty: int, signed: int) -> int:
    """Of a fill of `signed` lots on a position of `qty`, the lots that open or grow it."""
    if qty == 0 or (qty > 0) == (signed > 0):
        return abs(signed)
    return max(0, abs(signed) - abs(qty))


def resulting_position(
    contract: Contract, position: Position | None, signed: int, price: Decimal, leverage: Decimal
) -> tuple[int, Decimal, Decimal]:
    """(qty, average entry, margin) once `signed` lots trade at `price`."""
    qty = position.qty if position is not None else 0
    entry = position.avg_entry if position is not None else ZERO
    margin = position.margin if position is not None else ZERO
    new_qty = qty + signed
    if new_qty == 0:
        return 0, ZERO, ZERO
    if qty == 0 or (qty > 0) == (signed > 0):  # opens or grows: re-average the entry
        if contract.is_inverse and entry > 0:
            # An inverse position's entry is the one its coin value is at: lots / (sum of
            # lots / price), the harmonic mean, not the lots-weighted one.
            entry = abs(new_qty) / (abs(qty) / entry + abs(signed) / price)
        else:
            entry = (abs(qty) * entry + abs(signed) * price) / abs(new_qty)
        margin += contract.value(abs(signed), price) / leverage
        return new_qty, entry, margin
    if (new_qty > 0) == (qty > 0):  # reduces: margin leaves in proportion
        return new_qty, entry, margin * abs(new_qty) / abs(qty)
    # through zero: what is left opens the other way at this price
    return new_qty, price, contract.value(abs(new_qty), price) / leverage


def liquidation_price(
    contract: Contract, qty: int, entry: Decimal, margin: Decimal
) -> Decimal | None:
    """Of the position the order leaves: the contract's own formula (linear or inverse)."""
    if qty == 0:
        return None
    return contract.liquidation_price(qty, entry, margin)
