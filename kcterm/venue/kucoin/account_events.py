"""KuCoin's account messages as the venue's typed values (kcterm.venue.events): the one place
that reads the field names of positions, balances, fills and funding.

- a position.change frame or a GET /api/v1/positions item -> PositionUpdate
  (spec/REFERENCE.md 7.15 and 8.3 Position); a change that names only some fields (a mark
  update) says which in `PositionUpdate.fields`
- a walletBalance.change frame -> BalanceUpdate (8.3 Wallet); GET /api/v1/account-overview
  -> BalanceUpdate (7.17)
- a GET /api/v1/recentFills or /api/v1/fills item -> Fill, with its fee (7.14)
- a GET /api/v1/funding-history page -> FundingPayment (7.x funding history)

A malformed item is logged and skipped: one bad row never hides the rest of a list, and a bad
frame never stops the feed. Nothing here keeps state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from kcterm.venue.events import BalanceUpdate, Fill, FundingPayment, PositionUpdate, Side

log = logging.getLogger("kcterm.venue.kucoin.account")

T = TypeVar("T")
ZERO = Decimal(0)

# Our PositionUpdate field <- KuCoin's name for it.
_POSITION_FIELDS = {
    "qty": "currentQty",
    "avg_entry_price": "avgEntryPrice",
    "mark_price": "markPrice",
    "liquidation_price": "liquidationPrice",
    "unrealised_pnl": "unrealisedPnl",
    "realised_pnl": "realisedPnl",
    "margin": "posMargin",
    "leverage": "leverage",
    "cross_margin": "marginMode",
    "settle_currency": "settleCurrency",
    "adl_rank": "delevPercentage",
    "inverse": "isInverse",
}


class Malformed(ValueError):
    """An item the adapter cannot read; the caller logs and skips it."""


def decimal(value: Any) -> Decimal:
    """A JSON number or string as an exact Decimal (a float by its shortest text)."""
    if isinstance(value, bool):
        raise Malformed(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        raise Malformed(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise Malformed(f"not a finite number: {value!r}")
    return number


def lots(value: Any) -> int:
    """A size in whole lots; "5", 5 and 5.0 are 5, 5.5 is malformed."""
    number = decimal(value)
    if number != number.to_integral_value():
        raise Malformed(f"not a whole number of lots: {value!r}")
    return int(number)


def stamp_ns(value: Any) -> int:
    """KuCoin times come in ns (tradeTime, ts), us or ms (createdAt, timePoint, timestamp):
    told apart by size. 0 when absent."""
    if value in (None, ""):
        return 0
    number = lots(value)
    if number > 10**17:
        return number
    if number > 10**14:
        return number * 1_000
    return number * 1_000_000


def _lenient_stamp_ns(value: Any) -> int:
    """A time that only dates a report: unreadable is unknown (0), not a reason to drop it."""
    try:
        return stamp_ns(value)
    except Malformed:
        return 0


def _side(value: Any) -> Side:
    try:
        return Side(str(value).lower())
    except ValueError:
        raise Malformed(f"not a side: {value!r}") from None


def _parsed(what: str, item: Any, parse: Callable[[Mapping[str, Any]], T]) -> T | None:
    if not isinstance(item, Mapping):
        log.warning("%s skipped: not an object: %.200r", what, item)
        return None
    try:
        return parse(item)
    except (Malformed, KeyError, TypeError, ValueError) as exc:
        log.warning("%s skipped (%s): %.300r", what, exc, item)
        return None


def _each(what: str, items: Any, parse: Callable[[Mapping[str, Any]], T]) -> list[T]:
    if items is None:
        return []
    if not isinstance(items, list):
        log.warning("%s list skipped: not a list: %.200r", what, items)
        return []
    return [value for item in items if (value := _parsed(what, item, parse)) is not None]


# -- positions ------------------------------------------------------------------------------


def _position(item: Mapping[str, Any]) -> PositionUpdate:
    symbol = item["symbol"]
    if not isinstance(symbol, str) or not symbol:
        raise Malformed(f"no symbol: {symbol!r}")
    present = frozenset(
        ours for ours, theirs in _POSITION_FIELDS.items() if item.get(theirs) is not None
    )

    def money(name: str) -> Decimal:
        value = item.get(name)
        return ZERO if value is None else decimal(value)

    adl = item.get("delevPercentage")
    stamp = item.get("currentTimestamp") or item.get("timestamp")
    return PositionUpdate(
        symbol=symbol,
        qty=lots(item.get("currentQty") or 0),
        avg_entry_price=money("avgEntryPrice"),
        mark_price=money("markPrice"),
        liquidation_price=money("liquidationPrice"),
        unrealised_pnl=money("unrealisedPnl"),
        realised_pnl=money("realisedPnl"),
        margin=money("posMargin"),
        leverage=money("leverage"),
        cross_margin=str(item.get("marginMode") or "ISOLATED").upper() == "CROSS",
        settle_currency=str(item.get("settleCurrency") or "USDT"),
        ts_ns=stamp_ns(stamp),
        adl_rank=None if adl is None else decimal(adl),
        inverse=bool(item.get("isInverse") or False),
        fields=present,
    )


def position_update(data: Any) -> PositionUpdate | None:
    """A position.change payload; None (logged) when it cannot be read."""
    return _parsed("position update", data, _position)


def position_frame(frame: Mapping[str, Any]) -> PositionUpdate | None:
    """The position feed's frame: a position.change carries a position; other subjects (a
    funding settlement note, for one) change none here."""
    if frame.get("subject") != "position.change":
        return None
    return position_update(frame.get("data"))


def positions_from_rest(items: Any) -> list[PositionUpdate]:
    """GET /api/v1/positions: every position the venue lists (closed ones have qty 0)."""
    return _each("position", items, _position)


# -- balances -------------------------------------------------------------------------------


def _wallet(data: Mapping[str, Any]) -> BalanceUpdate:
    def amount(*names: str) -> Decimal:
        return sum((decimal(data.get(n) or 0) for n in names), ZERO)

    cross = data.get("totalCrossMargin")
    return BalanceUpdate(
        currency=str(data.get("currency") or "USDT"),
        equity=amount("equity"),
        available=amount("availableBalance"),
        position_margin=amount("isolatedPosMargin", "crossPosMargin"),
        order_margin=amount("isolatedOrderMargin", "crossOrderMargin"),
        unrealised_pnl=amount("isolatedUnPnl", "crossUnPnl"),
        ts_ns=_lenient_stamp_ns(data.get("timestamp")),
        version=lots(data.get("version") or 0),
        cross_equity=None if cross is None else decimal(cross),
    )


def _overview(data: Mapping[str, Any]) -> BalanceUpdate:
    def amount(name: str) -> Decimal:
        return decimal(data.get(name) or 0)

    return BalanceUpdate(
        currency=str(data.get("currency") or "USDT"),
        equity=amount("accountEquity"),
        available=amount("availableBalance"),
        position_margin=amount("positionMargin"),
        order_margin=amount("orderMargin"),
        unrealised_pnl=amount("unrealisedPNL"),
        ts_ns=0,  # the overview says when it was taken nowhere
        risk_ratio=amount("riskRatio"),
    )


def balance_from_wallet(data: Any) -> BalanceUpdate | None:
    """A walletBalance.change payload; None (logged) when it cannot be read."""
    return _parsed("wallet update", data, _wallet)


def balance_from_overview(data: Any) -> BalanceUpdate | None:
    """GET /api/v1/account-overview; None (logged) when it cannot be read."""
    return _parsed("account overview", data, _overview)


# -- fills and funding ----------------------------------------------------------------------


def _fill(item: Mapping[str, Any]) -> Fill:
    trade_id = str(item["tradeId"] or "")
    if not trade_id:
        raise Malformed("no trade id")
    fee = item.get("fee")
    return Fill(
        trade_id=trade_id,
        order_id=str(item.get("orderId") or ""),
        symbol=str(item.get("symbol") or ""),
        side=_side(item.get("side")),
        price=decimal(item.get("price") or 0),
        size=lots(item.get("size") or 0),
        liquidity=str(item.get("liquidity") or ""),
        ts_ns=stamp_ns(item.get("tradeTime")) or stamp_ns(item.get("createdAt")),
        fee=None if fee in (None, "") else decimal(fee),
        fee_currency=str(item.get("feeCurrency") or item.get("settleCurrency") or ""),
        trade_type=str(item.get("tradeType") or "trade"),
    )


def fill_from_rest(item: Any) -> Fill | None:
    """One item of GET /api/v1/recentFills or /api/v1/fills; None (logged) when unreadable."""
    return _parsed("fill", item, _fill)


def fills_from_rest(items: Any) -> list[Fill]:
    """GET /api/v1/recentFills (a list) or a /api/v1/fills page (its `items`), newest first as
    the venue lists them."""
    if isinstance(items, Mapping):
        items = items.get("items")
    return _each("fill", items, _fill)


def _funding(item: Mapping[str, Any]) -> FundingPayment:
    symbol = item["symbol"]
    if not isinstance(symbol, str) or not symbol:
        raise Malformed(f"no symbol: {symbol!r}")
    payment_id = item["id"]
    if payment_id in (None, ""):
        raise Malformed("no id")
    return FundingPayment(
        payment_id=str(payment_id),
        symbol=symbol,
        ts_ns=stamp_ns(item.get("timePoint")),
        rate=decimal(item.get("fundingRate") or 0),
        amount=decimal(item.get("funding") or 0),
        currency=str(item.get("settleCurrency") or ""),
        position_qty=lots(item.get("positionQty") or 0),
        mark_price=decimal(item.get("markPrice") or 0),
    )


def funding_from_rest(page: Any) -> list[FundingPayment]:
    """A GET /api/v1/funding-history page (its `dataList`)."""
    if page is None:
        return []
    if not isinstance(page, Mapping):
        log.warning("funding history skipped: not an object: %.200r", page)
        return []
    return _each("funding payment", page.get("dataList"), _funding)
