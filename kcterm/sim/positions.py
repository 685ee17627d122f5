"""One position (one-way mode, positionSide BOTH) and the arithmetic of linear (USDT/USDC) and
inverse (coin-margined, XBTUSDM) contracts.

Formulas (q = |currentQty| x multiplier, the position's size in coins; E = average entry;
M = isolated position margin; mmr = the contract's maintainMargin rate):

- entry: a fill that grows the position re-averages E by lots: E' = (Q*E + n*P) / (Q + n)
- realised gross PnL of a fill that shrinks it: n * multiplier * (P - E), times -1 for a short
- unrealised PnL at mark Pm: currentQty * multiplier * (Pm - E)
- liquidation price, the mark at which the position's equity equals maintenance margin:
  long: M + q(P - E) = mmr*q*P  =>  P = (q*E - M) / (q * (1 - mmr))
  short: M + q(E - P) = mmr*q*P =>  P = (q*E + M) / (q * (1 + mmr))
- bankruptcy price: the same with mmr = 0 (the position's margin is exactly used up)

Inverse (q = |currentQty| x multiplier in USD; everything in the coin):
- entry re-averages harmonically (by value): E' = (Q + n) / (Q/E + n/P)
- realised gross PnL of a long's closing fill: n * multiplier * (1/E - 1/P); minus it short
- unrealised PnL at mark: currentQty * multiplier * (1/E - 1/Pm)
- maintenance margin q/Pm * mmr; liquidation, where equity meets it:
  long: M + q(1/E - 1/P) = mmr*q/P  =>  P = q(1 + mmr) / (M + q/E)
  short: M + q(1/P - 1/E) = mmr*q/P =>  P = q(1 - mmr) / (q/E - M)  (none if q/E <= M)

mmr is the maintenance rate of the risk-limit tier the position's value falls in (its value
at entry for the liquidation price, at mark for the maintenance margin).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kcterm.sim.specs import ContractSpec, RiskTier

ZERO = Decimal(0)


@dataclass
class Position:
    spec: ContractSpec
    user_id: str
    margin_mode: str = "ISOLATED"
    qty: int = 0  # signed lots: negative is short
    entry: Decimal = ZERO
    margin: Decimal = ZERO  # isolated: initial margin plus deposits; cross: initial margin
    realised_gross: Decimal = ZERO  # trading PnL since the position opened
    fees: Decimal = ZERO  # fees paid since it opened
    funding: Decimal = ZERO  # funding received (+) or paid (-) since it opened
    opened_ms: int = 0
    position_id: str = ""
    risk_limit_level: int = 1
    closed_lots: int = 0  # lots closed since it opened: the close price is their average
    closed_value: Decimal = ZERO
    peak_margin: Decimal = ZERO  # the most margin it held: the base of its closing ROE
    deposited: Decimal = ZERO  # margin added by hand (deposit-margin), part of `margin`
    last_entry: Decimal = ZERO  # entry and direction as they were when it went flat
    last_sign: int = 0

    @property
    def coins(self) -> Decimal:
        """|qty| x multiplier: coins for a linear contract, USD for an inverse one."""
        return abs(self.qty) * self.spec.multiplier

    @property
    def sign(self) -> int:
        return (self.qty > 0) - (self.qty < 0)

    def apply_fill(self, side: str, lots: int, price: Decimal, leverage: Decimal) -> Decimal:
        """Book a fill; returns the realised gross PnL it made (0 for an opening fill)."""
        signed = lots if side == "buy" else -lots
        realised = ZERO
        if self.qty == 0 or (self.qty > 0) == (signed > 0):
            self._grow(signed, price, leverage)
            return realised
        closing = min(lots, abs(self.qty))
        realised = self.spec.pnl(closing, self.entry, price) * self.sign
        self.realised_gross += realised
        self.closed_lots += closing
        self.closed_value += closing * price
        # Margin leaves in proportion to the size closed.
        self.margin -= self.margin * closing / abs(self.qty)
        self.deposited -= self.deposited * closing / abs(self.qty)
        self.qty += closing if self.qty < 0 else -closing
        rest = lots - closing
        if self.qty == 0:
            self.last_entry, self.last_sign = self.entry, -1 if signed > 0 else 1
            self.entry = ZERO
            self.margin = ZERO
        if rest:  # the fill went through zero: the rest opens the other way
            self._grow(rest if signed > 0 else -rest, price, leverage)
        return realised

    def _grow(self, signed: int, price: Decimal, leverage: Decimal) -> None:
        held, added = abs(self.qty), abs(signed)
        if not held:  # a new position's entry is its price, exactly
            self.entry = price
        elif self.spec.inverse:  # by value in coins: the harmonic mean of the prices
            coins = (held / self.entry if held else ZERO) + added / price
            self.entry = (held + added) / coins
        else:
            self.entry = (held * self.entry + added * price) / (held + added)
        self.qty += signed
        self.margin += self.spec.value(added, price) / leverage
        self.peak_margin = max(self.peak_margin, self.margin)

    # -- figures at a mark price -------------------------------------------------------------

    def unrealised(self, mark: Decimal) -> Decimal:
        if self.qty == 0:
            return ZERO
        return self.spec.pnl(self.qty, self.entry, mark)

    def value(self, price: Decimal) -> Decimal:
        """The position's value at ``price`` in the settlement currency (unsigned)."""
        return self.spec.value(abs(self.qty), price)

    def tier(self, price: Decimal | None = None) -> RiskTier:
        """The risk-limit tier of the position's value at ``price`` (default: its entry)."""
        return self.spec.tier(self.value(self.entry if price is None else price))

    def maint_rate(self, price: Decimal | None = None) -> Decimal:
        return self.tier(price).maintain_margin if self.qty else self.spec.maintain_margin

    def maint_margin(self, mark: Decimal) -> Decimal:
        return self.value(mark) * self.maint_rate(mark)

    def liquidation_price(self, margin: Decimal | None = None) -> Decimal:
        return self._price_at(self.maint_rate(), margin)

    def bankrupt_price(self, margin: Decimal | None = None) -> Decimal:
        return self._price_at(ZERO, margin)

    def _price_at(self, mmr: Decimal, margin: Decimal | None) -> Decimal:
        if self.qty == 0:
            return ZERO
        q = self.coins
        m = self.margin if margin is None else margin
        if self.spec.inverse:
            if self.qty > 0:
                return q * (1 + mmr) / (m + q / self.entry)
            room = q / self.entry - m
            # A short with more margin than its value can never be liquidated: no price.
            return q * (1 - mmr) / room if room > 0 else ZERO
        if self.qty > 0:
            price = (q * self.entry - m) / (q * (1 - mmr))
        else:
            price = (q * self.entry + m) / (q * (1 + mmr))
        return max(ZERO, price)

    def should_liquidate(self, mark: Decimal, margin: Decimal | None = None) -> bool:
        if self.qty == 0:
            return False
        liq = self.liquidation_price(margin)
        if liq == 0 and self.qty < 0:  # no liquidation price (an over-margined inverse short)
            return False
        return mark <= liq if self.qty > 0 else mark >= liq

    def close_price(self) -> Decimal:
        return self.closed_value / self.closed_lots if self.closed_lots else ZERO

    def reset(self) -> None:
        """Forget a closed position's figures; the next fill opens a new one."""
        self.qty = 0
        self.entry = self.margin = self.realised_gross = self.fees = self.funding = ZERO
        self.closed_lots = 0
        self.closed_value = self.peak_margin = self.deposited = ZERO
        self.position_id = ""
