"""What the exchange serves, against what the spec lists: every futures REST endpoint is asked
over the wire whether it is routed (KuCoin's gateway answers 404000 / 405000 when not), the
unserved ones must be exactly the committed list below, and everything served has a contract
case; every WebSocket topic the exchange serves is a spec topic and is subscribed by the
contract harvest."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.sim.topics import CANDLE_TOPIC, PRIVATE_TOPICS, PUBLIC_TOPICS
from tests.contract import ws_cases
from tests.contract.rest_cases import CASES
from tests.contract.spec import Operation, Topic, shape

# Futures endpoints of the spec that kcterm-sim does not serve, and why. An endpoint that
# disappears from the exchange lands here and fails the test; so does one that gets served.
UNSERVED = {
    # Retired by KuCoin: x-abandon "abandon" in the spec (spec/REFERENCE.md 7.16 and 10.8). The
    # v1 cancel-all (DELETE /api/v1/orders) is abandoned too but still answers on KuCoin, and
    # clients such as ccxt call it, so the exchange serves it.
    ("POST", "/api/v1/position/margin/auto-deposit-status"),
    # Transfers between the futures and the main account (also abandoned): the sim has no
    # other account to move money to or from.
    ("GET", "/api/v1/transfer-list"),
    ("POST", "/api/v1/transfer-in"),
    ("POST", "/api/v3/transfer-out"),
}

_PARAM = re.compile(r"\{([^}]*)\}")
_FILL = {"symbol": "XBTUSDTM", "size": "20"}  # any other path parameter: "1"


@pytest.fixture
async def exchange() -> AsyncIterator[SimExchange]:
    sim = SimExchange(SimConfig(port=0, market=False, seed=11))
    await sim.start()
    yield sim
    await sim.stop()


async def served(sim: SimExchange, operations: dict[tuple[str, str], Operation]) -> set:
    """The spec endpoints the exchange routes: an unsigned request to each; only the gateway's
    404000 (no such URL) and 405000 (no such method there) mean "not served"."""
    routed = set()
    async with aiohttp.ClientSession() as http:
        for method, path in operations:
            url = sim.base_url + _PARAM.sub(lambda m: _FILL.get(m.group(1), "1"), path)
            async with http.request(method, url) as reply:
                code = orjson.loads(await reply.read()).get("code")
            if code not in ("404000", "405000"):
                routed.add((method, path))
    return routed


async def test_the_unserved_endpoints_are_the_known_ones(
    exchange: SimExchange, operations: dict[tuple[str, str], Operation]
) -> None:
    unserved = set(operations) - await served(exchange, operations)
    for method, path in sorted(unserved, key=lambda k: k[::-1]):
        print(f"not served: {method} {path} ({operations[(method, path)].source})")
    assert unserved == UNSERVED


async def test_every_served_endpoint_has_a_contract_case(
    exchange: SimExchange, operations: dict[tuple[str, str], Operation]
) -> None:
    routed = {(method, shape(path)) for method, path in await served(exchange, operations)}
    cased = {(case.method, shape(case.template)) for case in CASES}
    assert routed == cased


def served_topics() -> set[str]:
    """The exchange's topics (kcterm/sim/topics.py) as the spec writes their templates."""
    names = set()
    for prefix, needs_symbol in {**PUBLIC_TOPICS, **PRIVATE_TOPICS}.items():
        suffix = ":{symbol}_{type}" if prefix == CANDLE_TOPIC else ":{symbol}"
        if needs_symbol is not False:  # True: with a symbol; None: with or without
            names.add(prefix + suffix)
        if not needs_symbol:
            names.add(prefix)
    return names


def test_every_spec_topic_is_served_and_subscribed(topics: dict[str, Topic]) -> None:
    assert served_topics() == set(topics)
    subscribed = {ws_cases.template(t) for t in ws_cases.PUBLIC + ws_cases.PRIVATE}
    assert subscribed == set(topics)
    assert {group[0] for group in ws_cases.EXPECTED} == set(topics)


def test_the_spec_selection_is_the_rate_limit_tables(
    spec_dir: Path, operations: dict[tuple[str, str], Operation]
) -> None:
    """The same futures operations as kcterm/sim/gen_spec_tables.py takes from the spec."""
    from kcterm.sim.gen_spec_tables import futures_rate_limits

    assert set(operations) == set(futures_rate_limits(spec_dir))
