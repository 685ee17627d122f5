"""SimExchange: the embedded KuCoin Futures venue on one aiohttp server (REST and WebSocket).

It runs on whatever event loop starts it: the test's own loop, a thread of the kcterm process
(kcterm.embedded), or the `kcterm-sim` command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from kcterm.sim.auth import GENERAL, ApiKey, KeyStore
from kcterm.sim.clock import Clock
from kcterm.sim.config import READ_ONLY_KEY, SimConfig
from kcterm.sim.drills import Drills
from kcterm.sim.engine import Engine
from kcterm.sim.faults import FaultState
from kcterm.sim.feeds import MarketFeeds
from kcterm.sim.gateway import gateway
from kcterm.sim.http import Endpoints, KucoinRunner
from kcterm.sim.market import SyntheticMarket
from kcterm.sim.ratelimit import FUTURES, PUBLIC, RateLimiter
from kcterm.sim.routes_account import AccountRoutes
from kcterm.sim.routes_admin import AdminRoutes
from kcterm.sim.routes_batch import BatchRoutes
from kcterm.sim.routes_positions import PositionRoutes
from kcterm.sim.routes_public import PublicRoutes
from kcterm.sim.routes_trading import TradingRoutes
from kcterm.sim.specs import listed_contracts
from kcterm.sim.store import StateStore
from kcterm.sim.ws import Hub

log = logging.getLogger("kcterm.sim")

DEMO_USER = "6530c0de00000000000de001"


class SimExchange:
    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = cfg = config or SimConfig()
        self.clock = Clock()
        listed = listed_contracts(cfg.contracts, cfg.listings)
        symbols = {c.symbol for c in listed}
        self.faults = FaultState(seed=cfg.seed)
        self.limiter = RateLimiter(
            {PUBLIC: cfg.public_quota, FUTURES: cfg.futures_quota},
            default_quota=cfg.futures_quota,
            window_ms=cfg.rate_window_ms,
        )
        self.hub = Hub(
            symbols,
            cfg.ping_interval_ms,
            cfg.ping_timeout_ms,
            faults=self.faults,
            clock=self.clock,
            inbound_limit=cfg.ws_inbound_limit,
            inbound_window_ms=cfg.ws_inbound_window_ms,
            token_lifetime_ms=cfg.ws_token_lifetime_ms,
        )
        self.drills = Drills(self.faults, self.hub, self.limiter, self.clock, symbols)
        self.drills.start_with(cfg)
        self.engine = Engine(listed, self.hub, self.clock)
        self.market = SyntheticMarket(self.engine, cfg.seed, churn=cfg.churn)
        self.feeds = MarketFeeds(
            self.engine.markets, self.hub, self.clock, cfg.seed, cfg.funding_interval_s
        )
        self.funding = self.feeds.funding  # add_listener(cb(symbol, rate, time)) at settlements
        self.funding.add_listener(self.engine.clearing.settle_funding)  # positions pay here
        self.keys = KeyStore()
        whitelist = frozenset(cfg.ip_whitelist)
        self.keys.add(
            ApiKey(
                cfg.key,
                cfg.secret,
                cfg.passphrase,
                cfg.key_version,
                DEMO_USER,
                ip_whitelist=whitelist,
            )
        )
        self.keys.add(
            ApiKey(
                READ_ONLY_KEY,
                cfg.secret,
                cfg.passphrase,
                cfg.key_version,
                DEMO_USER,
                permissions=frozenset({GENERAL}),
                ip_whitelist=whitelist,
            )
        )
        self.engine.clearing.open_account(DEMO_USER, cfg.balance, cfg.wallets)
        self._runner: KucoinRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._feeds: asyncio.Task[None] | None = None
        self._autosave: asyncio.Task[None] | None = None
        self.store: StateStore | None = None
        self._saved_at = (0, 0)
        self.base_url = ""
        self.ws_url = ""

    def __repr__(self) -> str:
        return f"SimExchange({self.base_url or 'not started'}, key={self.config.key!r})"

    async def start(self) -> str:
        """Listen on the configured address; returns the REST base URL."""
        if self.config.state_path is not None:
            self.store = StateStore(self.config.state_path)
            self.store.load(self.engine, self.market)  # before the provider fills the books
            self._saved_at = self._change_stamp()
            self.funding.add_listener(lambda *_: self.persist_if_changed())  # after settling
            self._autosave = asyncio.ensure_future(self._run_autosave())
        self.market.seed_books()
        endpoints = Endpoints(
            self.keys,
            self.clock,
            self.config.timestamp_window_ms,
            self.limiter,
            self.faults.counters,
            on_write=self.persist if self.store is not None else None,
        )
        app = web.Application(
            middlewares=[gateway(endpoints, self.faults)], client_max_size=256 * 1024
        )
        self._add_routes(app, endpoints)
        self._runner = KucoinRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        # A TCPSite's server is an asyncio.Server (AbstractServer, its declared type, has no
        # sockets).
        server = site._server
        sockets = server.sockets if isinstance(server, asyncio.Server) else ()
        host, port = sockets[0].getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        self.ws_url = f"ws://{host}:{port}/"
        if self.config.market:
            self._ticker = asyncio.ensure_future(self._run_market())
        self._feeds = asyncio.ensure_future(self.feeds.run())  # market or not: time moves
        log.info("kcterm-sim listening at %s", self.base_url)
        return self.base_url

    def _add_routes(self, app: web.Application, endpoints: Endpoints) -> None:
        public = PublicRoutes(self.engine, self.hub)
        trading = TradingRoutes(self.engine, public)
        tables = (
            public.table()
            + trading.table()
            + AccountRoutes(self.engine).table()
            + PositionRoutes(self.engine).table()
            + BatchRoutes(self.engine).table()
        )
        for method, path, handler, private in tables:
            app.router.add_route(method, path, endpoints.wrap(handler, private=private))
        if self.config.admin:  # the sim's own drill switch, signed with the demo key
            for method, path, handler, private in AdminRoutes(self.drills).table():
                app.router.add_route(
                    method, path, endpoints.wrap(handler, private=private, admin=True)
                )
        app.router.add_get("/", self.hub.handle)

    async def stop(self) -> None:
        for task in (self._ticker, self._feeds, self._autosave):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.store is not None:
            self.store.save(self.engine, self.market)
            self.store.close()
            self.store = None
        await self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _run_market(self) -> None:
        while True:
            await asyncio.sleep(self.config.tick_interval)
            try:
                self.market.step()
                self.engine.after_step()
                self.persist_if_changed()  # fills of resting orders: on disk before pushed
            except Exception:  # the market must keep living whatever one step did
                log.exception("market step failed")

    # -- durability --------------------------------------------------------------------------

    def _change_stamp(self) -> tuple[int, int]:
        versions = sum(a.version for a in self.engine.clearing.accounts.values())
        return self.engine.mutations, versions

    def persist(self) -> None:
        """Write every change to disk now (after a REST call, before its answer leaves)."""
        if self.store is not None:
            self.store.flush(self.engine, self.market)
            self._saved_at = self._change_stamp()

    def persist_if_changed(self) -> None:
        """After a market step or a settlement: write only when a trader's state moved."""
        if self.store is not None and self._change_stamp() != self._saved_at:
            self.persist()

    async def _run_autosave(self) -> None:
        """A catch-all for changes made outside a call or a step, and the markets' levels
        (a restart resumes near the last price)."""
        while True:
            await asyncio.sleep(self.config.autosave_interval)
            try:
                self.persist()
            except Exception:  # a full disk must not stop the exchange; try again later
                log.exception("could not save the exchange's state")

    # -- for tests and drills ----------------------------------------------------------------

    async def step_market(self, steps: int = 1) -> None:
        """Advance the synthetic market by hand (with market=False nothing else moves it)."""
        for _ in range(steps):
            self.market.step()
            self.engine.after_step()
            self.persist_if_changed()
            await asyncio.sleep(0)

    def book(self, symbol: str) -> dict[str, Any]:
        """The exchange's own level2 book, as the snapshot endpoint would return it."""
        return self.engine.market(symbol).snapshot()
