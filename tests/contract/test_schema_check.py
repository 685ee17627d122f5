"""The checker and the spec reader themselves: each rule reports what it should, and only that."""

from __future__ import annotations

from tests.contract.schema_check import Allowance, check, unexercised
from tests.contract.spec import example, resolve

ORDER = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "size": {"type": "integer"},
        "price": {"type": "number"},
        "postOnly": {"type": "boolean"},
        "stop": {"type": "string", "enum": ["up", "down"]},
        "endAt": {"type": "integer"},
        "fills": {"type": "array", "items": {"type": "object", "properties": {}}},
    },
    "required": ["id", "size"],
}
GOOD = {"id": "1", "size": 3, "price": 1, "postOnly": False, "stop": "up", "endAt": 5, "fills": []}


def test_a_conforming_value_has_no_problems() -> None:
    assert check(GOOD, ORDER) == []
    assert check({**GOOD, "price": 1.5}, ORDER) == []  # an integer or a float is a number


def test_wrong_json_types_are_reported_with_their_place() -> None:
    assert check({**GOOD, "size": "3"}, ORDER) == ["data.size is string '3'; the spec says integer"]
    assert check({**GOOD, "size": 3.0}, ORDER) == ["data.size is number 3.0; the spec says integer"]
    assert check({**GOOD, "size": True}, ORDER)[0].startswith("data.size is boolean")
    assert check({**GOOD, "postOnly": 0}, ORDER)[0].startswith("data.postOnly is integer")
    assert check([GOOD], {"type": "array", "items": ORDER}) == []
    assert check([GOOD, {**GOOD, "id": 2}], {"type": "array", "items": ORDER}) == [
        "data[1].id is integer 2; the spec says string"
    ]


def test_missing_fields_required_or_not_and_unknown_extras() -> None:
    lean = {k: v for k, v in GOOD.items() if k not in ("size", "price")}
    assert check({**lean, "color": "red"}, ORDER) == [
        "data.size is missing (required by the spec)",
        "data.price is missing (declared by the spec)",
        "data.color is not in the spec (an unknown extra)",
    ]


def test_enums_and_nulls_follow_the_example_where_it_disagrees_with_the_schema() -> None:
    assert check({**GOOD, "stop": ""}, ORDER) == ["data.stop is ''; the spec allows ['up', 'down']"]
    assert check({**GOOD, "stop": ""}, ORDER, {"stop": ""}) == []  # the example shows ""
    assert check({**GOOD, "endAt": None}, ORDER) == ["data.endAt is null; the spec says integer"]
    assert check({**GOOD, "endAt": None}, ORDER, {"endAt": None}) == []
    # an undeclared field the example carries passes, with the example's type only
    assert check({**GOOD, "reason": "x"}, ORDER, {"reason": "y"}) == []
    assert check({**GOOD, "reason": 1}, ORDER, {"reason": "y"})[0].startswith("data.reason is int")


def test_list_examples_are_merged_so_any_item_can_vouch_for_a_field() -> None:
    schema = {"type": "array", "items": ORDER}
    sample = [{"id": "a"}, {"id": "b", "endAt": None}]
    assert check([{**GOOD, "endAt": None}], schema, sample) == []


def test_allowances_name_places_generically_or_exactly() -> None:
    lean = {k: v for k, v in GOOD.items() if k != "price"}
    assert check(lean, ORDER, allowed=Allowance(absent=frozenset({"data.price"}))) == []
    kinds = Allowance(kinds={"data[].size": frozenset({"string"})})
    assert check([{**GOOD, "size": "3"}], {"type": "array", "items": ORDER}, allowed=kinds) == []
    extra = Allowance(extra=frozenset({"data.color"}))
    assert check({**GOOD, "color": "red"}, ORDER, allowed=extra) == []
    one = Allowance(absent=frozenset({"data[1].price"}))
    items = [lean, lean]
    assert check(items, {"type": "array", "items": ORDER}, allowed=one) == [
        "data[0].price is missing (declared by the spec)"
    ]


def test_tuples_keep_their_length_and_any_type_is_any() -> None:
    level = {"type": "array", "items": {"type": "AnyType"}, "minItems": 2, "maxItems": 2}
    assert check(["1.5", 3], level) == []
    assert check(["1.5"], level) == ["data has 1 items; the spec says 2 to 2"]


def test_maps_check_their_values_by_additional_properties() -> None:
    modes = {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}}
    assert check({"XBTUSDTM": "CROSS"}, modes) == []
    assert check({"XBTUSDTM": 1}, modes) == ["data.XBTUSDTM is integer 1; the spec says string"]


def test_empty_lists_of_objects_are_unexercised() -> None:
    assert unexercised(GOOD, ORDER) == ["data.fills"]
    assert unexercised({**GOOD, "fills": [{}]}, ORDER) == []
    strings = {"type": "array", "items": {"type": "string"}}
    assert unexercised([], strings) == []  # nothing structured to check in there


def test_examples_are_unescaped_and_refs_resolved() -> None:
    assert example('{\\n    \\"code\\": \\"200000\\",\\n    \\"data\\": null\\n}') == {
        "code": "200000",
        "data": None,
    }
    document = {"components": {"schemas": {"Tick": {"type": "integer"}}}}
    node = {"properties": {"ts": {"$ref": "#/components/schemas/Tick"}}}
    assert resolve(node, document) == {"properties": {"ts": {"type": "integer"}}}
