"""The typed REST calls narrow ``data`` to the shape the spec promises, or raise a KucoinError."""

import pytest

from kcterm.venue.kucoin.errors import ExchangeUnavailableError
from kcterm.venue.kucoin.replies import as_array, as_object, as_objects


def test_an_object_passes_through_unchanged():
    data = {"orderId": "1"}
    assert as_object(data, "GET", "/x") is data


@pytest.mark.parametrize("data", [None, [], "text", 3])
def test_anything_but_an_object_is_an_ambiguous_error_naming_the_request(data):
    with pytest.raises(ExchangeUnavailableError) as info:
        as_object(data, "POST", "/api/v1/orders")
    assert info.value.ambiguous  # 200000 was said: the order may exist, look it up
    assert info.value.path == "/api/v1/orders"
    assert "expected a JSON object" in info.value.msg


def test_null_is_the_empty_array_and_a_list_passes_through():
    rows = [[1, "2"]]
    assert as_array(None, "GET", "/x") == []
    assert as_array(rows, "GET", "/x") is rows
    assert as_objects(None, "GET", "/x") == []


def test_an_array_with_a_non_object_item_is_an_error():
    with pytest.raises(ExchangeUnavailableError, match="object in the array"):
        as_objects([{"a": 1}, 2], "GET", "/api/v1/positions")
    with pytest.raises(ExchangeUnavailableError, match="expected a JSON array"):
        as_array({"items": []}, "GET", "/api/v1/kline/query")
