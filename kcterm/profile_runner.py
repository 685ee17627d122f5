"""Open a profile: its exchange (starting the embedded one when it is the practice profile),
the Session on it, and the on-disk journal that follows the session; close them again.

The composition root (kcterm.app) opens one profile at a time; switching profiles closes the
open one first. No Qt here.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kcterm.logging_setup import REDACTOR
from kcterm.profiles import Profile, SecretStore
from kcterm.venue.kucoin.signer import Credentials

# The session, the journal, the REST client (aiohttp) and asyncio are imported when a profile
# opens: kcterm.app launches the practice exchange through this module first
# (prelaunch_practice), and that must not wait for them.
if TYPE_CHECKING:
    import asyncio  # imported where used, after the practice exchange's launch

    from kcterm.core.session import Session
    from kcterm.journal_store import FillSync, JournalRecorder, JournalWriter
    from kcterm.profiles.connection_check import ConnectionReport

log = logging.getLogger("kcterm.profile_runner")
# open_profile waits this long at most for the public link's welcome before it returns: on
# loopback (practice) the handshake is over in a few ms, and the window, built next without
# yielding to the loop, is then built while the book's snapshot is on its way, not before the
# handshake even begins; a slow link costs the window no more than this.
LINK_WAIT_S = 0.1
LINK_POLL_S = 0.002


class MissingKeys(RuntimeError):
    """A live or custom profile without stored or environment keys; the text says what to set."""


@dataclass
class OpenedProfile:
    profile: Profile
    session: Session
    credentials: Credentials | None = None  # the session's key, for Test connection
    exchange: Any = None  # EmbeddedExchange (a child process), for the practice profile
    writer: JournalWriter | None = None
    recorder: JournalRecorder | None = None
    sync: FillSync | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def embedded_url(self) -> str | None:
        return self.exchange.base_url if self.exchange is not None else None

    async def close(self) -> None:
        import asyncio

        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.session.stop()
        if self.writer is not None:
            self.writer.close()
        if self.exchange is not None:
            self.exchange.stop()


def practice_state_path(reset: bool) -> Path:
    """The embedded exchange keeps the practice account here between sessions (a file of
    its own, so a kcterm-sim running beside kcterm never writes over it)."""
    import platformdirs

    path = Path(platformdirs.user_data_dir("kcterm", appauthor=False)) / "practice.sqlite"
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


_prelaunched: list[Any] = []  # at most one EmbeddedExchange, launched by prelaunch_practice()


def prelaunch_practice(*, seed: int = 7, reset: bool = False) -> Any:
    """Launch the practice exchange's child now, before Qt is even imported, so that it boots
    while the app sets up its window; the open_profile() that asks for the same configuration
    adopts it (any other one stops it)."""
    from kcterm.embedded import EmbeddedExchange, can_fork
    from kcterm.sim import SimConfig

    exchange = EmbeddedExchange(SimConfig(seed=seed, state_path=practice_state_path(reset)))
    exchange.launch(fork=can_fork())  # a fork sharing the app's asyncio and aiohttp, if safe
    _prelaunched.append(exchange)
    return exchange


def _adopt_prelaunched(config: Any) -> Any:
    found = None
    while _prelaunched:
        exchange = _prelaunched.pop()
        if found is None and exchange.config == config:
            found = exchange
        else:
            exchange.stop()
    return found


def endpoint(profile: Profile, secrets: SecretStore) -> tuple[str, Credentials]:
    """Where a remote profile's REST API is and the key to sign with (MissingKeys if none)."""
    found = secrets.load(profile)
    if found is None:
        raise MissingKeys(secrets.missing_help(profile))
    log.info("profile %s: key %r from the %s", profile.name, found.credentials, found.source)
    return profile.rest_url, found.credentials


async def open_profile(
    profile: Profile,
    secrets: SecretStore,
    symbols: list[str],
    *,
    seed: int = 7,
    reset_practice: bool = False,
    journal_dir: Path | None = None,
    journal: bool = True,
) -> OpenedProfile:
    from kcterm.core.bracket_links import bracket_links_path
    from kcterm.core.session import Session
    from kcterm.journal_store import journal_path
    from kcterm.venue.kucoin.rest import RestClient
    from kcterm.venue.kucoin.venue import KucoinVenue

    exchange = None
    if profile.needs_keys:
        base_url, credentials = endpoint(profile, secrets)
    else:
        from kcterm.embedded import EmbeddedExchange
        from kcterm.sim import SimConfig

        config = SimConfig(seed=seed, state_path=practice_state_path(reset=False))
        exchange = _adopt_prelaunched(config)
        if exchange is None:
            practice_state_path(reset_practice)
            exchange = EmbeddedExchange(config)
        # A child process (kcterm.embedded); the loop runs while it boots (~0.5 s).
        base_url = await exchange.start_async()
        cfg = exchange.config
        credentials = Credentials(cfg.key, cfg.secret, cfg.passphrase, cfg.key_version)
        REDACTOR.add(cfg.key, cfg.secret, cfg.passphrase)
    venue = KucoinVenue.open(RestClient(base_url, credentials))  # the one adapter today
    session = Session(venue, venue=profile.venue, profile_name=profile.slug)
    # Which SL/TP protects which entry survives a restart: known before the first order event,
    # and what changed while the app was down is settled right after the start.
    session.trading.keep_bracket_links(bracket_links_path(profile.slug, profile.venue, journal_dir))
    opened = OpenedProfile(profile, session, credentials, exchange)
    try:
        if journal:
            _attach_journal(opened, journal_path(profile.slug, journal_dir))
        await session.start(symbols)
        await session.trading.check_bracket_links()
    except BaseException:
        await opened.close()
        raise
    # The streams the session has just spawned: the public one's welcome first (bounded), so
    # that the snapshot is asked for before the caller builds its window.
    await _public_link_up(session, LINK_WAIT_S)
    return opened


async def _public_link_up(session: Session, bound_s: float) -> None:
    import asyncio

    from kcterm.venue.stream_status import StreamState

    loop = asyncio.get_running_loop()
    deadline = loop.time() + bound_s
    public = session.adapter.public
    await asyncio.sleep(0)
    while public.state is not StreamState.CONNECTED and loop.time() < deadline:
        await asyncio.sleep(LINK_POLL_S)
    for _ in range(3):  # the snapshot request its connect started goes out
        await asyncio.sleep(0)


def _attach_journal(opened: OpenedProfile, path: Path) -> None:
    from kcterm.journal_store import JournalRecorder, JournalWriter, follow_session

    session = opened.session
    writer = JournalWriter(path)
    writer.start()

    def contract(symbol: str) -> tuple[Decimal, bool] | None:
        found = session.contracts.get(symbol)
        if found is None:
            return None
        # Coin-margined (inverse) contracts settle in the base coin, not the quote currency.
        return found.multiplier, found.settle_currency != found.quote_currency

    recorder = JournalRecorder(writer, contract, journal=session.journal)  # conflicts shown
    opened.writer = writer
    opened.recorder = recorder
    opened.sync = follow_session(recorder, session)  # lines, feed fills, passes' fees/funding
    log.info("journal of profile %s: %s", opened.profile.name, path)


async def check_profile(
    profile: Profile,
    secrets: SecretStore,
    typed: Credentials | None = None,
    current: OpenedProfile | None = None,
) -> ConnectionReport:
    """Test connection for the settings dialog: typed keys first, else the stored ones."""
    from kcterm.profiles.connection_check import ConnectionReport, check_connection

    if not profile.needs_keys:
        if current is None or current.embedded_url is None:
            report = ConnectionReport()
            report.add("Embedded exchange", True, "kcterm starts it when this profile opens")
            return report
        return await check_connection(current.embedded_url, current.credentials)
    credentials = typed
    if credentials is None:
        found = secrets.load(profile)
        credentials = found.credentials if found is not None else None
    return await check_connection(profile.rest_url, credentials)
