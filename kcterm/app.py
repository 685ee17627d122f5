"""Composition root: command line, QApplication + qasync loop, venue choice, Session, MainWindow.

`kcterm` alone opens on the embedded exchange with its demo account. `kcterm --venue live`
trades real money with keys from the environment, marks the window LIVE and confirms each order.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

LIVE_REST_URL = "https://api-futures.kucoin.com"
DEFAULT_SYMBOL = "XBTUSDTM"
log = logging.getLogger("kcterm.app")


@dataclass(frozen=True)
class LiveKeys:
    key: str
    secret: str
    passphrase: str
    version: str


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kcterm", description=__doc__)
    parser.add_argument(
        "--venue",
        choices=("sim", "live"),
        default="sim",
        help="sim (default): the embedded practice exchange; live: KuCoin Futures",
    )
    parser.add_argument("--symbol", default=DEFAULT_SYMBOL, help="contract to open on")
    parser.add_argument("--seed", type=int, default=7, help="seed of the embedded market")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="save the window as PNG once market data has arrived, then exit",
    )
    parser.add_argument(
        "--after",
        type=float,
        default=1.5,
        metavar="SECONDS",
        help="with --screenshot: wait this long after data arrives",
    )
    parser.add_argument(
        "--theme", choices=("dark", "light"), help="colour theme (default: the last one used)"
    )
    parser.add_argument(
        "--reset-practice",
        action="store_true",
        help="start the embedded exchange's demo account afresh (100,000 USDT, no positions)",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def live_keys_from_env() -> LiveKeys:
    names = ("KUCOIN_API_KEY", "KUCOIN_API_SECRET", "KUCOIN_API_PASSPHRASE")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise SystemExit(f"kcterm --venue live needs {', '.join(missing)} in the environment.")
    return LiveKeys(
        key=os.environ["KUCOIN_API_KEY"],
        secret=os.environ["KUCOIN_API_SECRET"],
        passphrase=os.environ["KUCOIN_API_PASSPHRASE"],
        version=os.environ.get("KUCOIN_API_KEY_VERSION", "3"),
    )


def practice_state_path(reset: bool) -> Path:
    """The embedded exchange keeps the practice account here between sessions (a file of
    its own, so a kcterm-sim running beside kcterm never writes over it)."""
    import platformdirs

    path = Path(platformdirs.user_data_dir("kcterm", appauthor=False)) / "practice.sqlite"
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if args.screenshot and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    keys = live_keys_from_env() if args.venue == "live" else None

    import qasync  # Qt is imported only once the command line is known to be good
    from PySide6.QtWidgets import QApplication

    from kcterm.ui.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("kcterm")
    app.setOrganizationName("kcterm")
    apply_dark_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(run(args, app, keys))


async def run(args: argparse.Namespace, app, keys: LiveKeys | None) -> int:
    from kcterm.api.rest import RestClient
    from kcterm.api.signer import Credentials
    from kcterm.core.session import Session
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim import SimConfig
    from kcterm.ui.main_window import MainWindow

    exchange: EmbeddedExchange | None = None
    if keys is None:
        exchange = EmbeddedExchange(
            SimConfig(seed=args.seed, state_path=practice_state_path(args.reset_practice))
        )
        base_url = exchange.start()
        cfg = exchange.config
        credentials = Credentials(cfg.key, cfg.secret, cfg.passphrase, cfg.key_version)
        venue = "sim"
    else:
        base_url = LIVE_REST_URL
        credentials = Credentials(keys.key, keys.secret, keys.passphrase, keys.version)
        venue = "live"
    session = Session(RestClient(base_url, credentials), venue=venue)
    try:
        await session.start([args.symbol])
        # A screenshot shows the default layout, never whatever the user arranged last.
        window = MainWindow(
            session, args.symbol, theme=args.theme, remember_layout=args.screenshot is None
        )
        window.show()
        if args.screenshot:
            return await take_screenshot(window, session, args.symbol, args.screenshot, args.after)
        closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        app.setQuitOnLastWindowClosed(False)
        app.lastWindowClosed.connect(lambda: closed.done() or closed.set_result(None))
        await closed
        return 0
    finally:
        await session.stop()
        if exchange is not None:
            exchange.stop()


async def take_screenshot(window, session, symbol: str, path: Path, after: float) -> int:
    """Wait for a live book, a last price and open streams, then save the window as PNG."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        book = session.books.get(symbol)
        ticker = session.tickers.get(symbol)
        if book and book.is_live and book.best_bid() and ticker and ticker.last is not None:
            break
        await asyncio.sleep(0.1)
    else:
        log.error("no market data within 30 s; not saving a screenshot")
        return 1
    await asyncio.sleep(after)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        log.error("could not write %s", path)
        return 1
    print(f"screenshot saved to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
