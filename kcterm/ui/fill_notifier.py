"""A sound and a tray notification when one of our orders fills (each can be turned off).

Only fills that happen while the window is open count: fills recovered from the exchange's
history after a (re)connect are old news. No tray on this desktop (or offscreen) means no tray
message, never an error; the sound is the desktop's own bell.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from kcterm import assets
from kcterm.core.fills import Fill
from kcterm.core.session import Session
from kcterm.ui.trading_prefs import TradingPrefs

log = logging.getLogger("kcterm.ui.fill_notifier")
RECENT_MS = 10_000  # a fill older than this when first seen is history, not news


class FillNotifier:
    def __init__(self, session: Session, prefs: TradingPrefs, window: QWidget) -> None:
        self._session = session
        self._prefs = prefs
        self._window = window
        self._seen = {fill.trade_id for fill in session.trading.fills.all()}
        self._drawn = session.trading.fills.version
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(_icon(window), window)
            self.tray.setToolTip("kcterm")
            self.tray.show()
        self.notified: list[str] = []  # the messages given, newest last (tests read them)
        self.sounds = 0

    def refresh(self) -> None:
        fills = self._session.trading.fills
        if fills.version == self._drawn:
            return
        self._drawn = fills.version
        now_ms = self._session.health.now_ms()
        fresh: list[Fill] = []
        for fill in fills.all():  # newest first: stop at the first one already seen
            if fill.trade_id in self._seen:
                break
            self._seen.add(fill.trade_id)
            if now_ms - fill.ts_ns // 1_000_000 <= RECENT_MS:
                fresh.append(fill)
        if fresh:
            self.notify(fresh)

    def notify(self, fills: list[Fill]) -> None:
        first = fills[-1]
        contract = self._session.contracts.get(first.symbol)
        price = contract.format_price(first.price) if contract else str(first.price)
        text = f"{first.side.upper()} {first.size} {first.symbol} @ {price} ({first.liquidity})"
        if len(fills) > 1:
            text += f" and {len(fills) - 1} more fill(s)"
        self.notified.append(text)
        if self._prefs.fill_sound():
            QApplication.beep()
            self.sounds += 1
        if self._prefs.fill_tray() and self.tray is not None:
            self.tray.showMessage("Order filled", text, QSystemTrayIcon.MessageIcon.Information)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()


def _icon(window: QWidget) -> QIcon:
    icon = window.windowIcon()
    if icon.isNull():
        icon = QApplication.windowIcon()
    if icon.isNull():
        icon = QIcon(str(assets.path("icons/kcterm.svg")))
    return icon
