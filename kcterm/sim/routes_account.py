"""Private account endpoints: overview, fees, fills, ledger, funding history, order statistics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kcterm.sim import params
from kcterm.sim.account_view import num, overview_object, text
from kcterm.sim.engine import Engine
from kcterm.sim.errors import bad_param
from kcterm.sim.http import Call
from kcterm.sim.margin import order_margin
from kcterm.sim.paging import has_more_page, numbered_page
from kcterm.sim.routes_public import Route

FILL_TYPES = ("trade", "adl", "liquid", "settlement")
TAX_FIELDS = ("openFeeTaxPay", "closeFeeTaxPay")


class AccountRoutes:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.clearing = engine.clearing

    def table(self) -> list[Route]:
        return [
            ("GET", "/api/v1/account-overview", self.overview, True),
            ("GET", "/api/v1/trade-fees", self.trade_fees, True),
            ("GET", "/api/v1/fills", self.fills, True),
            ("GET", "/api/v1/recentFills", self.recent_fills, True),
            ("GET", "/api/v1/transaction-history", self.ledger, True),
            ("GET", "/api/v1/funding-history", self.funding_history, True),
            ("GET", "/api/v1/openOrderStatistics", self.open_order_statistics, True),
        ]

    async def overview(self, call: Call) -> dict[str, Any]:
        currency = params.text(call.query, "currency", default="XBT")
        account = self.clearing.account(call.user_id)
        # One wallet per settlement currency; one the account never held reads as empty.
        return overview_object(self.clearing.overview(account, currency))

    async def trade_fees(self, call: Call) -> dict[str, str]:
        spec = self.engine.market(params.text(call.query, "symbol", required=True)).spec
        return {
            "symbol": spec.symbol,
            "takerFeeRate": str(spec.taker_fee_rate),
            "makerFeeRate": str(spec.maker_fee_rate),
        }

    async def fills(self, call: Call) -> dict[str, Any]:
        query = call.query
        rows = list(reversed(self.clearing.account(call.user_id).fills))
        if query.get("orderId"):  # "if given, other parameters are ignored"
            rows = [f for f in rows if f["orderId"] == query["orderId"]]
        else:
            kinds = set((query.get("tradeTypes") or ",".join(FILL_TYPES)).split(","))
            if not kinds <= set(FILL_TYPES):
                raise bad_param(f"tradeTypes must be among {', '.join(FILL_TYPES)}")
            rows = [f for f in rows if f["tradeType"] in kinds and _match(f, query)]
        return numbered_page(rows, query)

    async def recent_fills(self, call: Call) -> list[dict[str, Any]]:
        symbol = call.query.get("symbol")
        rows = reversed(self.clearing.account(call.user_id).fills)
        recent = [f for f in rows if not symbol or f["symbol"] == symbol][:1000]
        # The recentFills fill has no tax fields (they are only in GET /api/v1/fills).
        return [{k: v for k, v in f.items() if k not in TAX_FIELDS} for f in recent]

    async def ledger(self, call: Call) -> dict[str, Any]:
        query = call.query
        rows = [
            {
                **line,
                "amount": num(line["amount"]),
                "fee": num(line["fee"]),
                "accountEquity": num(line["accountEquity"]),
            }
            for line in self.clearing.account(call.user_id).ledger
            if (not query.get("type") or line["type"] == query["type"])
            and (not query.get("currency") or line["currency"] == query["currency"])
        ]
        return has_more_page(rows, query, key="offset")

    async def funding_history(self, call: Call) -> dict[str, Any]:
        symbol = params.text(call.query, "symbol", required=True)
        self.engine.market(symbol)
        rows = [
            r for r in self.clearing.account(call.user_id).funding_history if r["symbol"] == symbol
        ]
        return has_more_page(rows, call.query, key="id")

    async def open_order_statistics(self, call: Call) -> dict[str, Any]:
        symbol = params.text(call.query, "symbol", required=True)
        self.engine.market(symbol)
        account = self.clearing.account(call.user_id)
        settle = self.engine.market(symbol).spec.settle
        sizes = {"buy": 0, "sell": 0}
        costs = {"buy": Decimal(0), "sell": Decimal(0)}
        for order in self.engine.active_orders(call.user_id):
            if order.symbol == symbol:
                sizes[order.side] += order.remaining
                costs[order.side] += order_margin(account, order, order.price)
        return {
            "openOrderBuySize": sizes["buy"],
            "openOrderSellSize": sizes["sell"],
            "openOrderBuyCost": text(costs["buy"]),  # "0", never "0E-8"
            "openOrderSellCost": text(costs["sell"]),
            "settleCurrency": settle,
        }


def _match(fill: dict[str, Any], query: dict[str, str]) -> bool:
    for name in ("symbol", "side"):
        if query.get(name) and fill[name] != query[name]:
            return False
    if query.get("type") and fill["displayType"] != query["type"]:
        return False
    start = params.whole(query, "startAt", default=0)
    end = params.whole(query, "endAt", default=0)
    return fill["createdAt"] >= start and (not end or fill["createdAt"] <= end)
