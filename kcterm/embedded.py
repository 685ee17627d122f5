"""The embedded exchange, run on its own thread and event loop inside the kcterm process.

A separate loop keeps the exchange's matching and market simulation off the GUI loop, so a fast
simulated market cannot stall painting; client and exchange still meet only over loopback.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from kcterm.private_files import private_file
from kcterm.sim import SimConfig, SimExchange

log = logging.getLogger("kcterm.embedded")


class EmbeddedExchange:
    def __init__(self, config: SimConfig | None = None) -> None:
        self.exchange = SimExchange(config or SimConfig())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    @property
    def config(self) -> SimConfig:
        return self.exchange.config

    @property
    def base_url(self) -> str:
        return self.exchange.base_url

    def start(self, timeout: float = 15.0) -> str:
        """Start the exchange thread and return its REST base URL once it listens."""
        if self.config.state_path is not None:
            # The practice account's history is private too: 0600 before SQLite opens it.
            private_file(self.config.state_path)
        self._thread = threading.Thread(target=self._run, name="kcterm-sim", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise RuntimeError("the embedded exchange did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the embedded exchange failed to start: {self._error}")
        log.info("embedded exchange listening at %s", self.base_url)
        return self.base_url

    def stop(self, timeout: float = 10.0) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self.exchange.stop(), loop)
        try:
            future.result(timeout)
        except Exception:
            log.exception("embedded exchange did not stop cleanly")
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout)
        self._loop = None

    def call(self, coro_factory, timeout: float = 10.0):
        """Run a coroutine on the exchange loop from another thread (tests and drills)."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro_factory(), self._loop).result(timeout)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.exchange.start())
        except BaseException as exc:  # reported to start(), which raises it in the caller
            self._error = exc
            self._started.set()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()
