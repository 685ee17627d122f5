"""kcterm.sim: a KuCoin Futures exchange on loopback, for practice and for tests.

It speaks the real REST and WebSocket protocol and imports nothing else of kcterm: client and
exchange meet only on the wire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kcterm.sim.config import SimConfig

if TYPE_CHECKING:
    from kcterm.sim.server import SimExchange

__all__ = ["SimConfig", "SimExchange"]


def __getattr__(name: str) -> type[SimExchange]:
    # The server (aiohttp and the whole exchange) is imported when first asked for: a parent
    # that only launches the exchange's process reads SimConfig and no more.
    if name == "SimExchange":
        from kcterm.sim.server import SimExchange

        return SimExchange
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
