"""The ticket's first-order hint: one line on the practice venue, before any order or fill,
telling a new trader how to place one. It goes for good with its × or after the first order."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

FIRST_ORDER_HINT = "First order: click a book price, then Buy or Sell."


class FirstOrderHint(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstOrderHint")
        self.label = QLabel(FIRST_ORDER_HINT)
        self.label.setWordWrap(True)  # one line where the dock allows, never cut
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("×")
        self.dismiss_button.setToolTip("Hide this hint")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.dismissed = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss_button)

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()

    def offer(self, wanted: bool) -> None:
        """Show while `wanted` (practice, nothing traded yet) unless dismissed; once the
        trader has traded it is dismissed for good."""
        if not wanted:
            self.dismiss()
        elif not self.dismissed:
            self.show()
