"""Settings of one embedded exchange: where it listens, the demo key, the market's seed and pace."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import platformdirs

# The demo account's credentials are printed by `kcterm-sim` and used by `kcterm` on the sim
# venue. They guard nothing of value, but they are still treated as secrets in our logs.
DEMO_KEY = "kcterm-demo-key"
DEMO_SECRET = "kcterm-demo-secret"
DEMO_PASSPHRASE = "kcterm-demo-passphrase"
# A second key on the same demo account that may read but not trade (same secret and
# passphrase), for practising with, and testing, a key that lacks the permission (400007).
READ_ONLY_KEY = "kcterm-demo-readonly-key"


def default_state_path() -> Path:
    """Where kcterm-sim keeps its accounts: the user data directory of this platform."""
    return Path(platformdirs.user_data_dir("kcterm", appauthor=False)) / "sim-state.sqlite"


@dataclass(frozen=True)
class SimConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port (the bound one is SimExchange.base_url)
    key: str = DEMO_KEY
    secret: str = field(default=DEMO_SECRET, repr=False)
    passphrase: str = field(default=DEMO_PASSPHRASE, repr=False)
    key_version: str = "3"
    ip_whitelist: tuple[str, ...] = ()  # addresses the demo key works from (empty: any)
    balance: Decimal = Decimal("100000")  # the demo account's USDT
    # Its other wallets, as a KuCoin practice account is funded: margin for the USDC
    # perpetuals and the coin-margined (inverse) XBTUSDM and ETHUSDM.
    wallets: tuple[tuple[str, Decimal], ...] = (
        ("USDC", Decimal("10000")),
        ("XBT", Decimal("1")),
        ("ETH", Decimal("10")),
    )
    seed: int = 7
    market: bool = True  # False: the book is seeded but only moves by step_market() (tests)
    tick_interval: float = 0.2  # seconds between market steps
    state_path: Path | None = None  # SQLite file that keeps accounts across restarts; None: memory
    autosave_interval: float = 2.0  # seconds between catch-all writes (every call writes too)
    churn: int = 2  # provider quotes resized per side per step (more: a busier book)
    contracts: tuple[str, ...] = ()  # the symbols listed (empty: every contract in sim/specs)
    # Synthetic alt contracts listed after those (specs.synthetic_listings): the scale
    # benchmark's 50 contracts; 0 (the default) lists the real ones only.
    listings: int = 0
    ping_interval_ms: int = 18_000
    ping_timeout_ms: int = 10_000
    timestamp_window_ms: int = 5_000  # KC-API-TIMESTAMP tolerance (400002 beyond it)
    # Rate-limit pools (spec/REFERENCE.md 6.1): quota per window, Public per client IP and
    # Futures per API key (VIP0 figures); tests set small ones.
    public_quota: int = 2000
    futures_quota: int = 2000
    rate_window_ms: int = 30_000
    # messages one connection may send per window (spec/REFERENCE.md 6.4)
    ws_inbound_limit: int = 100
    ws_inbound_window_ms: int = 10_000
    ws_token_lifetime_ms: int = 24 * 3600 * 1000  # spec/REFERENCE.md 6.4 (tests shorten it)
    # Fault drills: the admin endpoint (POST/GET /sim/admin/drills, signed with the demo key)
    # and the drills in force from the start (kcterm-sim --delay-ms, --fail-rate, ...).
    admin: bool = True
    delay_ms: int = 0
    fail_rate: float = 0.0
    clock_skew_ms: int = 0
    # Funding settlements: None on the contracts' real 8 h boundaries; a number settles every
    # that many seconds of real time (practice sessions and tests see several).
    funding_interval_s: float | None = None
