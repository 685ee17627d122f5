"""`kcterm-sim`: the embedded exchange on its own, for kcterm or any KuCoin Futures client."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kcterm.sim.config import (
    DEMO_KEY,
    DEMO_PASSPHRASE,
    DEMO_SECRET,
    READ_ONLY_KEY,
    SimConfig,
    default_state_path,
)
from kcterm.sim.server import SimExchange


def _balance(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError("the balance must be zero or more")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kcterm-sim",
        description="A KuCoin Futures exchange on this machine: real REST and WebSocket "
        "protocol, a synthetic market and a demo account.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--port", type=int, default=8600, help="port (0: any free port)")
    parser.add_argument("--key", default=DEMO_KEY, help="API key of the demo account")
    parser.add_argument("--secret", default=DEMO_SECRET, help="its API secret")
    parser.add_argument("--passphrase", default=DEMO_PASSPHRASE, help="its API passphrase")
    parser.add_argument(
        "--key-version",
        choices=("1", "2", "3"),
        default="3",
        help="the demo key's version: 2 and 3 send the HMAC-signed passphrase (either header "
        "value works), 1 the passphrase itself, as KuCoin's retired version-1 keys did",
    )
    parser.add_argument(
        "--ip-whitelist",
        default="",
        metavar="IP[,IP...]",
        help="addresses the demo keys work from (others get 400006); default: any",
    )
    parser.add_argument(
        "--balance",
        type=_balance,
        default=Decimal("100000"),
        help="USDT in the demo account (default 100000)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic market")
    parser.add_argument(
        "--tick",
        type=float,
        default=0.2,
        metavar="SECONDS",
        help="seconds between market steps (smaller: a faster market)",
    )
    parser.add_argument(
        "--churn",
        type=int,
        default=2,
        metavar="N",
        help="quotes the liquidity provider resizes per side per step (more: a busier book; "
        "with --tick 0.001 and --churn 12 the level2 feed runs at thousands of messages/s)",
    )
    parser.add_argument(
        "--listings",
        type=int,
        default=0,
        metavar="N",
        help="list N synthetic alt contracts (ALT01USDTM ...) after the real ones",
    )
    parser.add_argument(
        "--funding-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="settle funding every SECONDS of real time instead of every 8 hours",
    )
    state = parser.add_mutually_exclusive_group()
    state.add_argument(
        "--state",
        type=Path,
        default=default_state_path(),
        metavar="FILE",
        help="SQLite file that keeps accounts, positions and orders across restarts "
        "(default: %(default)s)",
    )
    state.add_argument("--memory", action="store_true", help="keep nothing after exit")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="forget the saved state and start with a fresh demo account",
    )
    drills = parser.add_argument_group(
        "fault drills", "rehearse a bad day; switch them at runtime with POST /sim/admin/drills"
    )
    drills.add_argument(
        "--no-admin",
        dest="admin",
        action="store_false",
        help="turn off the admin endpoint /sim/admin/drills (on by default; it needs the demo "
        "key's signature)",
    )
    drills.add_argument(
        "--delay-ms", type=int, default=0, metavar="MS", help="hold every REST reply MS ms"
    )
    drills.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="answer this fraction (0..1) of REST requests with HTTP 503",
    )
    drills.add_argument(
        "--clock-skew-ms",
        type=int,
        default=0,
        metavar="MS",
        help="run the exchange's clock MS ms ahead (negative: behind); unsynced clients get 400002",
    )
    drills.add_argument(
        "--rate-limit",
        type=int,
        default=2000,
        metavar="N",
        help="quota of every rate-limit pool per 30 s window (default 2000, KuCoin's VIP0)",
    )
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if args.tick <= 0:
        parser.error("--tick must be above zero")
    if not 0 <= args.delay_ms <= 60_000:
        parser.error("--delay-ms must be between 0 and 60000")
    if not 0 <= args.fail_rate <= 1:
        parser.error("--fail-rate must be between 0 and 1")
    if abs(args.clock_skew_ms) > 86_400_000:
        parser.error("--clock-skew-ms must be within a day")
    if args.rate_limit < 1:
        parser.error("--rate-limit must be at least 1")
    if not 0 <= args.churn <= 100:
        parser.error("--churn must be between 0 and 100")
    if args.funding_interval is not None and args.funding_interval <= 0:
        parser.error("--funding-interval must be above zero")
    return args


async def serve(config: SimConfig) -> None:
    exchange = SimExchange(config)
    # Handlers first: a SIGTERM right after the banner must still shut down (and save) cleanly.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
            loop.add_signal_handler(sig, stop.set)
    base_url = await exchange.start()
    print(f"kcterm-sim: KuCoin Futures REST at {base_url}", flush=True)
    print(
        f"  WebSocket: {exchange.ws_url} (token from POST /api/v1/bullet-public or "
        "/api/v1/bullet-private)",
        flush=True,
    )
    print(
        f"  API key {config.key}  secret {config.secret}  passphrase {config.passphrase}  "
        f"key version {config.key_version}",
        flush=True,
    )
    print(
        f"  Read-only key {READ_ONLY_KEY} (same secret and passphrase; trading gets 400007)",
        flush=True,
    )
    if config.state_path is not None:
        print(f"  State: {config.state_path} (--reset starts clean)", flush=True)
    if config.admin:
        print(
            f"  Fault drills: GET/POST {base_url}/sim/admin/drills (signed with the demo key)",
            flush=True,
        )
    try:
        await stop.wait()
    finally:
        await exchange.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    state_path = None if args.memory else args.state
    if args.reset and state_path is not None:
        for suffix in ("", "-wal", "-shm"):  # SQLite's write-ahead log files go with it
            Path(f"{state_path}{suffix}").unlink(missing_ok=True)
        print(f"kcterm-sim: starting clean (removed {state_path})", flush=True)
    config = SimConfig(
        state_path=state_path,
        ip_whitelist=tuple(ip for ip in args.ip_whitelist.split(",") if ip),
        churn=args.churn,
        listings=max(0, args.listings),
        funding_interval_s=args.funding_interval,
        host=args.host,
        port=args.port,
        key=args.key,
        secret=args.secret,
        passphrase=args.passphrase,
        key_version=args.key_version,
        balance=args.balance,
        seed=args.seed,
        tick_interval=args.tick,
        admin=args.admin,
        delay_ms=args.delay_ms,
        fail_rate=args.fail_rate,
        clock_skew_ms=args.clock_skew_ms,
        public_quota=args.rate_limit,
        futures_quota=args.rate_limit,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
