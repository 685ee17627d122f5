"""The shapes of a successful reply's ``data``: a JSON object or a JSON array.

``RestClient.request`` returns the envelope's ``data`` exactly as parsed JSON (``Any``). The
typed calls narrow it here, once, so their callers get ``dict``/``list`` they can trust. A
reply of the wrong shape is a reply we could not understand: it becomes a KucoinError like an
unreadable body does (rest._unwrap), never an AttributeError further down. The error is the
ambiguous kind (as for a 5xx): the exchange said 200000, so the request may well have been
carried out, and the order gateway must look the order up rather than call it rejected.
"""

from __future__ import annotations

from typing import Any

from kcterm.venue.kucoin.errors import KucoinError, error_for

# Values inside stay Any: KuCoin's fields are numbers, strings, bools, nulls, nested objects,
# and each consumer reads the few it knows (spec/REFERENCE.md section 7).
JsonObject = dict[str, Any]
JsonArray = list[Any]


def _shape_error(data: object, expected: str, method: str, path: str) -> KucoinError:
    got = "null" if data is None else type(data).__name__
    msg = f"unexpected reply: data is {got}, expected a JSON {expected}"
    return error_for("500000", msg, 200, method=method, path=path)


def as_object(data: object, method: str, path: str) -> JsonObject:
    """``data`` as a JSON object; a KucoinError when it is anything else (null included)."""
    if not isinstance(data, dict):
        raise _shape_error(data, "object", method, path)
    return data


def as_array(data: object, method: str, path: str) -> JsonArray:
    """``data`` as a JSON array; null is the empty array; anything else is a KucoinError."""
    # Servers answer an empty list with ``data: null`` as well as ``[]``; callers always
    # treated the two alike (``or []``), so null stays "nothing" rather than an error.
    if data is None:
        return []
    if not isinstance(data, list):
        raise _shape_error(data, "array", method, path)
    return data


def as_objects(data: object, method: str, path: str) -> list[JsonObject]:
    """``data`` as a JSON array of objects (null: none); a KucoinError for any other shape."""
    items = as_array(data, method, path)
    for item in items:
        if not isinstance(item, dict):
            raise _shape_error(item, "object in the array", method, path)
    return items
