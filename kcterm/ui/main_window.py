"""The main window: dockable ticker, book, ticket and open orders; one frame clock repaints all."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QWidget
from qasync import asyncSlot

from kcterm.core.session import Session
from kcterm.core.validation import OrderRequest
from kcterm.ui.book_panel import BookPanel
from kcterm.ui.frame_clock import FrameClock
from kcterm.ui.open_orders_panel import OpenOrdersPanel
from kcterm.ui.order_ticket import ConfirmOrder, OrderTicket
from kcterm.ui.status_bar import TerminalStatusBar
from kcterm.ui.ticker_panel import TickerPanel


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: Session,
        symbol: str,
        *,
        confirm: ConfirmOrder | None = None,
        fps: int = 30,
    ) -> None:
        super().__init__()
        self.session = session
        venue = "LIVE — real money" if session.is_live else "SIM — embedded practice exchange"
        self.setWindowTitle(f"kcterm · {venue}")
        self.resize(1280, 800)
        if confirm is None and session.is_live:
            confirm = self._ask_confirmation
        self.ticker = TickerPanel(session, symbol)
        self.book = BookPanel(session, symbol)
        self.ticket = OrderTicket(session, symbol, confirm=confirm)
        self.open_orders = OpenOrdersPanel(session, symbol)
        self.status = TerminalStatusBar(session)
        self.setStatusBar(self.status)
        central = QWidget()
        central.setMaximumSize(0, 0)  # everything lives in docks so the user can arrange it
        self.setCentralWidget(central)
        self.setDockNestingEnabled(True)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        ticker_dock = self._dock("Ticker", self.ticker, left)
        book_dock = self._dock("Order book", self.book, left)
        ticket_dock = self._dock("Order ticket", self.ticket, right)
        orders_dock = self._dock("Open orders", self.open_orders, right)
        self.splitDockWidget(ticker_dock, book_dock, Qt.Orientation.Vertical)
        self.splitDockWidget(ticket_dock, orders_dock, Qt.Orientation.Vertical)
        self.resizeDocks([ticker_dock, book_dock], [110, 600], Qt.Orientation.Vertical)
        self.resizeDocks([book_dock, ticket_dock], [420, 860], Qt.Orientation.Horizontal)

        self.ticket.symbol_changed.connect(self.set_symbol)
        self.book.price_clicked.connect(self.ticket.set_price)
        self.frame_clock = FrameClock(fps, self)
        for panel in (self.ticker, self.book, self.open_orders, self.status):
            self.frame_clock.add(panel.refresh)
        self.frame_clock.start()

    @asyncSlot(str)
    async def set_symbol(self, symbol: str) -> None:
        """Follow a symbol chosen in the ticket in the linked panels."""
        await self.session.watch(symbol)
        self.ticker.set_symbol(symbol)
        self.book.set_symbol(symbol)
        self.open_orders.set_symbol(symbol)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower().replace(" ", "_"))  # saveState needs stable names
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _ask_confirmation(self, request: OrderRequest) -> bool:
        price = request.price_text or "market"
        answer = QMessageBox.question(
            self,
            "Confirm LIVE order",
            f"Send a REAL order to KuCoin?\n\n{request.side.upper()} {request.size} lots "
            f"{request.symbol} @ {price}",
        )
        return answer == QMessageBox.StandardButton.Yes
