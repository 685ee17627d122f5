"""The request bodies kcterm sends for orders, checked against the spec's own requestBody
schemas (kcterm/spec/rest): every body the adapter writes (venue/kucoin/order_body.py), for
every order kind and flag the ticket offers and both TP/SL forms, names only fields the spec
declares, with the declared JSON type and one of the declared values, and carries every field
the spec requires (spec/REFERENCE.md 7.9: closeOrder lets side and size go)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.core.validation import validate_order
from kcterm.venue.events import Trigger
from kcterm.venue.kucoin.order_body import bracket_body, order_body
from tests.unit.test_core_order_kinds import MARKET, XBT, draft

JSON_TYPES = {"string": str, "integer": int, "boolean": bool}
CLOSE_ORDER_MAY_OMIT = {"side", "size"}  # spec/REFERENCE.md 7.9, the closeOrder row


def request_schema(spec_dir: Path, path: str) -> dict[str, Any]:
    document = json.loads((spec_dir / "rest" / "openapi-futures-order.json").read_text())
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    found = schema["schema"]
    return found["items"] if found.get("type") == "array" else found


def problems(body: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    declared = schema["properties"]
    found = []
    for key, value in body.items():
        if key not in declared:
            found.append(f"{key}: not in the spec")
            continue
        kind = declared[key].get("type")
        wanted = JSON_TYPES.get(kind)
        if wanted is None or type(value) is not wanted:  # bool is not an integer here
            found.append(f"{key}: {value!r} is not a JSON {kind}")
        if "enum" in declared[key] and value not in declared[key]["enum"]:
            found.append(f"{key}: {value!r} not one of {declared[key]['enum']}")
    omitted = set(schema.get("required") or []) - set(body)
    if body.get("closeOrder") is True:
        omitted -= CLOSE_ORDER_MAY_OMIT
    found.extend(f"{key}: required, missing" for key in sorted(omitted))
    return found


ORDERS = {
    "limit": draft(),
    "market": draft(order_type="market", price=""),
    "stop limit on mark": draft(
        order_type="stop_limit", price="50120", stop_price="50110", trigger=Trigger.MARK
    ),
    "stop market on index": draft(
        side="sell", order_type="stop_market", price="", stop_price="49000", trigger=Trigger.INDEX
    ),
    "post-only": draft(post_only=True),
    "reduce-only": draft(reduce_only=True),
    "hidden": draft(hidden=True),
    "iceberg": draft(size="10", iceberg=True, visible_size="2"),
    "IOC": draft(time_in_force="IOC"),
    "cross": draft(margin_mode="CROSS"),
    "close the position": draft(order_type="market", price="", size="", close_position=True),
}


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/orders/multi"])
@pytest.mark.parametrize("name", list(ORDERS))
def test_every_order_body_fits_the_spec(spec_dir: Path, path: str, name: str) -> None:
    body = order_body(validate_order(XBT, ORDERS[name], MARKET))
    assert problems(body, request_schema(spec_dir, path)) == []


@pytest.mark.parametrize("close_whole", [False, True])
@pytest.mark.parametrize(("sl", "tp"), [("49000", "53000"), ("49000", ""), ("", "53000")])
def test_every_tp_sl_body_fits_the_spec(
    spec_dir: Path, close_whole: bool, sl: str, tp: str
) -> None:
    plan = plan_bracket(
        XBT, direction="long", size=3, entry=Decimal(50000), stop_loss=sl, take_profit=tp,
        close_whole=close_whole,
    )  # fmt: skip
    body = bracket_body(plan.order(XBT))
    assert problems(body, request_schema(spec_dir, "/api/v1/st-orders")) == []


def test_the_check_finds_what_it_is_meant_to(spec_dir: Path) -> None:
    """Guards the guard: an unknown field, a wrong type, a value off the enum, a missing
    required field are each reported."""
    body = order_body(validate_order(XBT, draft(), MARKET))
    schema = request_schema(spec_dir, "/api/v1/orders")
    assert problems({**body, "qtty": "1"}, schema) == ["qtty: not in the spec"]
    assert problems({**body, "size": "3"}, schema) == ["size: '3' is not a JSON integer"]
    assert problems({**body, "leverage": True}, schema) == ["leverage: True is not a JSON integer"]
    assert problems({**body, "side": "long"}, schema) == ["side: 'long' not one of ['buy', 'sell']"]
    assert problems({k: v for k, v in body.items() if k != "symbol"}, schema) == [
        "symbol: required, missing"
    ]
    closing = order_body(replace(validate_order(XBT, draft(), MARKET), close_order=True))
    assert "side" not in closing and problems(closing, schema) == []
