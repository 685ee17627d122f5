"""Ticker: last price coloured by the taker side, best bid and ask, session change."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from kcterm.core.session import Session
from kcterm.ui.formatting import pct_text, price_text, size_text
from kcterm.ui.theme import ASK_COLOR, BID_COLOR, monospace_font


class TickerPanel(QWidget):
    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn_version = -1
        layout = QGridLayout(self)
        self.symbol_label = QLabel(symbol)
        self.last_label = QLabel("—")
        self.last_label.setObjectName("bigPrice")
        self.change_label = QLabel("—")
        self.bid_label = QLabel("—")
        self.ask_label = QLabel("—")
        mono = monospace_font(11)
        for label in (self.last_label, self.change_label, self.bid_label, self.ask_label):
            label.setFont(mono)
        layout.addWidget(self.symbol_label, 0, 0)
        layout.addWidget(self.last_label, 0, 1)
        layout.addWidget(self.change_label, 0, 2)
        layout.addWidget(QLabel("Bid"), 1, 0)
        layout.addWidget(self.bid_label, 1, 1, 1, 2)
        layout.addWidget(QLabel("Ask"), 2, 0)
        layout.addWidget(self.ask_label, 2, 1, 1, 2)
        layout.setColumnStretch(1, 1)
        self.bid_label.setStyleSheet(f"color: {BID_COLOR.name()}")
        self.ask_label.setStyleSheet(f"color: {ASK_COLOR.name()}")

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self.symbol_label.setText(symbol)
        self._drawn_version = -1
        self.refresh()

    def refresh(self) -> None:
        ticker = self._session.tickers.get(self._symbol)
        if ticker is None or ticker.version == self._drawn_version:
            return
        self._drawn_version = ticker.version
        contract = self._session.contracts.get(self._symbol)
        self.last_label.setText(price_text(contract, ticker.last))
        color = BID_COLOR if ticker.last_side == "buy" else ASK_COLOR
        self.last_label.setStyleSheet(f"color: {color.name()}")
        self.change_label.setText(pct_text(ticker.change_pct()))
        self.bid_label.setText(
            f"{price_text(contract, ticker.bid)}  × {size_text(ticker.bid_size)}"
        )
        self.ask_label.setText(
            f"{price_text(contract, ticker.ask)}  × {size_text(ticker.ask_size)}"
        )
