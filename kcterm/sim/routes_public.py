"""Public REST endpoints: time, status, contracts, tickers, order books, WebSocket tokens, and
the market data of routes_market_data."""

from __future__ import annotations

from typing import Any

from kcterm.sim.contract_view import contract_object
from kcterm.sim.engine import Engine
from kcterm.sim.errors import bad_param
from kcterm.sim.http import Call
from kcterm.sim.routes_market_data import MarketDataRoutes, contract_market_fields
from kcterm.sim.symbol_market import SymbolMarket
from kcterm.sim.ws import Hub

Route = tuple[str, str, Any, bool]  # method, path, handler, private


class PublicRoutes:
    def __init__(self, engine: Engine, hub: Hub) -> None:
        self.engine = engine
        self.hub = hub

    def table(self) -> list[Route]:
        return [
            ("GET", "/api/v1/timestamp", self.timestamp, False),
            ("GET", "/api/v1/status", self.status, False),
            ("GET", "/api/v1/contracts/active", self.contracts, False),
            ("GET", "/api/v1/contracts/{symbol}", self.contract, False),
            ("GET", "/api/v1/ticker", self.ticker, False),
            ("GET", "/api/v1/allTickers", self.all_tickers, False),
            ("GET", "/api/v1/level2/snapshot", self.snapshot, False),
            ("GET", "/api/v1/level2/depth{size}", self.depth, False),
            ("POST", "/api/v1/bullet-public", self.bullet_public, False),
            *MarketDataRoutes(self.engine).table(),
        ]

    async def timestamp(self, call: Call) -> int:
        return self.engine.clock.now_ms()

    async def status(self, call: Call) -> dict[str, str]:
        return {"msg": "", "status": "open"}

    async def contracts(self, call: Call) -> list[dict[str, Any]]:
        now = self.engine.clock.now_ms()
        return [_contract(m, now) for m in self.engine.markets.values()]

    async def contract(self, call: Call) -> dict[str, Any]:
        market = self.engine.market(call.request.match_info["symbol"])
        return _contract(market, self.engine.clock.now_ms())

    async def ticker(self, call: Call) -> dict[str, Any]:
        return self.engine.market(_symbol(call)).ticker()

    async def all_tickers(self, call: Call) -> list[dict[str, Any]]:
        return [m.ticker() for m in self.engine.markets.values()]

    async def snapshot(self, call: Call) -> dict[str, Any]:
        return self.engine.market(_symbol(call)).snapshot()

    async def depth(self, call: Call) -> dict[str, Any]:
        size = call.request.match_info["size"]
        if size not in ("20", "100"):
            raise bad_param("depth must be 20 or 100")
        return self.engine.market(_symbol(call)).snapshot(int(size))

    async def bullet_public(self, call: Call) -> dict[str, Any]:
        return self.bullet(call, None)

    def bullet(self, call: Call, user_id: str | None) -> dict[str, Any]:
        """The token reply of spec/REFERENCE.md 7.18. The endpoint is this server as the client
        reached it, so a kcterm-sim on another machine hands out an address that works; behind
        a TLS-terminating proxy (X-Forwarded-Proto: https) it is wss:// with `encrypt` true, as
        KuCoin's always is, and clients that only connect to wss:// (the legacy SDK) work."""
        secure = call.request.secure or _forwarded_proto(call) == "https"
        return {
            "token": self.hub.issue_token(user_id),
            "instanceServers": [
                {
                    "endpoint": f"{'wss' if secure else 'ws'}://{call.request.host}/",
                    "encrypt": secure,
                    "protocol": "websocket",
                    "pingInterval": self.hub.ping_interval_ms,
                    "pingTimeout": self.hub.ping_timeout_ms,
                }
            ],
        }


def _contract(market: SymbolMarket, now_ms: int) -> dict[str, Any]:
    """The contract object with its rolling 24 h and funding filled from market data."""
    return {**contract_object(market, now_ms), **contract_market_fields(market, now_ms)}


def _forwarded_proto(call: Call) -> str:
    """The scheme the client used, as the nearest proxy reports it (the first of a list)."""
    value = call.request.headers.get("X-Forwarded-Proto", "")
    return value.split(",", 1)[0].strip().lower()


def _symbol(call: Call) -> str:
    symbol = call.query.get("symbol")
    if not symbol:
        raise bad_param("symbol is required")
    return symbol
