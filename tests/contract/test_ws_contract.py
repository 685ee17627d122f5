"""Every WebSocket topic the exchange serves, and every subject (and order event type) it
sends on it, matches the topic's schema in ws/openapi-futures-*.json: each frame's ``data``
field by field (spec/REFERENCE.md-backed exceptions in allowances.py), and its ``subject`` where the
spec enumerates them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import allowances
from tests.contract.schema_check import check, generic
from tests.contract.spec import Operation, Topic
from tests.contract.ws_cases import EXPECTED, Group

GROUPS = sorted(EXPECTED)


def group_id(group: Group) -> str:
    topic, subject, kind = group
    return f"{topic} {subject}" + (f" type={kind}" if kind else "")


@pytest.mark.parametrize("group", GROUPS, ids=[group_id(g) for g in GROUPS])
def test_frames_match_the_topic_schema(
    group: Group,
    ws_frames: dict[Group, list[dict[str, Any]]],
    topics: dict[str, Topic],
    operations: dict[tuple[str, str], Operation],
) -> None:
    template, subject, kind = group
    topic = topics[template]
    frames = ws_frames.get(group, [])
    assert frames, f"no {subject} frame arrived on {template}"
    rest_position = operations[("GET", "/api/v1/position")].data_schema
    problems: dict[str, str] = {}  # one line per generic place: 40 frames, one report
    for frame in frames:
        data = frame["data"]
        allowed = allowances.for_topic(topic, subject, kind, data, rest_position)
        for line in check(data, topic.data_schema, topic.data_example, "data", allowed):
            problems.setdefault(generic(line.split(" ", 1)[0]), line)
        subjects = topic.frame_schema["properties"].get("subject", {})
        for line in check(frame["subject"], subjects, place="subject"):
            problems.setdefault("subject", line)
    assert not problems, f"{template} ({len(frames)} frames)\n" + "\n".join(problems.values())


# Envelope keys a frame may carry beyond its topic's example: KuCoin's examples show `sn` on
# market data and a message `id` on account frames, but not every example shows every key.
OPTIONAL_ENVELOPE = {"sn", "id", "type", "userId", "channelType"}


@pytest.mark.parametrize("group", GROUPS, ids=[group_id(g) for g in GROUPS])
def test_frame_envelopes_carry_the_examples_keys(
    group: Group, ws_frames: dict[Group, list[dict[str, Any]]], topics: dict[str, Topic]
) -> None:
    """`topic`, `type`, `subject`, `data`, and `sn` or `id` exactly where the spec's example
    frame has them (private frames also `userId` and `channelType`)."""
    template = group[0]
    example = topics[template].frame_example
    frame = ws_frames[group][0]
    assert isinstance(example, dict)
    assert set(example) <= set(frame), f"{template}: missing {set(example) - set(frame)}"
    extra = set(frame) - set(example)
    assert extra <= OPTIONAL_ENVELOPE, f"{template}: unexpected {extra}"
    assert not ({"sn", "id"} <= set(frame)), f"{template}: carries both sn and id"


def test_only_the_expected_groups_arrived(ws_frames: dict[Group, list[dict[str, Any]]]) -> None:
    """A subject or event type the list above does not know would go unchecked."""
    assert set(ws_frames) <= EXPECTED, set(ws_frames) - EXPECTED
