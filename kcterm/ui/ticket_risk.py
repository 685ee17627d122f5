"""Risk-based sizing in the ticket: risk (percent of equity or an amount) and a stop price give
a size in lots (core.risk_sizing); "Size it" writes it into the ticket and the stop into the
ticket's stop-loss. The side follows from the stop: below the entry is a long, above a short.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from kcterm.core.contract import Contract
from kcterm.core.risk_sizing import RiskSize, risk_amount, size_for_risk
from kcterm.core.validation import OrderRejected

# What the sizer needs from the ticket: the contract, the entry price it expects, the equity.
SizingContext = Callable[[], tuple[Contract | None, Decimal | None, Decimal | None]]


class RiskSizer(QGroupBox):
    sized = Signal(int, str)  # lots, stop price text

    def __init__(self, context: SizingContext, parent: QWidget | None = None) -> None:
        super().__init__("Size by risk", parent)
        self._context = context
        self.setCheckable(True)
        self.setChecked(False)
        self.risk_edit = QLineEdit("1")
        self.risk_edit.setPlaceholderText("risk")
        self.mode_box = QComboBox()
        self.mode_box.addItem("% of equity", "pct")
        self.mode_box.addItem("USDT", "amount")
        self.stop_edit = QLineEdit()
        self.stop_edit.setPlaceholderText("stop price")
        self.size_button = QPushButton("Size it")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("riskResult")
        self.last: RiskSize | None = None
        self._body = QWidget()
        grid = QGridLayout(self._body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.addWidget(QLabel("Risk"), 0, 0)
        grid.addWidget(self.risk_edit, 0, 1)
        grid.addWidget(self.mode_box, 0, 2)
        grid.addWidget(QLabel("Stop"), 1, 0)
        grid.addWidget(self.stop_edit, 1, 1)
        grid.addWidget(self.size_button, 1, 2)
        grid.addWidget(self.result_label, 2, 0, 1, 3)
        outer = QGridLayout(self)
        outer.setContentsMargins(6, 2, 6, 2)
        outer.addWidget(self._body)
        self._body.setVisible(False)
        self.toggled.connect(self._body.setVisible)
        self.size_button.clicked.connect(self.apply)

    def set_currency(self, currency: str) -> None:
        """Name the amount mode after the contract's settlement currency (USDC, XBT...): an
        amount at risk is money of that currency, as the equity it is a share of."""
        self.mode_box.setItemText(self.mode_box.findData("amount"), currency)

    def compute(self) -> RiskSize:
        """The size for the typed risk and stop; raises OrderRejected with the reason."""
        contract, entry, equity = self._context()
        if contract is None:
            raise OrderRejected("risk", "No contract selected.")
        if entry is None:
            raise OrderRejected("risk", "No entry price yet: type a price or wait for the book.")
        amount = risk_amount(self.risk_edit.text(), str(self.mode_box.currentData()), equity)
        stop_text = self.stop_edit.text().strip().replace(",", "")
        try:
            stop = Decimal(stop_text)
        except ArithmeticError:
            stop = None
        side = "sell" if stop is not None and stop > entry else "buy"
        return size_for_risk(contract, side, entry, self.stop_edit.text(), amount)

    def apply(self) -> bool:
        """Size the ticket; False (with the reason shown) when the entries do not allow it."""
        contract = self._context()[0]
        try:
            result = self.compute()
        except OrderRejected as rejected:
            self.last = None
            self.result_label.setText(rejected.reason)
            self.result_label.setProperty("invalid", True)
            return False
        self.last = result
        self.result_label.setProperty("invalid", False)
        assert contract is not None
        self.result_label.setText(result.describe(contract))
        self.sized.emit(result.lots, self.stop_edit.text().strip())
        return True
