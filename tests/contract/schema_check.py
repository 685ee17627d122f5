"""A small checker of a JSON value against an OpenAPI schema, strict where a client would break.

It reports, each with its place (``data.items[0].stopPrice``):
- a JSON type other than the schema's (string, number, integer, boolean, array, object; an
  integer passes as a number, a float never passes as an integer, a bool is neither);
- a value outside the schema's ``enum``; an array outside ``minItems``/``maxItems``;
- a declared property that is absent (required or not: an optional field the exchange never
  sends is still a gap, unless the caller allows that absence);
- a property the schema does not declare (an unknown extra).

Where the spec's example disagrees with its own schema, the example is what KuCoin sends
(spec/REFERENCE.md: "JSON shown below is copied from the spec examples"), so the example at the same
place is consulted before anything is reported: a null is fine where the example shows null, an
off-enum value is fine where the example shows that very value, and an undeclared property is
fine where the example carries it (with the example's JSON type). Everything else a caller
tolerates must be named in an ``Allowance``: places (``[]`` for any index, or one index) that
may be absent, and places that may carry other JSON types than the schema's (``null`` too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_INDEX = re.compile(r"\[\d+\]")
_MISSING = object()


@dataclass(frozen=True)
class Allowance:
    """What one reply may do beyond its schema, each entry justified where it is made."""

    absent: frozenset[str] = frozenset()  # places that may be missing
    kinds: Mapping[str, frozenset[str]] = field(default_factory=dict)  # place -> other types
    extra: frozenset[str] = frozenset()  # undeclared places that may be there

    def __or__(self, other: Allowance) -> Allowance:
        return Allowance(
            self.absent | other.absent,
            {**self.kinds, **other.kinds},
            self.extra | other.extra,
        )

    def may_be_absent(self, place: str) -> bool:
        return place in self.absent or generic(place) in self.absent

    def may_be(self, place: str, value: Any) -> bool:
        other = self.kinds.get(place) or self.kinds.get(generic(place)) or frozenset()
        return kind(value) in other or (kind(value) == "integer" and "number" in other)


NOTHING = Allowance()


def kind(value: Any) -> str:
    """The JSON type of a decoded value, in the spec's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def fits(value: Any, declared: str) -> bool:
    actual = kind(value)
    return actual == declared or (declared == "number" and actual == "integer")


def generic(place: str) -> str:
    """``data.items[3].price`` -> ``data.items[].price``: how allow-lists name a place."""
    return _INDEX.sub("[]", place)


def check(
    value: Any,
    schema: dict[str, Any],
    sample: Any = _MISSING,
    place: str = "data",
    allowed: Allowance = NOTHING,
) -> list[str]:
    """Every way ``value`` breaks ``schema``; ``sample`` is the spec's example at this place."""
    problems: list[str] = []
    _check(value, schema, sample, place, allowed, problems)
    return problems


def _check(
    value: Any,
    schema: dict[str, Any],
    sample: Any,
    place: str,
    allowed: Allowance,
    problems: list[str],
) -> None:
    declared = schema.get("type")
    if value is None:
        if declared in (None, "AnyType") or schema.get("nullable"):
            return
        if sample is None or allowed.may_be(place, None):
            return
        problems.append(f"{place} is null; the spec says {declared}")
        return
    if declared in (None, "AnyType") or allowed.may_be(place, value):
        return
    if not fits(value, declared):
        problems.append(f"{place} is {kind(value)} {value!r:.60}; the spec says {declared}")
        return
    enum = schema.get("enum")
    if enum is not None and value not in enum and value != sample:
        problems.append(f"{place} is {value!r}; the spec allows {enum}")
    if declared == "array":
        _check_array(value, schema, sample, place, allowed, problems)
    elif declared == "object":
        _check_object(value, schema, sample, place, allowed, problems)


def _check_array(
    value: list[Any],
    schema: dict[str, Any],
    sample: Any,
    place: str,
    allowed: Allowance,
    problems: list[str],
) -> None:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        problems.append(f"{place} has {len(value)} items; the spec says {low} to {high}")
    items = schema.get("items") or {}
    item_sample = _merged(sample) if isinstance(sample, list) and sample else _MISSING
    for index, item in enumerate(value):
        _check(item, items, item_sample, f"{place}[{index}]", allowed, problems)


def _check_object(
    value: dict[str, Any],
    schema: dict[str, Any],
    sample: Any,
    place: str,
    allowed: Allowance,
    problems: list[str],
) -> None:
    properties: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    samples = sample if isinstance(sample, dict) else {}
    for name, subschema in properties.items():
        where = f"{place}.{name}"
        if name not in value:
            if not allowed.may_be_absent(where):
                what = "required" if name in required else "declared"
                problems.append(f"{where} is missing ({what} by the spec)")
            continue
        _check(value[name], subschema, samples.get(name, _MISSING), where, allowed, problems)
    extra = schema.get("additionalProperties")
    for name in value.keys() - properties.keys():
        where = f"{place}.{name}"
        if isinstance(extra, dict):
            _check(value[name], extra, _MISSING, where, allowed, problems)
        elif name in samples:
            shown = samples[name]
            if shown is not None and value[name] is not None and not fits(value[name], kind(shown)):
                problems.append(
                    f"{where} is {kind(value[name])}; the spec's example shows "
                    f"{kind(shown)} (the schema does not declare it)"
                )
        elif extra is not True and not (where in allowed.extra or generic(where) in allowed.extra):
            problems.append(f"{where} is not in the spec (an unknown extra)")


def _merged(samples: list[Any]) -> Any:
    """One example item from all of them: the spec's list examples mix kinds (a cross and an
    isolated position), so a field shown by any item counts, and null where any shows null."""
    if not all(isinstance(item, dict) for item in samples):
        return samples[0]
    merged: dict[str, Any] = {}
    for item in samples:
        for name, value in item.items():
            if name not in merged or value is None:
                merged[name] = value
    return merged


def unexercised(value: Any, schema: dict[str, Any], place: str = "data") -> list[str]:
    """The lists of objects (or of lists) that came back empty: their item schema was never
    put to the test, so the state behind the request was not rich enough."""
    found: list[str] = []
    declared = schema.get("type")
    if declared == "array" and isinstance(value, list):
        items = schema.get("items") or {}
        if not value and items.get("type") in ("object", "array"):
            found.append(place)
        for index, item in enumerate(value):
            found += unexercised(item, items, f"{place}[{index}]")
    elif declared == "object" and isinstance(value, dict):
        for name, subschema in (schema.get("properties") or {}).items():
            if name in value:
                found += unexercised(value[name], subschema, f"{place}.{name}")
    return found
