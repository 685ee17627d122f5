"""The fence of tests/compat/conftest.py holds: a client left on its default KuCoin URLs is
refused before any packet leaves, and the refusal is recorded (so a client that swallows the
error still fails the test)."""

from __future__ import annotations

import ccxt.async_support as ccxt_async
import pytest

from tests.compat.conftest import LoopbackFence


async def test_ccxt_on_its_default_urls_is_stopped(loopback_only: LoopbackFence) -> None:
    exchange = ccxt_async.kucoinfutures()
    try:
        with pytest.raises(ccxt_async.NetworkError):
            await exchange.fetch_time()
    finally:
        await exchange.close()
    assert loopback_only.refused == ["getaddrinfo 'api-futures.kucoin.com'"]
    loopback_only.refused.clear()  # expected here; any other test would fail on it
