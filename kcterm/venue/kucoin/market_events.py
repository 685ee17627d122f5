"""KuCoin market JSON -> the venue's typed values (kcterm.venue.events): the one place that
reads KuCoin's market-data field names, for frames (level2, tickerV2, execution, ticker,
instrument, snapshot; spec/REFERENCE.md 8.2, 9) and REST replies (contracts/active, ticker,
level2 snapshot, trade history, allTickers, klines; 7.2-7.6).

Every parser raises BadMarketData (a ValueError) for what cannot be true, with the reason in
words; the caller logs it and skips the message, so one bad frame never stops a feed.

Numbers must be plain: Decimal() and int() also take "1_00", " 5", "1e3", "NaN" and "inf",
none of which an exchange means. The level2 path is hot (thousands of changes a second): the
change string is split once and read in place, with no intermediate dict or list kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from kcterm.venue.events import (
    BookDelta,
    BookSnapshot,
    ContractSpec,
    DayStats,
    FundingRate,
    Kline,
    LastPrice,
    MarkIndex,
    Side,
    TickerSnapshot,
    TopOfBook,
    Trade,
)

_PRICE_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_INT_TEXT = re.compile(r"^[0-9]+$")
_SIDES = {"buy": Side.BUY, "sell": Side.SELL}
_MAX_PRICE_EXPONENT = 15  # no contract trades near 1e15; beyond it tick checks overflow


class BadMarketData(ValueError):
    """A level, a change, a snapshot or a field that cannot be true; the message says why."""


def to_decimal(value: Any) -> Decimal:
    """An exact Decimal from a JSON number or string. orjson reads `0.1` as the float 0.1;
    repr() of a float is its shortest round-trip text, so this recovers what the venue wrote."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


# -- the checked scalars (also used by the book's own tests) ---------------------------------


def parse_sequence(value: object) -> int:
    """A level2 or snapshot sequence: an int (never a bool) or its digits as text."""
    if isinstance(value, bool):
        raise BadMarketData(f"sequence {value!r} is a bool, not an integer")
    if isinstance(value, int):
        if value < 0:
            raise BadMarketData(f"sequence {value} is negative")
        return value
    if isinstance(value, str) and _INT_TEXT.match(value):
        return int(value)
    raise BadMarketData(f"sequence {value!r} is not an integer")


def parse_size(value: object) -> int:
    """A size in lots: a non-negative whole number (an int, a whole float, or digits)."""
    if isinstance(value, bool):
        raise BadMarketData(f"size {value!r} is a bool, not a number of lots")
    if isinstance(value, int):
        size = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise BadMarketData(f"size {value!r} is not a whole number of lots")
        size = int(value)
    elif isinstance(value, str) and _INT_TEXT.match(value):
        size = int(value)
    else:
        raise BadMarketData(f"size {value!r} is not a whole number of lots")
    if size < 0:
        raise BadMarketData(f"size {size} is negative")
    return size


def parse_price(value: object, tick_size: Decimal | None = None) -> Decimal:
    """A price: finite, above zero, in range, and a multiple of `tick_size` when given."""
    if isinstance(value, bool):
        raise BadMarketData(f"price {value!r} is a bool")
    if isinstance(value, str):
        if not _PRICE_TEXT.match(value):
            raise BadMarketData(f"price {value!r} is not a plain decimal number")
        price = Decimal(value)
    elif isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise BadMarketData(f"price {value!r} is not finite")
        price = to_decimal(value)
        if not price.is_finite():
            raise BadMarketData(f"price {value!r} is not finite")
    else:
        raise BadMarketData(f"price {value!r} is not a number")
    if price <= 0:
        raise BadMarketData(f"price {price} is not above zero")
    if price.adjusted() >= _MAX_PRICE_EXPONENT:
        raise BadMarketData(f"price {price} is beyond any contract's range")
    if tick_size is not None and price % tick_size != 0:
        raise BadMarketData(f"price {price} is not on the tick grid of {tick_size}")
    return price


def _optional_decimal(value: Any) -> Decimal | None:
    """A number that may be missing or unreadable (statistics): None rather than a refusal."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = to_decimal(value)
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite() else None


def _side(value: object) -> Side:
    side = _SIDES.get(value) if isinstance(value, str) else None
    if side is None:
        raise BadMarketData(f"side {value!r} is neither buy nor sell")
    return side


def _int(value: Any, default: int = 0) -> int:
    if value in (None, "") or isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadMarketData(f"{value!r} is not an integer") from None


# -- frames ----------------------------------------------------------------------------------


# The texts of prices and sizes already read, with their values: a book's changes come back
# to the same few hundred prices and sizes, so most changes are read by two dict lookups
# (each text was checked when it was first seen). Forgotten all at once beyond this many.
_PRICES: dict[str, Decimal] = {}
_SIZES: dict[str, int] = {}
_MAX_REMEMBERED = 1 << 14
_NS_PER_MS = 1_000_000

# What a level2 handler hands each change to: venue.market.BookChanges.change's arguments
# (sequence, side, price, size, ts_ns).
Change = Callable[[int, Side, Decimal, int, int], object]


def book_delta(
    symbol: str, sequence: object, change: object, timestamp: object = None
) -> BookDelta:
    """One level2 message (`data.sequence`, `data.change` "price,side,size", `data.timestamp`
    in ms; REFERENCE §9). The time is the venue's word only: one that is not a whole number
    of ms is no time (ts_ns 0), not a reason to lose the change."""
    seq = sequence if type(sequence) is int and sequence >= 0 else parse_sequence(sequence)
    if type(change) is not str:
        raise BadMarketData(f"change {change!r} is not text")
    parts = change.split(",")
    if len(parts) != 3:
        raise BadMarketData(f"change {change!r} is not price,side,size")
    price_text, side_text, size_text = parts
    side = _SIDES.get(side_text)
    if side is None:
        raise BadMarketData(f"change {change!r}: unknown side {side_text!r}")
    size = _SIZES.get(size_text)
    if size is None:
        if not (size_text.isascii() and size_text.isdigit()):
            raise BadMarketData(f"change {change!r}: size {size_text!r} is not a whole number")
        size = int(size_text)
        if len(_SIZES) >= _MAX_REMEMBERED:
            _SIZES.clear()
        _SIZES[size_text] = size
    price = _PRICES.get(price_text)
    if price is None:
        # Plain digits with at most one inner point ("1_00", "1e3", " 5", "NaN", ".5" are not).
        digits = price_text.replace(".", "", 1)
        if not (
            digits.isascii() and digits.isdigit() and price_text[0] != "." and price_text[-1] != "."
        ):
            raise BadMarketData(f"change {change!r}: price {price_text!r} is not a plain number")
        price = Decimal(price_text)
        if not price or price.adjusted() >= _MAX_PRICE_EXPONENT:
            raise BadMarketData(f"change {change!r}: price {price} is out of range")
        if len(_PRICES) >= _MAX_REMEMBERED:
            _PRICES.clear()
        _PRICES[price_text] = price
    ts_ns = timestamp * _NS_PER_MS if type(timestamp) is int else 0
    return BookDelta(symbol, seq, side, price, size, ts_ns)


def level2_frame(symbol: str, frame: dict[str, Any]) -> BookDelta:
    data = frame.get("data") if isinstance(frame, dict) else None
    if not isinstance(data, dict):
        raise BadMarketData("level2 frame without a data object")
    return book_delta(symbol, data.get("sequence"), data.get("change"), data.get("timestamp"))


def level2_handler(
    symbol: str, change: Change, refused: Callable[[str], None]
) -> Callable[[dict[str, Any]], None]:
    """The handler of one symbol's level2 frames: each read as level2_frame reads it and its
    fields handed to `change` (venue.market.BookChanges.change), or, when it cannot be read,
    the reason handed to `refused`.

    The feed's hot path, so book_delta's reading is inlined for the usual frame: an int
    sequence and time, and a change whose three texts were all read (and checked) before,
    cost three subscripts, a split, two dict lookups and the call; no value is built. Anything
    else is read by level2_frame, with every check."""
    prices, sizes = _PRICES.get, _SIZES.get
    buy, sell = Side.BUY, Side.SELL

    def on_frame(frame: dict[str, Any]) -> None:
        try:
            data = frame["data"]
            sequence = data["sequence"]
            price_text, side_text, size_text = data["change"].split(",")
            stamp = data["timestamp"]
            price = prices(price_text)
            size = sizes(size_text)
            side = buy if side_text == "buy" else sell if side_text == "sell" else None
        except Exception:
            side = None
        if (
            side is None
            or price is None
            or size is None
            or type(sequence) is not int
            or type(stamp) is not int
            or sequence < 0
        ):
            try:
                delta = level2_frame(symbol, frame)
            except BadMarketData as exc:
                refused(str(exc))
                return
            change(delta.sequence, delta.side, delta.price, delta.size, delta.ts_ns)
        else:
            change(sequence, side, price, size, stamp * 1_000_000)

    return on_frame


def top_of_book(data: Any) -> TopOfBook:
    """tickerV2 data, or the touch of GET /api/v1/ticker. A missing side is price 0, size 0."""
    if not isinstance(data, dict):
        raise BadMarketData("ticker data is not an object")
    try:
        return TopOfBook(
            symbol=str(data.get("symbol") or ""),
            sequence=_int(data.get("sequence")),
            best_bid=_optional_decimal(data.get("bestBidPrice")) or Decimal(0),
            best_bid_size=_int(data.get("bestBidSize")),
            best_ask=_optional_decimal(data.get("bestAskPrice")) or Decimal(0),
            best_ask_size=_int(data.get("bestAskSize")),
            ts_ns=_int(data.get("ts")),
        )
    except (ArithmeticError, TypeError) as exc:
        raise BadMarketData(f"ticker data unreadable: {exc}") from None


def trade(data: Any) -> Trade:
    """An execution frame's data, or one item of GET /api/v1/trade/history (ts in ns)."""
    if not isinstance(data, dict):
        raise BadMarketData("trade data is not an object")
    try:
        return Trade(
            symbol=str(data.get("symbol") or ""),
            trade_id=str(data.get("tradeId") or ""),
            side=_side(data.get("side")),
            price=parse_price(data.get("price")),
            size=parse_size(data.get("size")),
            ts_ns=_int(data.get("ts")),
        )
    except (ArithmeticError, TypeError) as exc:
        raise BadMarketData(f"trade unreadable: {exc}") from None


def last_price(data: Any) -> LastPrice | None:
    """A `ticker` frame, an allTickers item or a REST ticker: the last trade (None: none)."""
    if not isinstance(data, dict):
        return None
    symbol = data.get("symbol")
    price = _optional_decimal(data.get("price"))
    if not symbol or not price or price < 0:
        return None
    return LastPrice(str(symbol), price, _SIDES.get(data.get("side") or ""))


def instrument(symbol: str, subject: str, data: Any) -> MarkIndex | FundingRate | None:
    """An `instrument` frame: mark and index prices, or the funding rate (None: another)."""
    if not isinstance(data, dict):
        return None
    ts_ms = _optional_decimal(data.get("timestamp"))
    ts_ns = int(ts_ms) * 1_000_000 if ts_ms is not None else 0
    if subject == "mark.index.price":
        return MarkIndex(
            symbol,
            _optional_decimal(data.get("markPrice")),
            _optional_decimal(data.get("indexPrice")),
            ts_ns,
        )
    if subject == "funding.rate":
        rate = _optional_decimal(data.get("fundingRate"))
        return None if rate is None else FundingRate(symbol, rate, ts_ns)
    return None


def day_stats_frame(data: Any) -> DayStats | None:
    """A `snapshot` frame (snapshot.24h): the day's statistics."""
    if not isinstance(data, dict) or not data.get("symbol"):
        return None
    return DayStats(
        symbol=str(data["symbol"]),
        last=_optional_decimal(data.get("lastPrice")),
        open_24h=_optional_decimal(data.get("price24HoursBefore")),
        volume=_optional_decimal(data.get("volume")),
        turnover=_optional_decimal(data.get("turnover")),
    )


# -- REST replies ------------------------------------------------------------------------------


def book_snapshot(symbol: str, data: Any) -> BookSnapshot:
    """GET /api/v1/level2/snapshot: refused whole when any level cannot be true."""
    if not isinstance(data, dict):
        raise BadMarketData(f"a snapshot is an object, not {type(data).__name__}")
    if "sequence" not in data:
        raise BadMarketData("no sequence")
    sequence = parse_sequence(data["sequence"])
    sides: list[tuple[tuple[Decimal, int], ...]] = []
    for name in ("bids", "asks"):
        levels = data.get(name) or []
        if not isinstance(levels, list):
            raise BadMarketData(f"{name} is not a list")
        side: list[tuple[Decimal, int]] = []
        for level in levels:
            if not isinstance(level, (list, tuple)) or len(level) < 2:
                raise BadMarketData(f"{name} level {level!r} is not [price, size]")
            size = parse_size(level[1])
            price = parse_price(level[0])
            if size:  # a level of nothing is no level
                side.append((price, size))
        sides.append(tuple(side))
    return BookSnapshot(symbol, sequence, sides[0], sides[1])


def ticker_snapshot(data: Any) -> TickerSnapshot:
    """GET /api/v1/ticker: the touch and the last trade in one reply."""
    return TickerSnapshot(top_of_book(data), last_price(data))


def trades(items: Iterable[Any]) -> list[Trade]:
    """GET /api/v1/trade/history; an item that cannot be read is left out."""
    out: list[Trade] = []
    for item in items:
        try:
            out.append(trade(item))
        except BadMarketData:
            continue
    return out


def day_stats(item: dict[str, Any]) -> DayStats:
    """One object of GET /api/v1/contracts/active, its market side (REFERENCE §7.2)."""
    return DayStats(
        symbol=str(item["symbol"]),
        last=_optional_decimal(item.get("lastTradePrice")),
        change=_optional_decimal(item.get("priceChg")),
        change_fraction=_optional_decimal(item.get("priceChgPct")),
        volume=_optional_decimal(item.get("volumeOf24h")),
        turnover=_optional_decimal(item.get("turnoverOf24h")),
        funding_rate=_optional_decimal(item.get("fundingFeeRate")),
        mark=_optional_decimal(item.get("markPrice")),
        index=_optional_decimal(item.get("indexPrice")),
    )


def contract_spec(data: dict[str, Any]) -> ContractSpec:
    """One object of GET /api/v1/contracts/active, its rules (REFERENCE §7.2). KuCoin gives
    an inverse contract's multiplier negated (-1: a lot is 1 USD); the spec keeps it positive."""

    def optional(name: str) -> Decimal | None:
        value = data.get(name)
        return None if value in (None, "") else to_decimal(value)

    try:
        return ContractSpec(
            symbol=str(data["symbol"]),
            base_currency=str(data.get("baseCurrency", "")),
            quote_currency=str(data.get("quoteCurrency", "")),
            settle_currency=str(data.get("settleCurrency", "")),
            tick_size=to_decimal(data["tickSize"]),
            lot_size=int(data.get("lotSize") or 1),
            multiplier=abs(to_decimal(data["multiplier"])),
            max_order_qty=int(data.get("maxOrderQty") or 1_000_000),
            max_price=to_decimal(data.get("maxPrice") or 1_000_000),
            max_leverage=int(data.get("maxLeverage") or 1),
            maker_fee_rate=to_decimal(data.get("makerFeeRate") or 0),
            taker_fee_rate=to_decimal(data.get("takerFeeRate") or 0),
            buy_limit=optional("buyLimit"),
            sell_limit=optional("sellLimit"),
            status=str(data.get("status", "Open")),
            maintain_margin=to_decimal(data.get("maintainMargin") or 0),
            is_inverse=bool(data.get("isInverse")),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise BadMarketData(f"contract {data.get('symbol')!r} unreadable: {exc!r}") from None


def klines(rows: Iterable[Any]) -> list[Kline]:
    """GET /api/v1/kline/query rows `[startMs, open, high, low, close, volume, ...]`."""
    out: list[Kline] = []
    for row in rows:
        if not isinstance(row, (list, tuple)) or len(row) < 6:
            continue
        try:
            values = [to_decimal(v) for v in row[1:6]]
            out.append(Kline(int(row[0]), *values))
        except (ArithmeticError, TypeError, ValueError):
            continue
    return out
