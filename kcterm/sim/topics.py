"""The WebSocket topics the exchange serves, and their validation.

See spec/REFERENCE.md 8.2 and 8.3."""

from __future__ import annotations

from dataclasses import dataclass

from kcterm.sim.candles import WS_TYPES

CANDLE_TOPIC = "/contractMarket/limitCandle"  # its suffix is {symbol}_{type}, e.g. XBTUSDTM_1min

# prefix -> takes a symbol suffix
PUBLIC_TOPICS = {
    "/contractMarket/tickerV2": True,
    "/contractMarket/ticker": True,
    "/contractMarket/level2": True,
    "/contractMarket/execution": True,
    "/contractMarket/level2Depth5": True,
    "/contractMarket/level2Depth50": True,
    CANDLE_TOPIC: True,
    "/contract/instrument": True,
    "/contract/announcement": True,
    "/contractMarket/snapshot": True,
}
PRIVATE_TOPICS = {
    "/contractMarket/tradeOrders": None,  # None: with or without a symbol
    "/contractMarket/advancedOrders": False,
    "/contract/position": True,
    "/contract/positionAll": False,
    "/contractAccount/wallet": False,
    "/contract/marginMode": False,
    "/contract/crossLeverage": False,
}


@dataclass(frozen=True)
class TopicError(Exception):
    code: int  # a number in WS error frames, unlike REST
    text: str


def split_topic(topic: object, symbols: set[str], private_connection: bool) -> list[str]:
    """Expand ``/x:A,B`` into single-symbol topics after checking every part."""
    if not isinstance(topic, str) or not topic:
        raise TopicError(400, "topic is required")
    prefix, sep, suffix = topic.partition(":")
    private = prefix in PRIVATE_TOPICS
    if prefix not in PUBLIC_TOPICS and not private:
        raise TopicError(404, f"topic {topic} is not found")
    needs_symbol = PUBLIC_TOPICS.get(prefix) if not private else PRIVATE_TOPICS[prefix]
    if private and not private_connection:
        raise TopicError(401, f"topic {topic} needs a private connection")
    if not sep:
        if needs_symbol:
            raise TopicError(400, f"topic {topic} is invalid: a symbol is required")
        return [topic]
    if needs_symbol is False:
        raise TopicError(400, f"topic {topic} is invalid: it takes no symbol")
    parts = suffix.split(",")
    for part in parts:
        symbol, kind = part.rsplit("_", 1) if prefix == CANDLE_TOPIC and "_" in part else (part, "")
        if symbol not in symbols:
            raise TopicError(400, f"topic {topic} is invalid: unknown symbol {symbol!r}")
        if prefix == CANDLE_TOPIC and kind not in WS_TYPES:
            raise TopicError(
                400,
                f"topic {topic} is invalid: the candle type must be one of {', '.join(WS_TYPES)}",
            )
    return [f"{prefix}:{part}" for part in parts]
