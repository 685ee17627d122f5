"""core.bus: typed dispatch, order, unsubscribe, and a failing handler not starving the rest."""

from __future__ import annotations

from dataclasses import dataclass

from kcterm.core.bus import EventBus


@dataclass(frozen=True)
class Ping:
    n: int


@dataclass(frozen=True)
class Pong:
    n: int


def test_handlers_get_only_their_type_in_subscription_order() -> None:
    bus = EventBus()
    seen: list[str] = []
    bus.subscribe(Ping, lambda e: seen.append(f"a{e.n}"))
    bus.subscribe(Ping, lambda e: seen.append(f"b{e.n}"))
    bus.subscribe(Pong, lambda e: seen.append(f"pong{e.n}"))
    bus.publish(Ping(1))
    bus.publish(Pong(2))
    assert seen == ["a1", "b1", "pong2"]
    assert bus.published == 2


def test_unsubscribe_stops_delivery_and_is_idempotent() -> None:
    bus = EventBus()
    seen: list[int] = []
    stop = bus.subscribe(Ping, lambda e: seen.append(e.n))
    bus.publish(Ping(1))
    stop()
    stop()
    bus.publish(Ping(2))
    assert seen == [1]
    assert bus.subscribers(Ping) == 0


def test_a_failing_handler_is_reported_and_the_others_still_run() -> None:
    failures: list[tuple[str, str]] = []
    bus = EventBus(on_error=lambda where, exc: failures.append((where, str(exc))))
    seen: list[int] = []

    def broken(event: Ping) -> None:
        raise ValueError("boom")

    bus.subscribe(Ping, broken)
    bus.subscribe(Ping, lambda e: seen.append(e.n))
    bus.publish(Ping(7))
    assert seen == [7]
    assert len(failures) == 1 and "broken" in failures[0][0] and failures[0][1] == "boom"


def test_a_handler_may_unsubscribe_itself_while_the_event_is_handed_out() -> None:
    bus = EventBus()
    seen: list[str] = []
    stops = {}

    def once(event: Ping) -> None:
        seen.append("once")
        stops["once"]()

    stops["once"] = bus.subscribe(Ping, once)
    bus.subscribe(Ping, lambda e: seen.append("always"))
    bus.publish(Ping(1))
    bus.publish(Ping(2))
    assert seen == ["once", "always", "always"]
