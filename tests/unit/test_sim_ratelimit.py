"""Rate-limit pools (spec/REFERENCE.md 6.1) and the drill switches, on worked examples with a
hand-set clock: weights from the spec, windows that start at the first request, refusals that
consume nothing, and the admin body's validation."""

from __future__ import annotations

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.drills import Drills
from kcterm.sim.errors import SimError
from kcterm.sim.faults import FaultState
from kcterm.sim.ratelimit import DEFAULT_WEIGHT, FUTURES, PUBLIC, RateLimiter, route_cost
from kcterm.sim.ws import Hub


class HandClock:
    def __init__(self) -> None:
        self.ms = 1_000_000

    def __call__(self) -> int:
        return self.ms


def limiter(quota: int = 10, window_ms: int = 30_000) -> tuple[RateLimiter, HandClock]:
    clock = HandClock()
    pools = RateLimiter({PUBLIC: quota, FUTURES: quota}, window_ms=window_ms, now=clock)
    return pools, clock


def test_route_costs_come_from_the_spec_whatever_the_parameters_are_called() -> None:
    assert route_cost("GET", "/api/v1/timestamp", private=False) == (PUBLIC, 2)
    assert route_cost("POST", "/api/v1/orders", private=True) == (FUTURES, 2)
    assert route_cost("DELETE", "/api/v3/orders", private=True) == (FUTURES, 10)
    # The spec writes {order-id}, the sim's route {orderId}: the same endpoint.
    assert route_cost("GET", "/api/v1/orders/{orderId}", private=True) == (FUTURES, 5)
    assert route_cost("GET", "/api/v1/level2/depth{size}", private=False) == (PUBLIC, 5)
    assert route_cost("HEAD", "/api/v1/allTickers", private=False) == (PUBLIC, 5)
    # The futures trade-fees endpoint hides as PATCH in the spec; its real method is GET.
    assert route_cost("GET", "/api/v1/trade-fees", private=True) == (FUTURES, 3)


def test_unknown_routes_and_routes_without_a_weight_cost_the_default() -> None:
    assert route_cost("GET", "/api/v1/recentFills", private=True) == (FUTURES, DEFAULT_WEIGHT)
    assert route_cost("GET", "/api/v9/nothing", private=False) == (PUBLIC, DEFAULT_WEIGHT)
    assert route_cost("POST", "/api/v9/nothing", private=True) == (FUTURES, DEFAULT_WEIGHT)


def test_a_window_starts_at_the_first_request_and_refusals_consume_nothing() -> None:
    pools, clock = limiter(quota=10)
    first = pools.charge(PUBLIC, "ip:a", 3)
    assert (first.allowed, first.remaining, first.reset_ms, first.limit) == (True, 7, 30_000, 10)
    clock.ms += 1_000
    second = pools.charge(PUBLIC, "ip:a", 5)
    assert (second.allowed, second.remaining, second.reset_ms) == (True, 2, 29_000)
    clock.ms += 1_000
    refused = pools.charge(PUBLIC, "ip:a", 3)
    assert (refused.allowed, refused.remaining, refused.reset_ms) == (False, 2, 28_000)
    exact = pools.charge(PUBLIC, "ip:a", 2)  # the refused 3 were not taken
    assert (exact.allowed, exact.remaining) == (True, 0)
    assert not pools.charge(PUBLIC, "ip:a", 1).allowed
    # The window ends 30 s after its first request; the next one starts with the next request.
    clock.ms += 43_000
    fresh = pools.charge(PUBLIC, "ip:a", 1)
    assert (fresh.allowed, fresh.remaining, fresh.reset_ms) == (True, 9, 30_000)


def test_owners_and_pools_are_counted_apart() -> None:
    pools, _ = limiter(quota=4)
    assert pools.charge(PUBLIC, "ip:a", 4).remaining == 0
    assert not pools.charge(PUBLIC, "ip:a", 1).allowed
    assert pools.charge(PUBLIC, "ip:b", 1).remaining == 3
    assert pools.charge(FUTURES, "ip:a", 1).remaining == 3
    assert pools.charge(FUTURES, "key:k", 2).remaining == 2


def test_a_weight_above_the_quota_is_always_refused() -> None:
    pools, _ = limiter(quota=5)
    verdict = pools.charge(FUTURES, "key:k", 800)
    assert (verdict.allowed, verdict.remaining) == (False, 5)


def test_an_exhausted_pool_refuses_everyone_until_one_window_has_passed() -> None:
    pools, clock = limiter(quota=10, window_ms=30_000)
    pools.charge(FUTURES, "key:k", 1)
    assert pools.exhaust(FUTURES) == 30_000
    clock.ms += 10_000
    blocked = pools.charge(FUTURES, "key:k", 1)
    assert (blocked.allowed, blocked.remaining, blocked.reset_ms) == (False, 0, 20_000)
    assert not pools.charge(FUTURES, "key:other", 1).allowed
    assert pools.charge(PUBLIC, "ip:a", 1).allowed  # other pools are untouched
    assert pools.blocked_ms() == {FUTURES: 20_000}
    clock.ms += 20_000
    assert pools.blocked_ms() == {}
    again = pools.charge(FUTURES, "key:k", 1)
    assert (again.allowed, again.remaining) == (True, 9)


def test_headers_are_the_three_gateway_fields_in_text() -> None:
    pools, _ = limiter(quota=2000)
    assert pools.charge(PUBLIC, "ip:a", 2).headers() == {
        "gw-ratelimit-limit": "2000",
        "gw-ratelimit-remaining": "1998",
        "gw-ratelimit-reset": "30000",
    }


def test_quotas_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter({PUBLIC: 0})


def test_failures_by_count_then_by_a_seeded_rate() -> None:
    faults = FaultState(seed=3)
    faults.fail_next = 2
    assert [faults.take_failure() for _ in range(3)] == [True, True, False]
    faults.fail_rate = 0.5
    draws = [faults.take_failure() for _ in range(200)]
    again = FaultState(seed=3)
    again.fail_next, again.fail_rate = 2, 0.5
    replay = [again.take_failure() for _ in range(202)][2:]
    assert draws == replay and 60 < sum(draws) < 140
    assert faults.counters.http_503_sent == 2 + sum(draws)


def test_level2_skips_are_taken_per_symbol_and_counted() -> None:
    faults = FaultState()
    faults.skip_level2["XBTUSDTM"] = 2
    taken = [faults.take_level2_skip("XBTUSDTM") for _ in range(3)]
    assert taken == [True, True, False] and not faults.take_level2_skip("ETHUSDTM")
    assert faults.counters.sequences_skipped == 2 and faults.skip_level2 == {}


def drills() -> Drills:
    faults = FaultState()
    symbols = {"XBTUSDTM", "ETHUSDTM"}
    hub = Hub(symbols, 18_000, 10_000, faults=faults)
    return Drills(faults, hub, RateLimiter({PUBLIC: 10, FUTURES: 10}), Clock(), symbols)


def test_the_admin_body_switches_drills_and_reports_them() -> None:
    d = drills()
    state = d.apply(
        {
            "delayMs": 250,
            "failNext": 3,
            "failRate": "0.25",
            "clockSkewMs": -7000,
            "skipLevel2": {"symbol": "XBTUSDTM", "count": 2},
            "exhaustPool": "Public",
        }
    )
    assert (state["delayMs"], state["failNext"], state["failRate"]) == (250, 3, 0.25)
    assert state["clockSkewMs"] == -7000 and d.clock.skew_ms == -7000
    assert state["level2Skips"] == {"XBTUSDTM": 2}
    assert set(state["exhaustedPools"]) == {"Public"}
    assert state["counters"]["connectionsDropped"] == 0
    cleared = d.apply({"clear": True})
    assert (cleared["delayMs"], cleared["failNext"], cleared["clockSkewMs"]) == (0, 0, 0)
    assert cleared["level2Skips"] == {} and cleared["exhaustedPools"] == {}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"delayMs": 10, "bogus": 1}, "bogus"),
        ({"delayMs": "soon"}, "delayMs"),
        ({"delayMs": -1}, "delayMs"),
        ({"failRate": 1.5}, "failRate"),
        ({"failRate": True}, "failRate"),
        ({"clockSkewMs": 10**12}, "clockSkewMs"),
        ({"stopPongsSeconds": [1]}, "stopPongsSeconds"),
        ({"skipLevel2": "XBTUSDTM"}, "skipLevel2"),
        ({"skipLevel2": {"symbol": "XBTUSDTM", "count": 0}}, "count"),
        ({"skipLevel2": {"symbol": "XBTUSDTM", "extra": 1}}, "extra"),
        ({"exhaustPool": "Spot"}, "exhaustPool"),
        ({"dropConnections": "some"}, "dropConnections"),
    ],
)
def test_bad_admin_fields_are_named_and_nothing_is_applied(body: dict, named: str) -> None:
    d = drills()
    with pytest.raises(SimError) as raised:
        d.apply({"failNext": 5, **body})
    assert raised.value.code == "400100" and named in raised.value.msg
    assert d.faults.fail_next == 0  # all or nothing


def test_an_unknown_symbol_to_skip_is_an_unknown_contract() -> None:
    with pytest.raises(SimError) as raised:
        drills().apply({"skipLevel2": {"symbol": "DOGEUSDTM"}})
    assert raised.value.code == "100003"
