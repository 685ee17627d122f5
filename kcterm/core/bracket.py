"""Stop-loss and take-profit for a position, or for an entry about to be sent, as ONE venue
order (a KuCoin st-order, spec/REFERENCE.md 7.10): a closing market order with two triggers on
the same price source; whichever fires first submits it, so the other is gone with it.

Its `up` level fires when the price rises to it and its `down` level when it falls to it. For
a long, up is the take-profit and down the stop-loss; for a short it is the other way round.
Each level is checked against the price it watches (a stop-loss a long is already below would
fire at once) and shown with its PnL and the R multiple (reward / risk).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kcterm.core.contract import Contract
from kcterm.core.validation import TRIGGERS, OrderRejected, new_client_oid, parse_tick_price
from kcterm.venue.events import Trigger


@dataclass(frozen=True, slots=True)
class BracketOrder:
    """A TP/SL ready to be sent (BracketPlan.order): the venue's adapter writes its request
    from these terms (kcterm.venue.kucoin.order_body.bracket_body). It always reduces only or
    closes the position; the order gateway reads the same attribute names as on an
    OrderRequest (a market order with no trigger of its own)."""

    client_oid: str
    symbol: str
    side: str  # the closing side
    size: int  # 0 with close_order (the position's size when it fires)
    margin_mode: str
    trigger: Trigger  # the price it watches
    close_order: bool
    reduce_only: bool
    up_price: Decimal | None
    up_price_text: str | None
    down_price: Decimal | None
    down_price_text: str | None
    order_type: str = "market"
    price: Decimal | None = None
    stop: str | None = None


@dataclass(frozen=True, slots=True)
class BracketPlan:
    symbol: str
    direction: str  # "long" | "short": the position the bracket protects
    size: int  # lots the closing order takes (the whole position when close_whole)
    entry: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    trigger: Trigger  # the price it watches
    close_whole: bool  # closeOrder: the position's size when it fires
    margin_mode: str = "ISOLATED"

    @property
    def closing_side(self) -> str:
        return "sell" if self.direction == "long" else "buy"

    @property
    def up(self) -> Decimal | None:
        return self.take_profit if self.direction == "long" else self.stop_loss

    @property
    def down(self) -> Decimal | None:
        return self.stop_loss if self.direction == "long" else self.take_profit

    def pnl_at(self, contract: Contract, level: Decimal | None) -> Decimal | None:
        """Gross PnL of `size` lots closed at `level` (fees not included)."""
        if level is None:
            return None
        signed = self.size if self.direction == "long" else -self.size
        return contract.pnl(signed, self.entry, level)  # in the coin for an inverse contract

    def fees_at(self, contract: Contract, level: Decimal | None) -> Decimal | None:
        """The taker fee of the closing market order at `level`."""
        if level is None:
            return None
        return contract.value(self.size, level) * contract.taker_fee_rate

    def reward_over_risk(self, contract: Contract) -> Decimal | None:
        """How many times the stop's loss the target makes, from the PnL per lot. Linear, that
        is the ratio of the price distances; inverse PnL goes as 1/price, so 5 % up earns less
        than 5 % down loses (45k/50k/55k long on XBTUSDM: 0.818 R, not 1)."""
        if self.stop_loss is None or self.take_profit is None:
            return None
        lot = 1 if self.direction == "long" else -1
        risk = -contract.pnl(lot, self.entry, self.stop_loss)
        if risk <= 0:
            return None
        return contract.pnl(lot, self.entry, self.take_profit) / risk

    def order(self, contract: Contract, client_oid: str | None = None) -> BracketOrder:
        """The plan as the one closing order the venue is sent, prices on the tick grid."""
        up, down = self.up, self.down
        return BracketOrder(
            client_oid=client_oid or new_client_oid(),
            symbol=self.symbol,
            side=self.closing_side,
            size=0 if self.close_whole else self.size,
            margin_mode=self.margin_mode,
            trigger=self.trigger,
            close_order=self.close_whole,
            reduce_only=not self.close_whole,
            up_price=up,
            up_price_text=None if up is None else contract.format_price(up),
            down_price=down,
            down_price_text=None if down is None else contract.format_price(down),
        )

    def describe(self, contract: Contract) -> str:
        size = "the position" if self.close_whole else f"{self.size} lots"
        parts = [f"{self.closing_side} {size} {self.symbol}"]
        if self.stop_loss is not None:
            parts.append(f"SL {contract.format_price(self.stop_loss)}")
        if self.take_profit is not None:
            parts.append(f"TP {contract.format_price(self.take_profit)}")
        return f"{' '.join(parts)} on {TRIGGERS[self.trigger]}"


def plan_bracket(
    contract: Contract,
    *,
    direction: str,
    size: int,
    entry: Decimal,
    stop_loss: str,
    take_profit: str,
    trigger: Trigger = Trigger.MARK,
    watched: Decimal | None = None,
    close_whole: bool = False,
    margin_mode: str = "ISOLATED",
) -> BracketPlan:
    """Check the levels and build the plan. `watched` is the current price of the trigger's
    source: a level on the wrong side of it would fire at once. Without it the entry is used."""
    if direction not in ("long", "short"):
        raise OrderRejected("direction", "A bracket protects a long or a short.")
    if trigger not in TRIGGERS:
        raise OrderRejected("trigger", "Trigger on the last, mark or index price.")
    if size < 1 and not close_whole:
        raise OrderRejected("size", "A bracket needs a size of at least 1 lot.")
    sl = parse_tick_price(contract, stop_loss, "sl", "Stop-loss")
    tp = parse_tick_price(contract, take_profit, "tp", "Take-profit")
    if sl is None and tp is None:
        raise OrderRejected("sl", "Give a stop-loss, a take-profit or both.")
    ref = watched if watched is not None else entry
    name = TRIGGERS[trigger] if watched is not None else "entry"
    long = direction == "long"
    if sl is not None and (sl >= ref if long else sl <= ref):
        where = "below" if long else "above"
        raise OrderRejected(
            "sl",
            f"A {direction}'s stop-loss must be {where} the {name} price "
            f"{contract.format_price(ref)}.",
        )
    if tp is not None and (tp <= ref if long else tp >= ref):
        where = "above" if long else "below"
        raise OrderRejected(
            "tp",
            f"A {direction}'s take-profit must be {where} the {name} price "
            f"{contract.format_price(ref)}.",
        )
    return BracketPlan(
        contract.symbol, direction, size, entry, sl, tp, trigger, close_whole, margin_mode
    )
