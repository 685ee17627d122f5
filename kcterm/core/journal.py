"""The trading journal: every order action we send and every reply and event the exchange sends.

A bounded, append-only list with sequence numbers, so a view can tell "appended n, dropped m"
from the numbers alone and never has to redraw what it already shows.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kcterm.venue.errors import VenueError
from kcterm.venue.events import OrderEventKind, OrderUpdate


class EntryKind(StrEnum):
    ACTION = "action"  # something we asked the exchange to do
    REPLY = "reply"  # the exchange accepted it
    ERROR = "error"  # the exchange (or the network) refused it
    EVENT = "event"  # the private order feed reported a change
    INFO = "info"  # connection and loading notes


@dataclass(frozen=True, slots=True)
class JournalEntry:
    seq: int
    at: float  # wall-clock seconds
    kind: EntryKind
    symbol: str
    text: str
    code: str = ""  # KuCoin's error code, for errors


# Called with every new entry and the exchange's raw payload behind it, when there is one (the
# tradeOrders event of a fill, say): the on-disk journal (kcterm.journal_store) listens here.
JournalListener = Callable[[JournalEntry, Mapping[str, Any] | None], None]


class Journal:
    def __init__(self, maxlen: int = 5000) -> None:
        self.entries: deque[JournalEntry] = deque(maxlen=maxlen)
        self.version = 0
        self.error_count = 0  # ever recorded, including lines the bound dropped
        self._seq = 0
        self._listeners: list[JournalListener] = []

    def add_listener(self, listener: JournalListener) -> None:
        self._listeners.append(listener)

    def __len__(self) -> int:
        return len(self.entries)

    def add(
        self,
        kind: EntryKind,
        text: str,
        *,
        symbol: str = "",
        code: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> JournalEntry:
        self._seq += 1
        entry = JournalEntry(self._seq, time.time(), kind, symbol, text, code)
        self.entries.append(entry)
        self.version += 1
        if kind is EntryKind.ERROR:
            self.error_count += 1
        for listener in self._listeners:
            listener(entry, data)
        return entry

    def action(self, text: str, symbol: str = "") -> JournalEntry:
        return self.add(EntryKind.ACTION, text, symbol=symbol)

    def reply(self, text: str, symbol: str = "") -> JournalEntry:
        return self.add(EntryKind.REPLY, text, symbol=symbol)

    def event(
        self, text: str, symbol: str = "", data: Mapping[str, Any] | None = None
    ) -> JournalEntry:
        return self.add(EntryKind.EVENT, text, symbol=symbol, data=data)

    def info(self, text: str, symbol: str = "") -> JournalEntry:
        return self.add(EntryKind.INFO, text, symbol=symbol)

    def error(self, what: str, exc: VenueError, symbol: str = "") -> JournalEntry:
        """`what` failed: the trader's sentence first, then the exchange's own words."""
        sentence = exc.sentence
        detail = f" (exchange said: {exc.msg})" if exc.msg and exc.msg not in sentence else ""
        return self.add(
            EntryKind.ERROR, f"{what}: {sentence}{detail}", symbol=symbol, code=exc.code
        )

    def errors(self) -> list[JournalEntry]:
        return [e for e in self.entries if e.kind is EntryKind.ERROR]


def describe_order_update(update: OrderUpdate) -> str:
    """One journal line for an order event."""
    kind = update.kind
    order = f"{update.side.value} order {update.order_id}"
    price = f" @ {update.price}" if update.price else ""
    if kind is OrderEventKind.MATCH:
        return (
            f"Fill: {update.side.value} {update.match_size} @ {update.match_price} "
            f"({update.liquidity}), {order} filled {update.filled_size}/{update.size}"
        )
    if kind is OrderEventKind.OPEN:
        return f"Open: {order} {update.size}{price} is on the book"
    if kind is OrderEventKind.FILLED:
        return f"Filled: {order} {update.size}{price} done"
    if kind is OrderEventKind.CANCELED:
        return f"Cancelled: {order}, {update.filled_size}/{update.size} filled"
    if kind is OrderEventKind.UPDATE:
        return f"Updated: {order} size {update.old_size} -> {update.size}"
    return f"{kind.value}: {order} status {update.status}"
