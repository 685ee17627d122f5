"""Ticker: last price coloured by the taker side, 24 h change, best bid and ask, mark, funding."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from kcterm.core.session import Session
from kcterm.ui.formatting import pct_text, price_text, rate_text, size_text
from kcterm.ui.theme import colors, monospace_font


class TickerPanel(QWidget):
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
        layout.addWidget(self.symbol_label, 0, 0)
        layout.addWidget(self.last_label, 0, 1)
        layout.addWidget(self.change_label, 0, 2)
        layout.addWidget(QLabel("Bid"), 1, 0)
        layout.addWidget(self.bid_label, 1, 1, 1, 2)
        layout.addWidget(QLabel("Ask"), 2, 0)
        layout.addWidget(self.ask_label, 2, 1, 1, 2)
        layout.addWidget(QLabel("Mark"), 3, 0)
        layout.addWidget(self.mark_label, 3, 1, 1, 2)
        layout.setColumnStretch(1, 1)

    @property
    def symbol(self) -> str:
        return self._symbol

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self.symbol_label.setText(symbol)
        self._drawn = (-1, -1)
        self.refresh()

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
        self.last_label.setText(price_text(contract, ticker.last))
        _style(self.last_label, theme.side(ticker.last_side or "buy").name())
        change = row.change_pct if row else ticker.change_pct()
        self.change_label.setText(pct_text(change) + " 24h")
        if change is not None:
            _style(self.change_label, theme.signed(float(change)).name())
        self.bid_label.setText(
            f"{price_text(contract, ticker.bid)}  × {size_text(ticker.bid_size)}"
        )
        _style(self.bid_label, theme.bid)
        self.ask_label.setText(
            f"{price_text(contract, ticker.ask)}  × {size_text(ticker.ask_size)}"
        )
        _style(self.ask_label, theme.ask)
        if row is not None:
            self.mark_label.setText(
                f"{price_text(contract, row.mark)}  funding {rate_text(row.funding_rate)}"
            )


def _style(label: QLabel, color: str) -> None:
    """Set a text colour only when it changes: a stylesheet change restyles the widget."""
    css = f"color: {color}"
    if label.styleSheet() != css:
        label.setStyleSheet(css)
