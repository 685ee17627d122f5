"""The account's private feed, KuCoin side: the four private topics (orders, stop orders,
positions, wallet; spec/REFERENCE.md 8.3) subscribed on the private stream group, each frame
read once into the venue's typed value and published on the session's bus (core.bus).

An unreadable frame is logged and dropped here, never handed on; the feed keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kcterm.venue.kucoin.account_events import balance_from_wallet, position_frame
from kcterm.venue.kucoin.order_events import Unreadable, order_update, stop_order_update
from kcterm.venue.kucoin.stream_group import StreamGroup

log = logging.getLogger("kcterm.venue.kucoin.private")

ORDERS_TOPIC = "/contractMarket/tradeOrders"
STOPS_TOPIC = "/contractMarket/advancedOrders"
POSITIONS_TOPIC = "/contract/positionAll"
WALLET_TOPIC = "/contractAccount/wallet"
TOPICS = (ORDERS_TOPIC, STOPS_TOPIC, POSITIONS_TOPIC, WALLET_TOPIC)


class KucoinPrivateFeed:
    def __init__(self, private: StreamGroup) -> None:
        self._private = private

    def follow(self, publish: Callable[[object], None]) -> None:
        """Subscribe the private topics; every typed event goes to `publish` (the bus)."""

        def orders(frame: dict[str, Any]) -> None:
            data = frame.get("data")
            try:
                publish(order_update(data if isinstance(data, dict) else {}))
            except Unreadable as exc:
                log.warning("order event skipped, unreadable (%s): %.300r", exc, data)

        def stops(frame: dict[str, Any]) -> None:
            data = frame.get("data")
            try:
                publish(stop_order_update(data if isinstance(data, dict) else {}))
            except Unreadable as exc:
                log.warning("stop-order event skipped, unreadable (%s): %.300r", exc, data)

        def positions(frame: dict[str, Any]) -> None:
            update = position_frame(frame)  # None: not a position change, or unreadable
            if update is not None:
                publish(update)

        def wallet(frame: dict[str, Any]) -> None:
            update = balance_from_wallet(frame.get("data"))  # None: unreadable (logged)
            if update is not None:
                publish(update)

        self._private.subscribe(ORDERS_TOPIC, orders)
        self._private.subscribe(STOPS_TOPIC, stops)
        self._private.subscribe(POSITIONS_TOPIC, positions)
        self._private.subscribe(WALLET_TOPIC, wallet)
