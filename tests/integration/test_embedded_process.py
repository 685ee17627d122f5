"""The practice exchange as a child process (kcterm.embedded): another pid, stopped with the
app, gone when its parent is killed, its state kept across a stop and a start, and a start
that fails says why in the parent."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kcterm.embedded import SIM_LOG_FILE, EmbeddedExchange
from kcterm.profile_runner import open_profile, practice_state_path, prelaunch_practice
from kcterm.profiles import Profile, SecretStore
from kcterm.profiles.profile import EMBEDDED, PRACTICE_NAME
from kcterm.sim import SimConfig
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"
REPO = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a reparented child may wait a moment for its
    new parent to reap it; it runs no more code meanwhile)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return stat.parent.exists()


def rest_of(exchange: EmbeddedExchange) -> RestClient:
    cfg = exchange.config
    return RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))


async def resting_buy(rest: RestClient, client_oid: str) -> str:
    reply = await rest.place_order(
        {
            "clientOid": client_oid,
            "symbol": SYMBOL,
            "side": "buy",
            "type": "limit",
            "price": "1000.0",  # far under the market: it rests
            "size": 1,
            "leverage": 5,
        }
    )
    return str(reply["orderId"])


async def open_order_ids(rest: RestClient) -> set[str]:
    page = await rest.request("GET", "/api/v1/orders", params={"status": "active"}, signed=True)
    return {item["id"] for item in page["items"]}


async def test_the_practice_profile_runs_its_exchange_in_a_child_process(tmp_path: Path) -> None:
    opened = await open_profile(
        Profile(PRACTICE_NAME, EMBEDDED), SecretStore(), [SYMBOL], journal_dir=tmp_path
    )
    exchange = opened.exchange
    pid = exchange.pid
    try:
        assert isinstance(exchange, EmbeddedExchange) and not exchange.in_process
        assert pid is not None and pid != os.getpid() and alive(pid)
        assert exchange.config.state_path == practice_state_path(reset=False)
        book = opened.session.market_data.books[SYMBOL]
        await wait_for(lambda: book.is_live and book.best_bid(), 10, "its book over loopback")
        with pytest.raises(RuntimeError, match="child process"):
            exchange.exchange  # noqa: B018  (nothing of it lives in this process)
    finally:
        await opened.close()
    assert not exchange.running and not alive(pid)
    assert practice_state_path(reset=False).stat().st_size > 0  # saved where it always was


async def test_the_exchange_launched_before_qt_is_the_one_the_profile_opens(
    tmp_path: Path,
) -> None:
    launched = prelaunch_practice(seed=3, reset=True)  # as kcterm.app does before Qt
    pid = launched.pid
    opened = await open_profile(
        Profile(PRACTICE_NAME, EMBEDDED),
        SecretStore(),
        [SYMBOL],
        seed=3,
        reset_practice=True,  # not done twice: the child has the database open by now
        journal_dir=tmp_path,
    )
    try:
        assert opened.exchange is launched and alive(pid)
    finally:
        await opened.close()
    assert not alive(pid)
    # A second open (a profile switch back to practice) starts a child of its own.
    again = await open_profile(
        Profile(PRACTICE_NAME, EMBEDDED), SecretStore(), [SYMBOL], seed=3, journal_dir=tmp_path
    )
    try:
        assert again.exchange is not launched and again.exchange.pid != pid
    finally:
        await again.close()


async def test_a_stop_leaves_no_child_and_a_restart_finds_the_state(tmp_path: Path) -> None:
    config = SimConfig(port=0, seed=4, market=False, state_path=tmp_path / "practice.sqlite")
    first = EmbeddedExchange(config)
    first.start()
    first_pid = first.pid
    assert first_pid is not None and alive(first_pid)
    rest = rest_of(first)
    try:
        order_id = await resting_buy(rest, "kept-1")
    finally:
        await rest.close()
    first.stop()
    assert not alive(first_pid) and first.base_url == ""

    second = EmbeddedExchange(config)
    second.start()
    rest = rest_of(second)
    try:
        assert second.pid != first_pid
        assert order_id in await open_order_ids(rest)
    finally:
        await rest.close()
        second.stop()


def test_a_port_in_use_is_reported_with_the_reason() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        exchange = EmbeddedExchange(SimConfig(port=port, market=False))
        with pytest.raises(RuntimeError, match=r"failed to start: OSError: .*in use") as failed:
            exchange.start()
    assert str(port) in str(failed.value)
    assert not exchange.running


def test_a_bad_state_file_is_reported_with_the_reason(tmp_path: Path) -> None:
    state = tmp_path / "practice.sqlite"
    state.write_bytes(b"this is no SQLite database, " * 100)
    exchange = EmbeddedExchange(SimConfig(market=False, state_path=state))
    with pytest.raises(RuntimeError, match="DatabaseError: file is not a database"):
        exchange.start()
    assert not exchange.running


PARENT = textwrap.dedent(
    """
    import logging
    import sys
    from pathlib import Path

    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim import SimConfig

    logging.basicConfig(level=logging.INFO)  # the child logs at its parent's level
    here = Path(sys.argv[1])
    exchange = EmbeddedExchange(
        SimConfig(market=False, state_path=here / "practice.sqlite"), log_dir=here
    )
    exchange.start()
    print(exchange.pid, flush=True)
    sys.stdin.read()  # until the test kills this process
    """
)


async def test_the_child_of_a_killed_parent_saves_and_exits(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert child != parent.pid and alive(child)
        parent.kill()  # SIGKILL on POSIX: no handler, no atexit, nothing of the parent runs
        parent.wait(10)
        await wait_for(lambda: not alive(child), 15, "the orphaned exchange to exit")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    log = (tmp_path / SIM_LOG_FILE).read_text()
    assert re.search(rf"child \(pid {child}\) stopped", log), log[-2000:]  # stopped, saved


async def test_an_open_cancelled_while_the_exchange_boots_leaves_no_child() -> None:
    exchange = EmbeddedExchange(SimConfig(market=False))
    opening = asyncio.ensure_future(exchange.start_async())
    await wait_for(lambda: exchange.pid is not None, 5, "the child to be launched")
    pid = exchange.pid
    assert pid is not None
    opening.cancel()  # at once: the child takes far longer than this to boot
    with pytest.raises(asyncio.CancelledError):
        await opening
    assert not exchange.running and not alive(pid)
