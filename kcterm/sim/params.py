"""Reading request fields the way KuCoin does: every bad field answers 400100 and names itself."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from kcterm.sim.errors import bad_param

# No price, amount or size on any contract comes near 10**15, none needs more than 18 decimal
# places or 28 significant digits. Anything else is refused before it is divided by a tick
# or a multiplier, where the 28-digit decimal context would overflow (and an integer of a
# billion digits would take minutes to build). Only exponents are compared: arithmetic on
# such a number would itself raise.
MAX_DIGITS_LEFT = 15
MIN_EXPONENT = -18
MAX_SIGNIFICANT = 28


def _out_of_range(number: Decimal) -> str | None:
    if number.adjusted() >= MAX_DIGITS_LEFT:
        return "is far too large"
    if number and number.adjusted() < MIN_EXPONENT:
        return "is far too small"
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT:
        return f"has more than {MAX_SIGNIFICANT} significant digits"
    return None


def text(
    body: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    default: str = "",
    max_len: int = 100,
    choices: tuple[str, ...] | None = None,
) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise bad_param(f"{name} is required")
        return default
    if not isinstance(value, str):
        raise bad_param(f"{name} must be a string")
    if len(value) > max_len:
        raise bad_param(f"{name} is longer than {max_len} characters")
    if choices is not None and value not in choices:
        raise bad_param(f"{name} must be one of {', '.join(choices)}")
    return value


def flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    # docs-new examples sometimes quote booleans
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise bad_param(f"{name} must be a boolean")


def whole(
    body: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    default: int = 0,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise bad_param(f"{name} is required")
        return default
    if isinstance(value, bool):
        raise bad_param(f"{name} must be an integer")
    try:
        number = Decimal(str(value)) if isinstance(value, str | int | float) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise bad_param(f"{name} must be an integer")
    if number.adjusted() >= MAX_DIGITS_LEFT:
        raise bad_param(f"{name} is far too large")
    result = int(number)
    if minimum is not None and result < minimum:
        raise bad_param(f"{name} must be at least {minimum}")
    if maximum is not None and result > maximum:
        raise bad_param(f"{name} must be at most {maximum}")
    return result


def decimal(body: dict[str, Any], name: str, *, required: bool = False) -> Decimal | None:
    """A price or amount: a JSON string (as KuCoin documents) or a number; never negative."""
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise bad_param(f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad_param(f"{name} must be a number in a string")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise bad_param(f"{name} must be a number") from None
    if not number.is_finite() or number <= 0:
        raise bad_param(f"{name} must be greater than 0")
    problem = _out_of_range(number)
    if problem is not None:
        raise bad_param(f"{name} {problem}")
    return number
