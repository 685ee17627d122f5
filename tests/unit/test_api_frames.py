"""Frame dispatch never raises, whatever arrives, and valid data frames still get through."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from kcterm.venue.kucoin.frames import expand_topic
from kcterm.venue.kucoin.stream import WsStream

TOPIC = "/contractMarket/level2:XBTUSDTM"

# Finite floats only: orjson writes inf as null, so it would not round-trip unchanged.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)  # fmt: skip
# Frames with the right keys but any types: the shapes a confused server might send.
odd_frames = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["message", "pong", "ack", "error", "welcome", "notice"])
        | json_values,
        "id": json_values,
        "topic": st.just(TOPIC) | json_values,
        "subject": json_values,
        "data": json_values,
        "code": json_values,
    },
)


async def _never() -> dict:
    raise AssertionError("no connection in these tests")


def _stream(received: list[dict]) -> WsStream:
    stream = WsStream(_never)

    def handler(frame: dict) -> None:
        received.append(frame)
        if frame.get("data") == "explode":
            raise ValueError("handler bug")  # must be contained too

    stream.subscribe(TOPIC, handler)
    return stream


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_bytes_and_text_never_raise(raw: bytes | str) -> None:
    _stream([]).handle_frame(raw)


@settings(max_examples=300, deadline=None)
@given(odd_frames | json_values)
def test_wrongly_typed_json_never_raises(value: object) -> None:
    _stream([]).handle_frame(orjson.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.lists(odd_frames | st.binary(max_size=50), max_size=5), json_values)
def test_valid_message_frames_still_reach_the_handler(noise: list[object], data: object) -> None:
    received: list[dict] = []
    stream = _stream(received)
    frame = {"type": "message", "topic": TOPIC, "subject": "level2", "sn": 1, "data": data}
    for junk in noise:
        stream.handle_frame(junk if isinstance(junk, bytes) else orjson.dumps(junk))
    before = len(received)
    stream.handle_frame(orjson.dumps(frame))
    stream.handle_frame(orjson.dumps(frame).decode())  # str frames too
    assert received[before:] == [frame, frame]


def test_handler_exception_does_not_escape() -> None:
    received: list[dict] = []
    stream = _stream(received)
    stream.handle_frame(orjson.dumps({"type": "message", "topic": TOPIC, "data": "explode"}))
    stream.handle_frame(orjson.dumps({"type": "message", "topic": TOPIC, "data": 1}))
    assert [f["data"] for f in received] == ["explode", 1]


def test_frames_without_type_but_with_topic_are_messages() -> None:
    # spec/REFERENCE.md 8.2 shows funding.rate / announcement frames with no "type" key.
    received: list[dict] = []
    _stream(received).handle_frame(orjson.dumps({"topic": TOPIC, "subject": "s", "data": {}}))
    assert len(received) == 1


def test_expand_topic() -> None:
    assert expand_topic("/a/limitCandle:XBTUSDTM_1min,ETHUSDTM_1min") == [
        "/a/limitCandle:XBTUSDTM_1min",
        "/a/limitCandle:ETHUSDTM_1min",
    ]
    assert expand_topic("/contractMarket/tradeOrders") == ["/contractMarket/tradeOrders"]
    assert expand_topic(TOPIC) == [TOPIC]
