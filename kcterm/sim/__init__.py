"""kcterm.sim: a KuCoin Futures exchange on loopback, for practice and for tests.

It speaks the real REST and WebSocket protocol and imports nothing else of kcterm: client and
exchange meet only on the wire.
"""

from kcterm.sim.config import SimConfig
from kcterm.sim.server import SimExchange

__all__ = ["SimConfig", "SimExchange"]
