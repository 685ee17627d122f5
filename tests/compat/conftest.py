"""Third-party KuCoin clients against kcterm-sim: shared setup.

Every test here is fenced to loopback: a connection (or a name look-up) to anything but
127.0.0.1 / ::1 / localhost is refused and recorded, and the test fails at teardown even when
the client swallowed the error. The clients are used unchanged; only their URLs and public
options are set, as a user pointing them at another KuCoin-compatible host would.

The packages come from the `compat` extra (`pip install -e ".[test,compat]"`, the README's test
command). They are imported plainly: a missing package is a failed test, never a skip.
"""

from __future__ import annotations

import ipaddress
import socket
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig, SimExchange

# The universal SDK's generated pydantic models trip pydantic's deprecation warnings when their
# classes are defined: importing them here once, quietly, keeps 40 lines of noise out of the run.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import kucoin_universal_sdk.api.client
    import kucoin_universal_sdk.generate.futures.order  # noqa: F401

SYMBOL = "XBTUSDTM"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class LoopbackFence:
    """Wraps socket.connect/connect_ex and getaddrinfo; what it refused is kept in `refused`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.refused: list[str] = []
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo

        def check_address(address: Any) -> None:
            if isinstance(address, tuple) and not _is_loopback(address[0]):
                self.refused.append(f"connect {address!r}")
                raise OSError(f"compat tests talk to loopback only, not {address!r}")

        def connect(sock: socket.socket, address: Any) -> None:
            check_address(address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            check_address(address)
            return real_connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and not _is_loopback(host):
                self.refused.append(f"getaddrinfo {host!r}")
                raise socket.gaierror(f"compat tests resolve loopback only, not {host!r}")
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackFence]:
    for name in ("NO_PROXY", "no_proxy"):  # an HTTP(S)_PROXY of the machine must not take
        monkeypatch.setenv(name, "127.0.0.1,localhost,::1")  # loopback calls elsewhere
    fence = LoopbackFence(monkeypatch)
    yield fence
    assert not fence.refused, f"a client tried to leave loopback: {fence.refused}"


@pytest.fixture
async def sim() -> AsyncIterator[SimExchange]:
    """A fresh exchange in the test's own loop (for asyncio clients). The book is seeded and
    stays put (market=False), so a market order fills against it and prices are stable."""
    exchange = SimExchange(SimConfig(port=0, market=False, seed=11))
    await exchange.start()
    yield exchange
    await exchange.stop()


@pytest.fixture
def threaded_sim() -> Iterator[EmbeddedExchange]:
    """A fresh exchange on its own thread (for synchronous clients, which block the caller)."""
    embedded = EmbeddedExchange(
        SimConfig(port=0, market=False, seed=11, ping_interval_ms=1000), in_process=True
    )  # in this process: tests read its book and hub, and call() on its loop
    embedded.start()
    yield embedded
    embedded.stop()
