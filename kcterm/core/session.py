"""One trading session on one venue: contracts, books, tickers, open orders and the streams.

The session owns state the UI reads; handlers only update it and bump version counters, so a
burst of messages costs a few dict writes and the UI repaints on its own frame timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kcterm.api.errors import KucoinError
from kcterm.api.rest import RestClient
from kcterm.api.stream import StreamState, WsStream
from kcterm.core.book import LevelTwoBook
from kcterm.core.contract import Contract
from kcterm.core.market import TickerState, TradeTape
from kcterm.core.orders import OpenOrders
from kcterm.core.validation import OrderDraft, OrderRequest, validate_order

log = logging.getLogger("kcterm.core.session")

ORDERS_TOPIC = "/contractMarket/tradeOrders"


@dataclass(frozen=True, slots=True)
class Notice:
    """A line for the user: what happened, in words, with KuCoin's code when there is one."""

    at: float
    level: str  # "info" | "error"
    text: str


class Session:
    def __init__(self, rest: RestClient, *, venue: str) -> None:
        self.rest = rest
        self.venue = venue  # "sim" | "live" | "custom"
        self.contracts: dict[str, Contract] = {}
        self.books: dict[str, LevelTwoBook] = {}
        self.tickers: dict[str, TickerState] = {}
        self.tapes: dict[str, TradeTape] = {}
        self.orders = OpenOrders()
        self.notices: deque[Notice] = deque(maxlen=500)
        self.notices_version = 0
        self.stream_states: dict[str, tuple[StreamState, str]] = {}
        self.streams_version = 0
        self.last_market_monotonic = 0.0
        self.public = WsStream(
            rest.bullet_public,
            private=False,
            name="public",
            on_state=self._state_setter("public"),
            on_connected=self._on_public_connected,
        )
        self.private = WsStream(
            rest.bullet_private,
            private=True,
            name="private",
            on_state=self._state_setter("private"),
            on_connected=self._on_private_connected,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._resyncing: set[str] = set()

    @property
    def is_live(self) -> bool:
        return self.venue == "live"

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, symbols: Iterable[str]) -> None:
        """Load contracts, measure the clock, open both streams and watch `symbols`."""
        await self.rest.sync_clock()
        for item in await self.rest.active_contracts():
            contract = Contract.from_api(item)
            self.contracts[contract.symbol] = contract
        self.private.subscribe(ORDERS_TOPIC, self._on_order_frame)
        for symbol in symbols:
            await self.watch(symbol)
        self._spawn(self.public.run())
        self._spawn(self.private.run())
        self.notify("info", f"Connected to {self.venue} at {self.rest.base_url}")

    async def stop(self) -> None:
        await self.public.close()
        await self.private.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.rest.close()

    async def watch(self, symbol: str) -> None:
        if symbol not in self.contracts:
            raise KeyError(f"unknown contract {symbol}")
        if symbol in self.books:
            return
        self.books[symbol] = LevelTwoBook(symbol)
        self.tickers[symbol] = TickerState(symbol)
        self.tapes[symbol] = TradeTape()
        try:
            self.tickers[symbol].on_rest_ticker(await self.rest.ticker(symbol))
        except KucoinError as exc:
            self.notify("error", f"Ticker for {symbol} unavailable: {exc.msg}")
        self.public.subscribe(f"/contractMarket/level2:{symbol}", self._on_level2_frame)
        self.public.subscribe(f"/contractMarket/tickerV2:{symbol}", self._on_ticker_frame)
        self.public.subscribe(f"/contractMarket/execution:{symbol}", self._on_execution_frame)
        if self.public.state is StreamState.CONNECTED:
            # Subscribed mid-connection: no on_connected will come, so fetch the snapshot now.
            self._schedule_resync(symbol)

    # -- trading ---------------------------------------------------------------------------

    def prepare(self, draft: OrderDraft) -> OrderRequest:
        """Validate a ticket against its contract; raises OrderRejected with the reason."""
        return validate_order(self.contracts[draft.symbol], draft)

    async def place(self, request: OrderRequest) -> str:
        """Send a validated order. The open-orders table changes when the feed confirms it."""
        try:
            reply = await self.rest.place_order(request.to_body())
        except KucoinError as exc:
            self.notify("error", f"Order rejected: {exc.msg} (KuCoin {exc.code})")
            raise
        price = f" @ {request.price_text}" if request.price_text else ""
        self.notify(
            "info",
            f"Sent {request.side} {request.size} {request.symbol} {request.order_type}{price}",
        )
        return str(reply["orderId"])

    async def cancel(self, order_id: str) -> None:
        try:
            await self.rest.cancel_order(order_id)
        except KucoinError as exc:
            self.notify("error", f"Cancel failed: {exc.msg} (KuCoin {exc.code})")
            raise
        self.notify("info", f"Cancel sent for order {order_id}")

    async def cancel_all(self, symbol: str) -> None:
        try:
            await self.rest.cancel_all(symbol)
        except KucoinError as exc:
            self.notify("error", f"Cancel all failed: {exc.msg} (KuCoin {exc.code})")
            raise
        self.notify("info", f"Cancel all sent for {symbol}")

    # -- stream handlers (no I/O here: update state, bump versions) ------------------------

    def _on_level2_frame(self, frame: dict[str, Any]) -> None:
        symbol = frame["topic"].rsplit(":", 1)[1]
        book = self.books.get(symbol)
        if book is None:
            return
        data = frame["data"]
        self.last_market_monotonic = time.monotonic()
        if book.on_increment(int(data["sequence"]), data["change"]):
            self._schedule_resync(symbol)

    def _on_ticker_frame(self, frame: dict[str, Any]) -> None:
        ticker = self.tickers.get(frame["data"].get("symbol", ""))
        if ticker is not None:
            ticker.on_ticker_v2(frame["data"])
            self.last_market_monotonic = time.monotonic()

    def _on_execution_frame(self, frame: dict[str, Any]) -> None:
        symbol = frame["data"].get("symbol", "")
        tape = self.tapes.get(symbol)
        if tape is None:
            return
        trade = tape.on_execution(frame["data"])
        self.tickers[symbol].on_trade(trade)
        self.last_market_monotonic = time.monotonic()

    def _on_order_frame(self, frame: dict[str, Any]) -> None:
        data = frame["data"]
        self.orders.apply_event(data)
        kind = data.get("type")
        if kind == "match":
            self.notify(
                "info",
                f"Fill: {data.get('side')} {data.get('matchSize')} {data.get('symbol')} "
                f"@ {data.get('matchPrice')} ({data.get('liquidity')})",
            )
        elif kind in ("open", "canceled", "filled"):
            self.notify("info", f"Order {data.get('orderId')} {kind}")

    # -- connection events -----------------------------------------------------------------

    async def _on_public_connected(self) -> None:
        # Every (re)connect starts the books from a fresh snapshot (REFERENCE section 9).
        for symbol, book in self.books.items():
            book.reset()
            self._schedule_resync(symbol)

    async def _on_private_connected(self) -> None:
        self._spawn(self._reload_orders())

    async def _reload_orders(self) -> None:
        try:
            self.orders.load_active(await self.rest.active_orders())
        except KucoinError as exc:
            self.notify("error", f"Could not load open orders: {exc.msg} (KuCoin {exc.code})")

    def _schedule_resync(self, symbol: str) -> None:
        if symbol not in self._resyncing:
            self._resyncing.add(symbol)
            self._spawn(self._resync(symbol))

    async def _resync(self, symbol: str) -> None:
        delay = 0.2
        try:
            while True:
                try:
                    snapshot = await self.rest.level2_snapshot(symbol)
                except KucoinError as exc:
                    log.warning("snapshot for %s failed: %s", symbol, exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                if not self.books[symbol].apply_snapshot(snapshot):
                    return
                await asyncio.sleep(0.05)  # let the increments after the gap arrive first
        finally:
            self._resyncing.discard(symbol)

    # -- helpers ---------------------------------------------------------------------------

    def notify(self, level: str, text: str) -> None:
        (log.warning if level == "error" else log.info)("%s", text)
        self.notices.append(Notice(time.time(), level, text))
        self.notices_version += 1

    def _state_setter(self, name: str):
        def setter(state: StreamState, detail: str) -> None:
            self.stream_states[name] = (state, detail)
            self.streams_version += 1

        return setter

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
