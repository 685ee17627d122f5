"""Private position endpoints: positions, closed positions, margin mode, cross leverage,
isolated margin deposits and withdrawals, risk limits and the largest order that fits."""

from __future__ import annotations

import zlib
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from kcterm.sim import params
from kcterm.sim.account_view import position_object, text
from kcterm.sim.accounts import Account
from kcterm.sim.engine import Engine
from kcterm.sim.errors import SimError, bad_param
from kcterm.sim.http import Call
from kcterm.sim.paging import numbered_page
from kcterm.sim.positions import Position
from kcterm.sim.routes_public import Route

MODES = ("ISOLATED", "CROSS")
# The deposit-margin reply is the older position object of its spec example: without these
# fields, and with the owner's numeric userId.
NEWER_POSITION_FIELDS = frozenset(
    "isInverse marginMode positionSide leverage posCrossMargin posCommCommon posFunding "
    "maintainMargin riskLimitLevel".split()
)


class PositionRoutes:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.clearing = engine.clearing

    def table(self) -> list[Route]:
        return [
            ("GET", "/api/v1/positions", self.positions, True),
            ("GET", "/api/v1/position", self.position, True),
            ("GET", "/api/v1/history-positions", self.history, True),
            ("GET", "/api/v2/getMaxOpenSize", self.max_open_size, True),
            ("GET", "/api/v2/batchGetCrossOrderLimit", self.cross_order_limits, True),
            ("GET", "/api/v2/position/getMarginMode", self.get_margin_mode, True),
            ("POST", "/api/v2/position/changeMarginMode", self.change_margin_mode, True),
            ("POST", "/api/v2/position/batchChangeMarginMode", self.batch_margin_mode, True),
            ("GET", "/api/v2/getCrossUserLeverage", self.get_cross_leverage, True),
            ("POST", "/api/v2/changeCrossUserLeverage", self.change_cross_leverage, True),
            ("POST", "/api/v1/position/margin/deposit-margin", self.deposit_margin, True),
            ("GET", "/api/v1/margin/maxWithdrawMargin", self.max_withdraw, True),
            ("POST", "/api/v1/margin/withdrawMargin", self.withdraw_margin, True),
            ("GET", "/api/v1/contracts/risk-limit/{symbol}", self.risk_limits, False),
            ("POST", "/api/v1/position/risk-limit-level/change", self.change_risk_limit, True),
        ]

    def _view(self, account: Account, pos: Position) -> dict[str, Any]:
        symbol = pos.spec.symbol
        leverage = Decimal(account.leverage(symbol))
        return position_object(
            pos, self.clearing.mark(symbol), leverage, self.engine.clock.now_ms()
        )

    async def positions(self, call: Call) -> list[dict[str, Any]]:
        currency = call.query.get("currency")
        account = self.clearing.account(call.user_id)
        # Only GET /api/v1/position carries riskLimitLevel; the list's objects do not (spec).
        views = (
            self._view(account, p)
            for p in account.open_positions()
            if not currency or p.spec.settle == currency
        )
        return [_without(view, {"riskLimitLevel"}) for view in views]

    async def position(self, call: Call) -> dict[str, Any]:
        spec = self.engine.market(params.text(call.query, "symbol", required=True)).spec
        account = self.clearing.account(call.user_id)
        return self._view(account, account.position(spec))

    async def history(self, call: Call) -> dict[str, Any]:
        query = call.query
        symbol = query.get("symbol")
        start = params.whole(query, "from", default=0)
        end = params.whole(query, "to", default=0)
        rows = [
            r
            for r in reversed(self.clearing.account(call.user_id).closed_positions)
            if (not symbol or r["symbol"] == symbol)
            and r["closeTime"] >= start
            and (not end or r["closeTime"] <= end)
        ]
        limit = params.whole(query, "limit", default=10, minimum=1, maximum=200)
        page = params.whole(query, "pageId", default=1, minimum=1)
        return numbered_page(rows, {"currentPage": str(page), "pageSize": str(limit)}, max_size=200)

    async def max_open_size(self, call: Call) -> dict[str, Any]:
        query = call.query
        market = self.engine.market(params.text(query, "symbol", required=True))
        price = params.decimal(query, "price", required=True)
        leverage = params.whole(
            query, "leverage", required=True, minimum=1, maximum=market.spec.max_leverage
        )
        assert price is not None
        account = self.clearing.account(call.user_id)
        spec = market.spec
        available = max(Decimal(0), self.clearing.overview(account, spec.settle).available)
        per_lot = spec.value(1, price) * (1 / Decimal(leverage) + spec.taker_fee_rate)
        lots = int((available / per_lot).to_integral_value(ROUND_FLOOR))
        pos = account.positions.get(spec.symbol)
        qty = pos.qty if pos else 0
        return {
            "symbol": spec.symbol,
            "maxBuyOpenSize": lots + max(0, -qty),
            "maxSellOpenSize": lots + max(0, qty),
        }

    async def cross_order_limits(self, call: Call) -> list[dict[str, Any]]:
        """Largest cross order per symbol (up to 50) for a margin and leverage: by default
        the free balance and the symbol's cross leverage, at the last trade price."""
        query = call.query
        symbols = params.text(query, "symbol", required=True, max_len=2000).split(",")
        if len(symbols) > 50:
            raise bad_param("symbol takes at most 50 contracts")
        account = self.clearing.account(call.user_id)
        given = params.decimal(query, "totalMargin")
        rows = []
        for symbol in symbols:
            market = self.engine.market(symbol.strip())
            spec = market.spec
            margin = given
            if margin is None:  # the free balance of the wallet the contract settles in
                margin = max(Decimal(0), self.clearing.overview(account, spec.settle).available)
            lev = params.whole(
                query,
                "leverage",
                default=account.leverage(spec.symbol),
                minimum=1,
                maximum=spec.max_leverage,
            )
            price = market.last_price
            per_lot = spec.value(1, price) * (1 / Decimal(lev) + spec.taker_fee_rate)
            lots = min(spec.max_order_qty, int((margin / per_lot).to_integral_value(ROUND_FLOOR)))
            rows.append(
                {
                    "symbol": spec.symbol,
                    "maxOpenSize": lots,
                    "maxOpenValue": text(spec.value(lots, price), 10),
                    "totalMargin": text(margin, 8),
                    "price": str(price),
                    "leverage": f"{lev}.00",
                    "mmr": str(spec.maintain_margin),
                    "imr": str(spec.initial_margin),
                    "currency": spec.settle,
                }
            )
        return rows

    async def get_margin_mode(self, call: Call) -> dict[str, str]:
        symbol = self.engine.market(params.text(call.query, "symbol", required=True)).spec.symbol
        return {
            "symbol": symbol,
            "marginMode": self.clearing.account(call.user_id).margin_mode(symbol),
        }

    async def change_margin_mode(self, call: Call) -> dict[str, str]:
        body = call.json_object()
        symbol = self.engine.market(params.text(body, "symbol", required=True)).spec.symbol
        mode = params.text(body, "marginMode", required=True, choices=MODES)
        self._switch_mode(call.user_id, symbol, mode)
        return {"symbol": symbol, "marginMode": mode}

    async def batch_margin_mode(self, call: Call) -> dict[str, Any]:
        body = call.json_object()
        mode = params.text(body, "marginMode", required=True, choices=MODES)
        symbols = body.get("symbols")
        if not isinstance(symbols, list) or not symbols or len(symbols) > 50:
            raise bad_param("symbols must be a list of 1 to 50 contracts")
        account = self.clearing.account(call.user_id)
        modes: dict[str, str] = {}
        errors: list[dict[str, str]] = []
        for symbol in symbols:
            try:
                self._switch_mode(call.user_id, self.engine.market(symbol).spec.symbol, mode)
            except SimError as exc:
                errors.append({"code": exc.code, "msg": exc.msg, "symbol": str(symbol)})
            if isinstance(symbol, str) and symbol in self.engine.markets:
                modes[symbol] = account.margin_mode(symbol)
        return {"marginMode": modes, "errors": errors}

    def _switch_mode(self, user_id: str, symbol: str, mode: str) -> None:
        account = self.clearing.account(user_id)
        if account.margin_mode(symbol) == mode:
            return
        pos = account.positions.get(symbol)
        busy = (pos is not None and pos.qty != 0) or any(
            o.symbol == symbol for o in self.engine.active_orders(user_id)
        )
        if busy:
            raise SimError("50002", "exist.order.or.position", 200)
        account.margin_modes[symbol] = mode
        self._push(user_id, "/contract/marginMode", {symbol: mode})

    async def get_cross_leverage(self, call: Call) -> dict[str, str]:
        symbol = self.engine.market(params.text(call.query, "symbol", required=True)).spec.symbol
        leverage = self.clearing.account(call.user_id).leverage(symbol)
        return {"symbol": symbol, "leverage": str(leverage)}

    async def change_cross_leverage(self, call: Call) -> bool:
        body = call.json_object()
        spec = self.engine.market(params.text(body, "symbol", required=True)).spec
        leverage = params.whole(
            body, "leverage", required=True, minimum=1, maximum=spec.max_leverage
        )
        account = self.clearing.account(call.user_id)
        old = account.cross_leverage.get(spec.symbol)
        account.cross_leverage[spec.symbol] = leverage
        if (
            account.margin_mode(spec.symbol) == "CROSS"
            and self.clearing.overview(account, spec.settle).available < 0
        ):
            account.cross_leverage[spec.symbol] = old or account.leverage(spec.symbol)
            raise SimError("300016", "Leverage too high for the margin this position holds", 200)
        self._push(
            call.user_id, "/contract/crossLeverage", {spec.symbol: {"leverage": str(leverage)}}
        )
        return True

    def _isolated(self, user_id: str, symbol: object) -> tuple[Account, Position]:
        spec = self.engine.market(symbol).spec
        account = self.clearing.account(user_id)
        pos = account.positions.get(spec.symbol)
        if pos is None or pos.qty == 0:
            raise SimError("300009", "Position size is 0; there is no margin to change", 200)
        if pos.margin_mode != "ISOLATED":
            raise bad_param("margin can be added or removed on isolated positions only")
        return account, pos

    async def deposit_margin(self, call: Call) -> dict[str, Any]:
        body = call.json_object()
        account, pos = self._isolated(call.user_id, params.text(body, "symbol", required=True))
        amount = params.decimal(body, "margin", required=True)
        params.text(body, "bizNo", required=True, max_len=36)
        assert amount is not None
        if amount > self.clearing.overview(account, pos.spec.settle).available:
            raise SimError("300003", "Balance insufficient to add that much margin", 200)
        pos.margin += amount
        pos.deposited += amount
        self.clearing.publish_position(account, pos, "marginChange")
        self.clearing.publish_wallet(account, pos.spec.settle)
        view = _without(self._view(account, pos), NEWER_POSITION_FIELDS)
        return {**view, "userId": numeric_uid(call.user_id)}

    def _withdrawable(self, pos: Position) -> Decimal:
        """What was deposited by hand, less any loss the position is carrying: the margin
        the orders themselves put up always stays."""
        loss = min(Decimal(0), pos.unrealised(self.clearing.mark(pos.spec.symbol)))
        return max(Decimal(0), pos.deposited + loss)

    async def max_withdraw(self, call: Call) -> str:
        _, pos = self._isolated(call.user_id, params.text(call.query, "symbol", required=True))
        return text(self._withdrawable(pos), 8)

    async def withdraw_margin(self, call: Call) -> str:
        body = call.json_object()
        account, pos = self._isolated(call.user_id, params.text(body, "symbol", required=True))
        amount = params.decimal(body, "withdrawAmount", required=True)
        assert amount is not None
        if amount > self._withdrawable(pos):
            raise bad_param("withdrawAmount is more than the position can release")
        pos.margin -= amount
        pos.deposited -= amount
        self.clearing.publish_position(account, pos, "marginChange")
        self.clearing.publish_wallet(account, pos.spec.settle)
        return text(amount, 8)

    async def risk_limits(self, call: Call) -> list[dict[str, Any]]:
        """The contract's tiers: limits are of the position's value in the settlement
        currency (USDT, USDC, or the coin of an inverse contract)."""
        spec = self.engine.market(call.request.match_info["symbol"]).spec
        return [
            {
                "symbol": spec.symbol,
                "level": tier.level,
                "maxRiskLimit": int(tier.max_value),
                "minRiskLimit": int(tier.min_value),
                "maxLeverage": tier.max_leverage,
                "initialMargin": float(tier.initial_margin),
                "maintainMargin": float(tier.maintain_margin),
            }
            for tier in spec.tiers
        ]

    async def change_risk_limit(self, call: Call) -> bool:
        body = call.json_object()
        spec = self.engine.market(params.text(body, "symbol", required=True)).spec
        # Accepted for any listed level; the tier in force follows the position's value
        # (its margin rates come from spec.tier), as KuCoin's automatic tiers now do.
        level = params.whole(body, "level", required=True, minimum=1, maximum=len(spec.tiers))
        self._push(
            call.user_id,
            f"/contract/position:{spec.symbol}",
            {"success": True, "riskLimitLevel": level, "msg": ""},
            "position.adjustRiskLimit",
        )
        return True

    def _push(self, user_id: str, topic: str, data: Any, subject: str = "user.config") -> None:
        if self.engine.publisher.wants(topic, user_id):
            self.engine.publisher.publish(topic, subject, data, user_id)


def _without(view: dict[str, Any], names: frozenset[str] | set[str]) -> dict[str, Any]:
    return {name: value for name, value in view.items() if name not in names}


def numeric_uid(user_id: str) -> int:
    """KuCoin's old numeric uid, for the one reply that still carries it: our user ids are
    text, so the number is derived from the id (the same every time)."""
    return zlib.crc32(user_id.encode())
