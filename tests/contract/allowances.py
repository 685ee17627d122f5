"""Where a reply may go beyond its schema, and why. Every entry cites REFERENCE.md (which wins
where it states a quirk of the real API); the field names come from the spec wherever it can
say which ones are meant (its ``required`` lists, the REST position object), and are typed
here only where spec/REFERENCE.md names them itself. Anything not allowed here fails its test.
"""

from __future__ import annotations

from typing import Any

from tests.contract.schema_check import NOTHING, Allowance
from tests.contract.spec import Operation, Topic

# spec/REFERENCE.md 11: "stopPrice is typed integer / string / number in different order schemas;
# examples show null for non-stop orders". The exchange sends the string of the stopOrders
# list (or null) in every order object.
_STOP_PRICE = frozenset({"string", "number", "integer", "null"})
ORDER_OBJECTS = Allowance(
    kinds={place: _STOP_PRICE for place in ("data.stopPrice", "data[].stopPrice")}
    | {"data.items[].stopPrice": _STOP_PRICE}
)


def cross_positions(data: Any, item_schema: dict[str, Any], place: str) -> Allowance:
    """spec/REFERENCE.md 7.15: "A cross position carries only the common fields"; the isolated-only
    ones are exactly those the spec leaves out of ``required``."""
    optional = set(item_schema.get("properties", {})) - set(item_schema.get("required", ()))
    items = data if isinstance(data, list) else [data]
    absent = set()
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("marginMode") == "CROSS":
            where = f"{place}[{index}]" if isinstance(data, list) else place
            absent |= {f"{where}.{name}" for name in optional}
    return Allowance(absent=frozenset(absent))


def for_rest(op: Operation, data: Any) -> Allowance:
    if op.path in ("/api/v1/position", "/api/v1/positions"):
        items = op.data_schema.get("items", op.data_schema)
        return ORDER_OBJECTS | cross_positions(data, items, "data")
    return ORDER_OBJECTS  # it names stopPrice places only: the order objects


# spec/REFERENCE.md 8.2: /contract/instrument sends two subjects, each with its own fields,
# under one schema: mark.index.price {markPrice, indexPrice, granularity, timestamp} and
# funding.rate {granularity, fundingRate, timestamp}.
# spec/REFERENCE.md 8.3: position.settlement carries {fundingTime, qty, markPrice, fundingRate,
# fundingFee, ts, settleCurrency}; position.adjustRiskLimit {success, riskLimitLevel, msg};
# position.change the position object.
CARRIES = {
    "mark.index.price": {"markPrice", "indexPrice", "granularity", "timestamp"},
    "funding.rate": {"granularity", "fundingRate", "timestamp"},
    "position.settlement": {
        "fundingTime",
        "qty",
        "markPrice",
        "fundingRate",
        "fundingFee",
        "ts",
        "settleCurrency",
    },
    "position.adjustRiskLimit": {"success", "riskLimitLevel", "msg"},
}
POSITION_CHANGE_LACKS = (CARRIES["position.settlement"] | CARRIES["position.adjustRiskLimit"]) - {
    "markPrice",
    "settleCurrency",
    "riskLimitLevel",
}
# spec/REFERENCE.md 8.3: a match "carries matchPrice, matchSize, tradeId, liquidity, feeType"; an
# update "carries oldSize". Other events do without them.
MATCH_ONLY = {"matchPrice", "matchSize", "tradeId", "liquidity", "feeType"}
UPDATE_ONLY = {"oldSize"}
# spec/REFERENCE.md 8.3: "[old docs] triggered events also had triggerSuccess and error".
STOP_EXTRAS = Allowance(extra=frozenset({"data.triggerSuccess", "data.error"}))


def _absent(names: set[str] | frozenset[str]) -> Allowance:
    return Allowance(absent=frozenset(f"data.{name}" for name in names))


def for_topic(
    topic: Topic, subject: str, kind: str, data: Any, rest_position: dict[str, Any]
) -> Allowance:
    """``rest_position``: the REST position object's schema (GET /api/v1/position)."""
    declared = set(topic.data_schema.get("properties", {}))
    if subject in CARRIES:
        return _absent(declared - CARRIES[subject])
    if subject == "position.change":
        # spec/REFERENCE.md 8.3: "position.change carries the position object (same field names as
        # REST) plus changeReason and riskLimitLevel".
        rest_fields = frozenset(f"data.{name}" for name in rest_position["properties"])
        lacks = _absent(declared & POSITION_CHANGE_LACKS)
        return (
            lacks | cross_positions(data, topic.data_schema, "data") | Allowance(extra=rest_fields)
        )
    if topic.prefix == "/contractMarket/tradeOrders":
        lacks = set()
        if kind != "match":
            lacks |= MATCH_ONLY
        if kind != "update":
            lacks |= UPDATE_ONLY
        return _absent(declared & lacks)
    if topic.prefix == "/contractMarket/advancedOrders":
        return STOP_EXTRAS
    return NOTHING
