"""Clearing: what every fill does to an account (fees, position, realised PnL, margin), the
checks before an order is accepted, liquidation when mark crosses, and funding payments.

The engine calls in at four points: pre_trade (may refuse or trim an order), on_fill, on
order closed, and after every market step. The market simulation's own accounts never come
here: they have no balance to clear.
"""

from __future__ import annotations

import itertools
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from kcterm.sim.account_view import num, position_object, text, wallet_object
from kcterm.sim.accounts import Account
from kcterm.sim.errors import SimError, bad_param
from kcterm.sim.margin import Overview, opening_lots, order_leverage, overview
from kcterm.sim.orders import SimOrder
from kcterm.sim.positions import Position
from kcterm.sim.specs import ContractSpec

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from kcterm.sim.clock import Clock
    from kcterm.sim.publisher import Publisher
    from kcterm.sim.symbol_market import SymbolMarket

WALLET_TOPIC = "/contractAccount/wallet"
POSITION_PUSH_INTERVAL = 1.0  # seconds between mark-driven position pushes


class ClearedEngine(Protocol):
    """What clearing needs of the matching engine (kcterm.sim.engine.Engine). Clearing sits
    below the engine, which calls it on every fill, so it sees the engine only through this:
    its clock and feeds, the marks, and the orders a liquidation cancels and places."""

    @property
    def clock(self) -> Clock: ...
    @property
    def publisher(self) -> Publisher: ...
    @property
    def markets(self) -> Mapping[str, SymbolMarket]: ...
    def active_orders(self, user_id: str) -> list[SimOrder]: ...
    def cancel(self, user_id: str, order_id: str) -> SimOrder: ...
    def new_order(
        self, user_id: str, symbol: str, side: str, tick: int, size: int, order_type: str = ...
    ) -> SimOrder: ...


class Clearing:
    def __init__(self, engine: ClearedEngine) -> None:
        self.engine = engine
        self.accounts: dict[str, Account] = {}
        self._ids: Iterator[int] = itertools.count(500_000_000_000_000_000)  # store: durable
        self._pushed: dict[tuple[str, str], float] = {}

    def open_account(
        self, user_id: str, balance: Decimal, others: tuple[tuple[str, Decimal], ...] = ()
    ) -> Account:
        """A new account with ``balance`` USDT and the ``others`` wallets (USDC, XBT, ...)."""
        account = self.accounts[user_id] = Account(user_id)
        now = self.engine.clock.now_ms()
        for currency, amount in (("USDT", balance), *others):
            if amount:
                account.adjust(amount, currency)
                account.record("Deposit", amount, now, "demo deposit", currency)
        return account

    def account(self, user_id: str) -> Account:
        account = self.accounts.get(user_id)
        if account is None:
            raise SimError("400100", "account not found", 400)
        return account

    def mark(self, symbol: str) -> Decimal:
        return self.engine.markets[symbol].mark_price

    def overview(self, account: Account, currency: str = "USDT") -> Overview:
        """The figures of one wallet: only contracts settling in ``currency`` count."""
        return overview(account, self.engine.active_orders(account.user_id), self.mark, currency)

    # -- before an order is accepted -------------------------------------------------------

    def pre_trade(self, order: SimOrder, best_price: Decimal | None) -> None:
        account = self.account(order.user_id)
        mode = account.margin_mode(order.symbol)
        if order.margin_mode and order.margin_mode != mode:
            raise bad_param(
                f"marginMode {order.margin_mode} does not match {order.symbol}'s margin mode "
                f"{mode}; switch it with /api/v2/position/changeMarginMode first"
            )
        order.margin_mode = mode
        pos = account.positions.get(order.symbol)
        qty = pos.qty if pos else 0
        if order.close_order:
            if qty == 0:
                raise SimError("300009", "Position size is 0; there is nothing to close", 200)
            order.side = "sell" if qty > 0 else "buy"
            order.size = abs(qty)
            order.reduce_only = True
        elif order.reduce_only:
            reducible = abs(qty) if qty and (qty > 0) != (order.side == "buy") else 0
            if reducible == 0:
                raise SimError("300009", "reduceOnly: no position on the other side to reduce", 200)
            order.canceled = max(0, order.size - reducible)  # the excess is cancelled
        price = order.price if order.order_type == "limit" else best_price
        if price is None:
            return
        lots = opening_lots(order, qty)
        if not lots:
            return
        value = order.spec.value(lots, price)
        leverage = order_leverage(account, order)
        same_side = pos is not None and pos.qty != 0 and (pos.qty > 0) == (order.side == "buy")
        self._check_risk_limit(order.spec, pos if same_side else None, value, leverage)
        need = value / leverage + value * order.spec.taker_fee_rate
        currency = order.spec.settle
        available = self.overview(account, currency).available
        if need > available:
            places = 8 if order.spec.inverse else 4
            raise SimError(
                "300003",
                f"Balance insufficient: the order needs {text(need, places)} {currency} of "
                f"margin and fees, {text(max(Decimal(0), available), places)} {currency} "
                "is available",
                200,
            )

    @staticmethod
    def _check_risk_limit(
        spec: ContractSpec, pos: Position | None, value: Decimal, leverage: Decimal
    ) -> None:
        """The position this order would grow to must fit a risk-limit tier whose maximum
        leverage is at least the order's (KuCoin's tiers: the larger the position, the lower
        the leverage it may carry)."""
        held = pos.value(pos.entry) if pos is not None and pos.qty else Decimal(0)
        total = held + value
        top = spec.tiers[-1]
        if total > top.max_value:
            raise SimError(
                "300005",
                f"Risk limit exceeded: {spec.symbol} positions are limited to "
                f"{text(top.max_value)} {spec.settle} of value",
                200,
            )
        tier = spec.tier(total)
        if leverage > tier.max_leverage:
            raise SimError(
                "300016",
                f"Leverage {text(leverage)}x is too high for a {text(total, 4)} {spec.settle} "
                f"position: risk-limit level {tier.level} allows {tier.max_leverage}x at most",
                200,
            )

    # -- fills -----------------------------------------------------------------------------

    def on_fill(
        self,
        order: SimOrder,
        lots: int,
        price: Decimal,
        liquidity: str,
        trade_id: str,
        trade_type: str = "trade",
    ) -> None:
        account = self.account(order.user_id)
        spec = order.spec
        pos = account.position(spec)
        leverage = order_leverage(account, order)
        opposite = pos.qty != 0 and (pos.qty > 0) != (order.side == "buy")
        closing = min(lots, abs(pos.qty)) if opposite else 0
        taker = liquidity == "taker" or order.hidden or order.iceberg  # they pay taker fees
        rate = spec.taker_fee_rate if taker else spec.maker_fee_rate
        value = spec.value(lots, price)  # in the settlement currency (coins if inverse)
        fee = value * rate if trade_type == "trade" else Decimal(0)
        close_fee = fee * closing / lots
        if closing:
            realised = pos.apply_fill(order.side, closing, price, leverage)
            pos.fees += close_fee
            account.adjust(realised - close_fee, spec.settle)
            if pos.qty == 0:
                self._closed(account, pos, order.leverage, liquidated=trade_type == "liquid")
                pos.reset()
        if lots > closing:  # opens a position, grows it, or is what is left after a flip
            if pos.qty == 0:
                pos.margin_mode = account.margin_mode(spec.symbol)
                pos.position_id = str(next(self._ids))
                pos.opened_ms = self.engine.clock.now_ms()
            pos.apply_fill(order.side, lots - closing, price, leverage)
            pos.fees += fee - close_fee
            account.adjust(close_fee - fee, spec.settle)
        self._record_fill(
            account,
            order,
            lots,
            price,
            taker,
            rate,
            fee,
            close_fee,
            trade_id,
            trade_type,
            pos.margin_mode,
        )
        self.publish_position(account, pos, "positionChange")
        self.publish_wallet(account, spec.settle)

    def _record_fill(
        self,
        account: Account,
        order: SimOrder,
        lots: int,
        price: Decimal,
        taker: bool,
        rate: Decimal,
        fee: Decimal,
        close_fee: Decimal,
        trade_id: str,
        trade_type: str,
        margin_mode: str,
    ) -> None:
        spec = order.spec
        now = self.engine.clock.now_ns()
        on_tick = price % spec.tick_size == 0
        account.fills.append(
            {
                "symbol": spec.symbol,
                "tradeId": trade_id,
                "orderId": order.order_id,
                "side": order.side,
                "liquidity": "taker" if taker else "maker",
                "forceTaker": order.hidden or order.iceberg,
                "price": spec.price_text(spec.ticks(price)) if on_tick else text(price),
                "size": lots,
                "value": text(spec.value(lots, price)),
                "openFeePay": text(fee - close_fee),
                "closeFeePay": text(close_fee),
                "stop": "",
                "feeRate": text(rate, 5),
                "fixFee": "0",
                "feeCurrency": spec.settle,
                "tradeTime": now,
                "subTradeType": None,
                "marginMode": margin_mode,
                "settleCurrency": spec.settle,
                "displayType": order.order_type,
                "fee": text(fee),
                "orderType": order.order_type,
                "tradeType": trade_type,
                "createdAt": now // 1_000_000,
                "openFeeTaxPay": "0",
                "closeFeeTaxPay": "0",
            }
        )

    def _closed(self, account: Account, pos: Position, leverage: str, liquidated: bool) -> None:
        now = self.engine.clock.now_ms()
        pnl = pos.realised_gross - pos.fees + pos.funding
        side = "LONG" if pos.last_sign > 0 else "SHORT"
        account.closed_positions.append(
            {
                "closeId": str(next(self._ids)),
                "userId": account.user_id,
                "symbol": pos.spec.symbol,
                "settleCurrency": pos.spec.settle,
                "leverage": leverage,
                "type": f"{'LIQUID' if liquidated else 'CLOSE'}_{side}",
                "pnl": text(pnl),
                "realisedGrossCost": text(-pos.realised_gross),
                "realisedGrossCostNew": text(-pos.realised_gross),
                "withdrawPnl": "0",
                "tradeFee": text(pos.fees),
                "fundingFee": text(pos.funding),
                "openTime": pos.opened_ms,
                "closeTime": now,
                "openPrice": text(pos.last_entry),
                "closePrice": text(pos.close_price()),
                "marginMode": pos.margin_mode,
                "tax": "0",
                "roe": text(pnl / pos.peak_margin, 4) if pos.peak_margin else "0",
                "liquidAmount": text(pos.closed_value * pos.spec.multiplier) if liquidated else "0",
                "liquidPrice": text(pos.close_price()) if liquidated else "0",
                "side": side,
            }
        )
        account.record("RealisedPNL", pnl, now, pos.spec.symbol, pos.spec.settle)

    # -- feeds -----------------------------------------------------------------------------

    def publish_position(self, account: Account, pos: Position, reason: str) -> None:
        publisher = self.engine.publisher
        symbol = pos.spec.symbol
        single, every = f"/contract/position:{symbol}", "/contract/positionAll"
        user = account.user_id
        wants_single, wants_all = publisher.wants(single, user), publisher.wants(every, user)
        if not (wants_single or wants_all):
            return
        now = self.engine.clock.now_ms()
        lev = Decimal(account.leverage(symbol))
        data: dict[str, Any] = position_object(pos, self.mark(symbol), lev, now)
        data["changeReason"] = reason
        data.setdefault("riskLimitLevel", pos.tier().level if pos.qty else 1)
        for topic, wanted in ((single, wants_single), (every, wants_all)):
            if wanted:
                publisher.publish(topic, "position.change", data, user)
        self._pushed[(user, symbol)] = time.monotonic()

    def publish_wallet(self, account: Account, currency: str = "USDT") -> None:
        """One walletBalance.change of the wallet that moved (one message per currency)."""
        publisher = self.engine.publisher
        if publisher.wants(WALLET_TOPIC, account.user_id):
            data = wallet_object(
                self.overview(account, currency), account.version, self.engine.clock.now_ms()
            )
            publisher.publish(WALLET_TOPIC, "walletBalance.change", data, account.user_id)

    # -- after every market step -------------------------------------------------------------

    def after_step(self) -> None:
        now = time.monotonic()
        for account in list(self.accounts.values()):
            positions = account.open_positions()
            if not positions:
                continue
            for pos in positions:
                if pos.margin_mode == "ISOLATED" and pos.should_liquidate(
                    self.mark(pos.spec.symbol)
                ):
                    self.liquidate(account, pos)
            cross = [p for p in account.open_positions() if p.margin_mode == "CROSS"]
            for currency in {p.spec.settle for p in cross}:  # each wallet on its own
                if self.overview(account, currency).risk_ratio >= 1:
                    for pos in cross:
                        if pos.spec.settle == currency and pos.qty:
                            self.liquidate(account, pos)
            for pos in account.open_positions():
                key = (account.user_id, pos.spec.symbol)
                if now - self._pushed.get(key, 0.0) >= POSITION_PUSH_INTERVAL:
                    self.publish_position(account, pos, "markPriceChange")

    def liquidate(self, account: Account, pos: Position) -> None:
        """Close a position at its bankruptcy price against the insurance fund: the
        isolated margin is lost exactly; open orders of the symbol are cancelled first."""
        engine = self.engine
        symbol = pos.spec.symbol
        for order in [o for o in engine.active_orders(account.user_id) if o.symbol == symbol]:
            engine.cancel(account.user_id, order.order_id)
        price = pos.bankrupt_price() if pos.margin_mode == "ISOLATED" else self.mark(symbol)
        side = "sell" if pos.qty > 0 else "buy"
        closer = engine.new_order(account.user_id, symbol, side, 0, abs(pos.qty), "market")
        closer.margin_mode = pos.margin_mode
        closer.filled = closer.size
        closer.status = "done"
        self.on_fill(closer, closer.size, price, "taker", str(next(self._ids)), "liquid")
        wallet = account.balance_of(pos.spec.settle)
        if wallet < 0:  # the insurance fund covers what the margin could not
            account.adjust(-wallet, pos.spec.settle)
        self.publish_position(account, pos, "liquidation")

    # -- funding -----------------------------------------------------------------------------

    def settle_funding(self, symbol: str, rate: Decimal, funding_time_ms: int) -> None:
        """Longs pay shorts when the rate is positive: funding = -(signed value at mark) x rate,
        value = qty x multiplier x mark (linear) or qty x multiplier / mark in coins (inverse)."""
        mark = self.mark(symbol)
        for account in self.accounts.values():
            pos = account.positions.get(symbol)
            if pos is None or pos.qty == 0:
                continue
            spec = pos.spec
            amount = -spec.value(pos.qty, mark) * rate
            pos.funding += amount
            account.adjust(amount, spec.settle)
            now = self.engine.clock.now_ms()
            account.funding_history.append(
                {
                    "id": next(self._ids),
                    "symbol": symbol,
                    "timePoint": funding_time_ms,
                    "fundingRate": num(rate),
                    "markPrice": num(mark),
                    "positionQty": pos.qty,
                    "positionCost": num(spec.value(pos.qty, pos.entry)),
                    "funding": num(amount),
                    "settleCurrency": spec.settle,
                    "context": f'{{"marginMode": "{pos.margin_mode}", "positionSide": "BOTH"}}',
                    "marginMode": pos.margin_mode,
                }
            )
            account.record("Funding", amount, now, symbol, spec.settle)
            self._publish_settlement(account, pos, rate, mark, amount, funding_time_ms)
            self.publish_wallet(account, spec.settle)

    def _publish_settlement(
        self,
        account: Account,
        pos: Position,
        rate: Decimal,
        mark: Decimal,
        amount: Decimal,
        funding_time_ms: int,
    ) -> None:
        publisher = self.engine.publisher
        data = {
            "fundingTime": funding_time_ms,
            "qty": pos.qty,
            "markPrice": num(mark),
            "fundingRate": num(rate),
            "fundingFee": num(amount),
            "ts": self.engine.clock.now_ns(),
            "settleCurrency": pos.spec.settle,
        }
        for topic in (f"/contract/position:{pos.spec.symbol}", "/contract/positionAll"):
            if publisher.wants(topic, account.user_id):
                publisher.publish(topic, "position.settlement", data, account.user_id)
