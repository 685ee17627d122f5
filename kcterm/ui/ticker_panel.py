"""Ticker: last price coloured by the taker side, 24 h change, best bid and ask, mark, funding.

Refreshed 10 times a second (refresh_hz): the touch moves hundreds of times a second in a fast
market, faster than anyone reads a number; its labels keep a fixed size (ui.steady_label), so
a new price repaints the label and nothing else of the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from kcterm.core.session import Session
from kcterm.ui.formatting import pct_text, price_text, rate_text, size_text
from kcterm.ui.steady_label import release_size, set_steady_text
from kcterm.ui.theme import colors, monospace_font

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class TickerPanel(QWidget):
    refresh_hz = 10  # the frame clock calls refresh() at this rate (ui.frame_clock)

    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn = (-1, -1)
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setVerticalSpacing(2)
        self.symbol_label = QLabel(symbol)
        self.last_label = QLabel("—")
        self.last_label.setObjectName("bigPrice")
        self.change_label = QLabel("—")
        self.bid_label = QLabel("—")
        self.ask_label = QLabel("—")
        self.mark_label = QLabel("—")
        mono = monospace_font(10)
        for label in (
            self.last_label,
            self.change_label,
            self.bid_label,
            self.ask_label,
            self.mark_label,
        ):
            label.setFont(mono)
            # Opaque (filled with the window colour the dock shows anyway): a new price then
            # repaints the label, not the panel and the dock under it.
            label.setAutoFillBackground(True)
        layout.addWidget(self.symbol_label, 0, 0)
        layout.addWidget(self.last_label, 0, 1, _LEFT)
        layout.addWidget(self.change_label, 0, 2, _LEFT)
        layout.addWidget(QLabel("Bid"), 1, 0)
        layout.addWidget(self.bid_label, 1, 1, 1, 2, _LEFT)
        layout.addWidget(QLabel("Ask"), 2, 0)
        layout.addWidget(self.ask_label, 2, 1, 1, 2, _LEFT)
        layout.addWidget(QLabel("Mark"), 3, 0)
        layout.addWidget(self.mark_label, 3, 1, 1, 2, _LEFT)
        layout.setColumnStretch(1, 1)

    @property
    def symbol(self) -> str:
        return self._symbol

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self.symbol_label.setText(symbol)
        for label in self._values():
            release_size(label)  # another contract's prices: fit them afresh
        self._drawn = (-1, -1)
        self.refresh()

    def _values(self) -> tuple[QLabel, ...]:
        return (self.last_label, self.change_label, self.bid_label, self.ask_label, self.mark_label)

    def refresh(self) -> None:
        market = self._session.market_data
        ticker = market.tickers.get(self._symbol)
        row = market.watchlist.rows.get(self._symbol)
        versions = (ticker.version if ticker else -1, row.version if row else -1)
        if ticker is None or versions == self._drawn:
            return
        self._drawn = versions
        theme = colors()
        contract = self._session.contracts.get(self._symbol)
        set_steady_text(self.last_label, price_text(contract, ticker.last))
        _style(self.last_label, theme.side(ticker.last_side or "buy").name())
        change = row.change_pct if row else ticker.change_pct()
        set_steady_text(self.change_label, pct_text(change) + " 24h")
        if change is not None:
            _style(self.change_label, theme.signed(float(change)).name())
        set_steady_text(
            self.bid_label, f"{price_text(contract, ticker.bid)}  × {size_text(ticker.bid_size)}"
        )
        _style(self.bid_label, theme.bid)
        set_steady_text(
            self.ask_label, f"{price_text(contract, ticker.ask)}  × {size_text(ticker.ask_size)}"
        )
        _style(self.ask_label, theme.ask)
        if row is not None:
            set_steady_text(
                self.mark_label,
                f"{price_text(contract, row.mark)}  funding {rate_text(row.funding_rate)}",
            )


def _style(label: QLabel, color: str) -> None:
    """Set a text colour only when it changes: a stylesheet change restyles the widget."""
    css = f"color: {color}"
    if label.styleSheet() != css:
        label.setStyleSheet(css)
