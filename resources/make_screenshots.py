"""Make the README screenshots: the full window on the embedded exchange, dark and light.

    .venv/bin/python resources/make_screenshots.py [--out resources] [--seed 7]

Unlike `kcterm --screenshot`, which shows the window as it opens, this trades a little first (a
long position with a TP/SL, two resting orders, one cancelled), so the pictures show the
positions grid, the chart's entry, liquidation, SL, TP and order lines, the ladder's marks, the
orders tabs, the account bar and a ticket with an attached stop-loss and take-profit. Runs
offscreen on a headless box; nothing here touches the user's settings or the practice account
(the exchange is in memory).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

SYMBOL = "XBTUSDTM"


async def settle(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def shoot(out: Path, seed: int) -> None:
    from PySide6.QtCore import QSettings

    from kcterm.venue.kucoin.rest import RestClient
    from kcterm.venue.kucoin.signer import Credentials
    from kcterm.venue.kucoin.venue import KucoinVenue
    from kcterm.core.session import Session
    from kcterm.core.validation import OrderDraft
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim import SimConfig
    from kcterm.ui.main_window import MainWindow

    # Pings every 3 s instead of 18 s, so the status bar has a round trip to show.
    exchange = EmbeddedExchange(SimConfig(seed=seed, ping_interval_ms=3000))
    exchange.start()
    cfg = exchange.config
    rest = RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = Session(KucoinVenue.open(rest), venue="sim")
    settings_file = Path(tempfile.mkdtemp()) / "kcterm.ini"
    try:
        await session.start([SYMBOL])
        window = MainWindow(
            session,
            SYMBOL,
            settings=QSettings(str(settings_file), QSettings.Format.IniFormat),
            theme="dark",
            remember_layout=False,
        )
        window.show()
        await settle(lambda: window.gate(SYMBOL).open, 30, "live market data")
        await asyncio.sleep(8.0)  # the tape, the live candles and a ping fill in
        contract = session.contracts[SYMBOL]
        tick = contract.tick_size
        book = session.market_data.books[SYMBOL]
        bid, ask = book.best_bid()[0], book.best_ask()[0]
        orders = [
            OrderDraft(SYMBOL, "buy", "market", "20"),
            OrderDraft(SYMBOL, "sell", "limit", "10", str(ask + 300 * tick)),
            OrderDraft(SYMBOL, "buy", "limit", "25", str(bid - 400 * tick)),
            OrderDraft(SYMBOL, "sell", "limit", "15", str(ask + 900 * tick)),
        ]
        ids = [await session.trading.place(session.trading.prepare(draft)) for draft in orders]
        await settle(lambda: ids[1] in session.trading.orders, 10, "the order to cancel")
        await session.trading.cancel(ids[1])
        await settle(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the position")
        entry = session.account.positions.get(SYMBOL).avg_entry.quantize(tick)
        plan = session.trading.plan_for_position(
            SYMBOL, str(entry - 1500 * tick), str(entry + 2500 * tick), "MP"
        )
        await session.trading.place_bracket(plan)
        window.book.set_group(2)
        window.ticket.price_edit.setText(contract.format_price(bid - 100 * tick))
        window.ticket.sl_edit.setText(contract.format_price(bid - 1100 * tick))
        window.ticket.tp_edit.setText(contract.format_price(bid + 1900 * tick))
        window.ticket.size_edit.setText("5")
        window.ticket.checks.run()
        await asyncio.sleep(1.5)  # the feed confirms; history gets its average prices
        for theme, name in (("dark", "screenshot.png"), ("light", "screenshot-light.png")):
            window.set_theme(theme)
            await asyncio.sleep(0.6)
            path = out / name
            if not window.grab().save(str(path)):
                raise SystemExit(f"could not write {path}")
            print(f"saved {path}")
        window.close()
    finally:
        await session.stop()
        exchange.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("kcterm")
    app.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop here
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shoot(args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
