"""Every REST endpoint the exchange serves answers with the shape its OpenAPI file declares:
JSON types, enums, every declared field present, nothing undeclared (spec/REFERENCE.md-backed
exceptions in allowances.py), and lists non-empty so their items were checked too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import allowances
from tests.contract.rest_cases import CASES, Case, Failure
from tests.contract.schema_check import check, unexercised
from tests.contract.spec import Operation, shape


def operation_for(case: Case, operations: dict[tuple[str, str], Operation]) -> Operation:
    by_shape = {(method, shape(path)): op for (method, path), op in operations.items()}
    op = by_shape.get((case.method, shape(case.template)))
    assert op is not None, f"the exchange serves {case.method} {case.template}: not in the spec"
    return op


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_reply_matches_the_spec(
    case: Case, rest_replies: dict[str, Any], operations: dict[tuple[str, str], Operation]
) -> None:
    op = operation_for(case, operations)
    data = rest_replies[case.id]
    assert not isinstance(data, Failure), f"the request failed: {data.text}"
    problems = check(data, op.data_schema, op.data_example, "data", allowances.for_rest(op, data))
    assert problems == [], f"{op.source}: {case.id}\n" + "\n".join(problems)
    empty = unexercised(data, op.data_schema)
    assert empty == [], f"empty lists, their items went unchecked: {empty}"


def test_every_case_is_one_the_harvest_ran(rest_replies: dict[str, Any]) -> None:
    ids = [case.id for case in CASES]
    assert len(set(ids)) == len(ids), "two cases share an id"
    assert set(rest_replies) == set(ids)
