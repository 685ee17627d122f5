"""KuCoin Futures spoken the least possible way: the floors issue 14's benchmarks (kcterm.bench)
measure the adapter and the window against. Nothing of kcterm is used here (no signer, no
client, no parser): aiohttp, hmac and orjson only, so that a floor costs what the wire costs.
It lives in the adapter's folder because it reads KuCoin's paths and fields; nothing but the
benchmarks imports it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import orjson

ACCOUNT_OVERVIEW = "/api/v1/account-overview"
SNAPSHOT = "/api/v1/level2/snapshot"


def _sign(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_account_overview(
    http: aiohttp.ClientSession, base_url: str, key: str, secret: str, passphrase: str
) -> Callable[[], Awaitable[None]]:
    """A call of GET /api/v1/account-overview?currency=USDT signed by hand (key version 3),
    its JSON parsed and its code checked."""
    query = "currency=USDT"
    url = f"{base_url}{ACCOUNT_OVERVIEW}?{query}"
    signed_passphrase = _sign(secret, passphrase)

    async def call() -> None:
        now = str(int(time.time() * 1000))
        headers = {
            "KC-API-KEY": key,
            "KC-API-SIGN": _sign(secret, f"{now}GET{ACCOUNT_OVERVIEW}?{query}"),
            "KC-API-TIMESTAMP": now,
            "KC-API-PASSPHRASE": signed_passphrase,
            "KC-API-KEY-VERSION": "3",
        }
        async with http.get(url, headers=headers) as reply:
            body: Any = orjson.loads(await reply.read())
        if body.get("code") != "200000":
            raise RuntimeError(f"account overview refused: {body}")

    return call


async def snapshot_levels(
    http: aiohttp.ClientSession, base_url: str, symbol: str, depth: int = 50
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The level-2 snapshot's best `depth` bids and asks as (price, size) floats."""
    async with http.get(f"{base_url}{SNAPSHOT}", params={"symbol": symbol}) as reply:
        data: Any = orjson.loads(await reply.read())["data"]
    bids = [(float(p), float(s)) for p, s in data["bids"][:depth]]
    asks = [(float(p), float(s)) for p, s in data["asks"][:depth]]
    return bids, asks
