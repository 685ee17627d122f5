"""Account-level margin arithmetic: order margin, available balance, risk ratio, the overview.

Every figure is of one settlement currency's wallet: only the contracts that settle in it
count (USDT contracts in the USDT overview, XBTUSDM in the XBT one, ...). "value" is
spec.value: lots x multiplier x price, or lots x multiplier / price in coins if inverse.

- orderMargin: for each active order, the lots that would open or grow a position, times
  their value / leverage (reducing lots need no margin).
- positionMargin: isolated positions' margin plus cross positions' initial margin at mark
  (value at mark / cross leverage).
- availableBalance = marginBalance - positionMargin - orderMargin + min(0, cross unrealised PnL):
  a cross loss eats free balance at once; a profit is not spendable until realised.
- riskRatio = cross maintenance margin / (marginBalance - isolated margins + cross uPnL).
- accountEquity = marginBalance + unrealisedPNL, always.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from kcterm.sim.accounts import Account
from kcterm.sim.orders import SimOrder

ZERO = Decimal(0)
MarkOf = Callable[[str], Decimal]


def opening_lots(order: SimOrder, position_qty: int) -> int:
    """How many of an order's remaining lots would open or grow a position."""
    if order.reduce_only or order.close_order:
        return 0
    grows = position_qty == 0 or (position_qty > 0) == (order.side == "buy")
    return order.remaining if grows else max(0, order.remaining - abs(position_qty))


def order_leverage(account: Account, order: SimOrder) -> Decimal:
    if account.margin_mode(order.symbol) == "CROSS":
        return Decimal(account.leverage(order.symbol))
    return Decimal(order.leverage)


def order_margin(account: Account, order: SimOrder, price: Decimal) -> Decimal:
    pos = account.positions.get(order.symbol)
    lots = opening_lots(order, pos.qty if pos else 0)
    return order.spec.value(lots, price) / order_leverage(account, order)


@dataclass(frozen=True)
class Overview:
    currency: str
    balance: Decimal
    unrealised: Decimal
    iso_pos_margin: Decimal
    cross_pos_margin: Decimal
    iso_order_margin: Decimal
    cross_order_margin: Decimal
    iso_unrealised: Decimal
    cross_unrealised: Decimal
    cross_maint: Decimal

    @property
    def position_margin(self) -> Decimal:
        return self.iso_pos_margin + self.cross_pos_margin

    @property
    def order_margin(self) -> Decimal:
        return self.iso_order_margin + self.cross_order_margin

    @property
    def equity(self) -> Decimal:
        return self.balance + self.unrealised

    @property
    def available(self) -> Decimal:
        free = self.balance - self.position_margin - self.order_margin
        return free + min(ZERO, self.cross_unrealised)

    @property
    def cross_equity(self) -> Decimal:
        return self.balance - self.iso_pos_margin - self.iso_order_margin + self.cross_unrealised

    @property
    def risk_ratio(self) -> Decimal:
        if self.cross_maint == 0:
            return ZERO
        if self.cross_equity <= 0:
            return Decimal(1)
        return self.cross_maint / self.cross_equity


def overview(
    account: Account,
    active_orders: Iterable[SimOrder],
    mark_of: MarkOf,
    currency: str = "USDT",
) -> Overview:
    iso_pos = cross_pos = iso_ord = cross_ord = ZERO
    iso_upnl = cross_upnl = cross_maint = ZERO
    for pos in account.open_positions():
        if pos.spec.settle != currency:
            continue
        mark = mark_of(pos.spec.symbol)
        upnl = pos.unrealised(mark)
        if pos.margin_mode == "CROSS":
            cross_pos += pos.value(mark) / account.leverage(pos.spec.symbol)
            cross_upnl += upnl
            cross_maint += pos.maint_margin(mark)
        else:
            iso_pos += pos.margin
            iso_upnl += upnl
    for order in active_orders:
        if order.spec.settle != currency:
            continue
        price = order.price if order.order_type == "limit" else mark_of(order.symbol)
        margin = order_margin(account, order, price)
        if account.margin_mode(order.symbol) == "CROSS":
            cross_ord += margin
        else:
            iso_ord += margin
    return Overview(
        currency=currency,
        balance=account.balance_of(currency),
        unrealised=iso_upnl + cross_upnl,
        iso_pos_margin=iso_pos,
        cross_pos_margin=cross_pos,
        iso_order_margin=iso_ord,
        cross_order_margin=cross_ord,
        iso_unrealised=iso_upnl,
        cross_unrealised=cross_upnl,
        cross_maint=cross_maint,
    )
