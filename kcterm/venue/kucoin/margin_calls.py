"""A contract's margin mode and cross leverage on KuCoin Futures (spec/REFERENCE.md 7.16):
read and changed by typed calls, so core names no path and reads no reply field of them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kcterm.venue.kucoin.rest import RestClient

GET_MODE = "/api/v2/position/getMarginMode"
CHANGE_MODE = "/api/v2/position/changeMarginMode"
GET_CROSS_LEVERAGE = "/api/v2/getCrossUserLeverage"
CHANGE_CROSS_LEVERAGE = "/api/v2/changeCrossUserLeverage"


class KucoinMargin:
    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    async def margin_mode(self, symbol: str) -> str:
        """ISOLATED | CROSS (ISOLATED when the reply does not say)."""
        reply = await self.rest.request("GET", GET_MODE, params={"symbol": symbol}, signed=True)
        return str((reply or {}).get("marginMode") or "ISOLATED")

    async def cross_leverage(self, symbol: str) -> int:
        """The leverage cross-margin orders of `symbol` take (1 when the reply does not say)."""
        reply = await self.rest.request(
            "GET", GET_CROSS_LEVERAGE, params={"symbol": symbol}, signed=True
        )
        try:
            return int(Decimal(str((reply or {}).get("leverage") or 1)))
        except (InvalidOperation, ValueError):
            return 1

    async def set_margin_mode(self, symbol: str, mode: str) -> None:
        """The exchange refuses while the contract has orders or a position (a VenueError)."""
        body = {"symbol": symbol, "marginMode": mode}
        await self.rest.request("POST", CHANGE_MODE, body=body, signed=True)

    async def set_cross_leverage(self, symbol: str, leverage: int) -> None:
        body = {"symbol": symbol, "leverage": str(leverage)}  # a string in the spec
        await self.rest.request("POST", CHANGE_CROSS_LEVERAGE, body=body, signed=True)
