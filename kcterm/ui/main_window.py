"""The main window: every panel is a dock, one frame clock repaints them all.

The account bar runs along the top; positions sit under the chart. Position and order actions
go through DeskActions, which asks for confirmations as the user's policy says (trading_prefs:
every action on the live venue, the irreversible ones in practice) and applies the fat-finger
limits to the session.

Panels with a link toggle follow the symbol chosen in any linked panel (SymbolLink). Layouts
are saved on close and restored at start (ui.layouts); named layouts and "restore default" are
in the Layout menu. The stale-feed interlock (core.interlock) is evaluated every frame for the
symbols that can trade, and the ticket, the ladder and the chart's order lines follow it.

The menus (layouts, panels, theme, trading, hotkeys, safety) are the window's own: they hold
no state and act on the window's parts. Their dialogs are shown with open(), never exec(): a
nested event loop would step the asyncio tasks from inside a Qt slot (see ui/ask.py), and a
window-modal dialog blocks only this window.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QInputDialog,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from kcterm.core.feed_watch import STALE_FLOOR_S
from kcterm.core.interlock import DEFAULT_STALE_AFTER, Gate, evaluate
from kcterm.core.market_data import SymbolLease
from kcterm.core.orders import OpenOrder
from kcterm.core.session import Session
from kcterm.core.validation import OrderRejected, OrderRequest
from kcterm.ui import ask
from kcterm.ui.account_bar import AccountBar
from kcterm.ui.book_panel import BookPanel
from kcterm.ui.desk_actions import ConfirmAction, DeskActions
from kcterm.ui.fill_notifier import FillNotifier
from kcterm.ui.frame_clock import FrameClock
from kcterm.ui.hotkeys import Hotkeys
from kcterm.ui.hotkeys_dialog import HotkeysDialog
from kcterm.ui.journal_panel import JournalPanel
from kcterm.ui.layouts import LayoutStore
from kcterm.ui.order_ticket import ConfirmOrder, OrderTicket
from kcterm.ui.orders_panel import OrdersPanel
from kcterm.ui.positions_panel import PositionsPanel
from kcterm.ui.safety_dialog import SafetyDialog
from kcterm.ui.status_bar import TerminalStatusBar
from kcterm.ui.symbol_link import SymbolLink
from kcterm.ui.tape_panel import TapePanel
from kcterm.ui.theme import THEMES, apply_theme, colors
from kcterm.ui.ticker_panel import TickerPanel
from kcterm.ui.trading_prefs import TradingPrefs
from kcterm.ui.watchlist_panel import WatchlistPanel
from kcterm.venue.errors import VenueError

if TYPE_CHECKING:  # the chart (pyqtgraph, a third of the window's imports) is imported by
    # _build_chart: at once, or after the first frame with data (chart_later)
    from kcterm.ui.chart_panel import ChartPanel
    from kcterm.ui.order_lines import ConfirmMove

DEFAULT_SIZE = QSize(1600, 1000)
CHART_AFTER_S = 2.0  # chart_later: the chart comes at the latest this long after the first tick
CHART_REFRESH_HZ = 5  # ChartPanel.refresh_hz: a human reads candles at a few frames a second


def default_size() -> QSize:
    """1600x1000, or 95 % of a smaller real screen (offscreen rendering keeps the default)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None or QGuiApplication.platformName() == "offscreen":
        return DEFAULT_SIZE
    available = screen.availableGeometry().size() * 0.95
    return DEFAULT_SIZE.boundedTo(available)


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: Session,
        symbol: str,
        *,
        confirm: ConfirmOrder | None = None,
        confirm_move: ConfirmMove | None = None,
        confirm_action: ConfirmAction | None = None,
        fps: int = 60,
        settings: QSettings | None = None,
        theme: str | None = None,
        remember_layout: bool = True,
        stale_after: float | None = None,
        chart_later: bool = False,
    ) -> None:
        """`chart_later`: build the chart (and import pyqtgraph) once the window has painted
        a frame with a live book and a flowing feed, so that the first frame comes sooner (the
        app's start); until then its dock is empty. Either way `window.chart` is the
        ChartPanel (asking for it builds it)."""
        super().__init__()
        self.session = session
        self.settings = settings if settings is not None else QSettings()
        self.stale_after = stale_after  # None: each feed's own limit (core.interlock)
        self._remember_layout = remember_layout
        venue = "LIVE — real money" if session.is_live else "SIM — embedded practice exchange"
        self.setWindowTitle(f"kcterm · {venue}")
        self.resize(default_size())
        self.prefs = TradingPrefs(self.settings, session.is_live, session.profile_name)
        session.trading.safety_limits = self.prefs.limits()
        self._confirm_order = confirm
        self._confirm_move = confirm_move
        self.desk_actions = DeskActions(self, confirm_action)
        self.link = SymbolLink(symbol, self)
        self._symbol_lease = SymbolLease(session.market_data, "window", symbol)
        session.market_data.unwatch(symbol)  # the window holds it now, not the whole session
        self.watchlist = WatchlistPanel(session, symbol)
        self.ticker = TickerPanel(session, symbol)
        self.book = BookPanel(session, symbol)
        self.tape = TapePanel(session, symbol)
        self._chart: ChartPanel | None = None
        self._chart_host = QWidget()  # the chart dock's content; the chart is put in it
        self._chart_host.setObjectName("chartHost")
        QVBoxLayout(self._chart_host).setContentsMargins(0, 0, 0, 0)
        self._chart_due: float | None = None  # chart_later: when it is built at the latest
        self._live_frames = 0  # chart_later: frames drawn with the window's book live
        if not chart_later:
            self._build_chart(symbol)
        self.ticket = OrderTicket(session, symbol, confirm=self.confirm_order)
        self.ticket.recheck_gate = self.update_gates  # its Buy/Sell: the interlock as of now
        self.open_orders = OrdersPanel(session, symbol)
        self.positions = PositionsPanel(session)
        self.account_bar = AccountBar(session, self)
        self.addToolBar(self.account_bar)
        self.journal = JournalPanel(session)
        self.status = TerminalStatusBar(session)
        self.setStatusBar(self.status)
        self.docks: dict[str, QDockWidget] = {}
        self._build_default_layout()
        self._wire()
        self.gates: dict[str, Gate] = {}
        self._gates_shown: dict[str, Gate] | None = None  # update_gates: the gates it applied
        self._gate_key: tuple[object, ...] | None = None  # ... and the inputs it read
        self._gates_recheck_at = 0.0  # ... and when time alone could close one
        self.layouts = LayoutStore(self, self.settings)  # captures the default first
        self.hotkeys = Hotkeys(
            self,
            self.settings,
            {
                "buy_best": lambda: self.trade_at_best("buy"),
                "sell_best": lambda: self.trade_at_best("sell"),
                "cancel_all": self.open_orders.cancel_all_button.click,
                "toggle_one_click": self.book.one_click.toggle,
                "close_position": self.desk_actions.close_position_hotkey,
                "flatten_all": self.desk_actions.flatten_all,
            },
        )
        self._build_menus()
        self.set_theme(theme or str(self.settings.value("theme", "dark")))
        if remember_layout:
            self.layouts.restore_last()
        self.frame_clock = FrameClock(fps, self)
        self.frame_clock.add(self.update_gates)
        for panel in (
            self.watchlist,
            self.ticker,
            self.book,
            self.tape,
            self.open_orders,
            self.positions,
            self.account_bar,
            self.journal,
            self.status,
        ):
            self.frame_clock.add(panel.refresh)  # at the panel's refresh_hz, or every frame
        # The chart at ChartPanel.refresh_hz (not imported here: with chart_later, pyqtgraph
        # comes after the first frame with data; _refresh_chart builds it then).
        self.frame_clock.add(self._refresh_chart, hz=CHART_REFRESH_HZ)
        self.frame_clock.add(self.ticket.refresh, hz=30)  # its checks: every 8th call, ~4 Hz
        self.notifier = FillNotifier(session, self.prefs, self)
        self.frame_clock.add(self.notifier.refresh)
        self.frame_clock.start()
        if self._chart is not None:
            self._chart.load()

    # -- the chart ---------------------------------------------------------------------------

    @property
    def chart(self) -> ChartPanel:
        if self._chart is None:
            self._build_chart(self.link.symbol)
            assert self._chart is not None
            self._chart.load()
        return self._chart

    @property
    def chart_symbol(self) -> str:
        """The chart's symbol, without building a chart that is still to come."""
        return self._chart.symbol if self._chart is not None else self.link.symbol

    def _build_chart(self, symbol: str) -> None:
        from kcterm.ui.chart_panel import ChartPanel

        chart = ChartPanel(self.session, symbol, self.confirm_move)
        self._chart = chart
        layout = self._chart_host.layout()
        assert layout is not None
        layout.addWidget(chart)
        chart.header.chosen.connect(lambda s: self._panel_chose(chart, s))
        chart.header.link_toggled.connect(lambda on: self._relinked(chart, on))
        chart.move_requested.connect(self.move_order)
        chart.level_moved.connect(self.desk_actions.level_moved)
        self.gates = {}  # the next frame applies the interlock to the chart too

    def _refresh_chart(self) -> None:
        if self._chart is not None:
            self._chart.refresh()
            return
        # chart_later: one frame after the first frame with a live book whose feed flows
        # (that one has been painted by now), or CHART_AFTER_S after the first tick whatever
        # the feed does.
        now = time.monotonic()
        if self._chart_due is None:
            self._chart_due = now + CHART_AFTER_S
        symbol = self.book.symbol
        book = self.session.market_data.books.get(symbol)
        if (
            book is not None
            and book.is_live
            and not self.session.health.market_freshness(symbol).stale
        ):
            self._live_frames += 1
        if self._live_frames >= 2 or now >= self._chart_due:
            self.chart.refresh()

    # -- layout ------------------------------------------------------------------------------

    def _dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState/restoreState find docks by this name
        dock.setWidget(widget)
        self.docks[name] = dock
        return dock

    def _build_default_layout(self) -> None:
        central = QWidget()
        central.setMaximumSize(0, 0)  # everything lives in docks so the user can arrange it
        self.setCentralWidget(central)
        self.setDockNestingEnabled(True)
        watch = self._dock("watchlist", "Watchlist", self.watchlist)
        tape = self._dock("trades", "Trades", self.tape)
        ticket = self._dock("order_ticket", "Order ticket", self.ticket)
        chart = self._dock("chart", "Chart", self._chart_host)
        orders = self._dock("orders", "Orders", self.open_orders)
        positions = self._dock("positions", "Positions", self.positions)
        journal = self._dock("journal", "Journal", self.journal)
        ticker = self._dock("ticker", "Ticker", self.ticker)
        book = self._dock("order_book", "Order book", self.book)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, watch)
        self.splitDockWidget(watch, chart, Qt.Orientation.Horizontal)
        self.splitDockWidget(chart, ticker, Qt.Orientation.Horizontal)
        self.splitDockWidget(watch, tape, Qt.Orientation.Vertical)
        self.splitDockWidget(tape, ticket, Qt.Orientation.Vertical)
        self.splitDockWidget(chart, positions, Qt.Orientation.Vertical)
        self.splitDockWidget(positions, orders, Qt.Orientation.Vertical)
        self.tabifyDockWidget(orders, journal)
        orders.raise_()
        self.splitDockWidget(ticker, book, Qt.Orientation.Vertical)
        # Proportions of the window at any size: 28 % | 49 % | 23 % across, so that on a
        # 1280x720 or 1366x768 laptop the ticket's fields and the watchlist's columns are whole
        # (the ticket's form is ~310 px wide at its narrowest, the book ~290 px).
        width, height = self.width(), self.height()
        self.resizeDocks(
            [watch, chart, ticker],
            [int(width * 0.28), int(width * 0.49), int(width * 0.23)],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks(
            [watch, tape, ticket],
            [int(height * 0.18), int(height * 0.21), int(height * 0.55)],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks(
            [chart, positions, orders],
            [int(height * 0.52), int(height * 0.14), int(height * 0.28)],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks([ticker, book], [105, height - 170], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._remember_layout:
            self.layouts.save_last()
        self.frame_clock.stop()
        self.notifier.close()
        ask.dismiss(self)  # a question still open answers "no": nothing proceeds behind it
        self.ticket.margin.close()  # no read of the ticket's outlives the window
        super().closeEvent(event)

    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        self.settings.setValue("theme", name)
        if self._chart is not None:  # a chart built later takes the theme then in force
            self._chart.apply_theme()
        for model in (
            self.watchlist.model,
            self.tape.model,
            self.open_orders.model,
            self.open_orders.history_model,
            self.open_orders.stop_model,
            self.open_orders.fills_model,
            self.positions.model,
            self.journal.model,
        ):
            model.refresh_colors()
        self.account_bar.restyle()
        self.book.view.viewport().update()

    # -- menus -------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        layout_menu = bar.addMenu("&Layout")
        save = layout_menu.addAction("Save layout as…")
        save.triggered.connect(lambda: self._save_named())
        restore = layout_menu.addMenu("Restore layout")
        restore.aboutToShow.connect(lambda: self._fill(restore, self.layouts.restore))
        delete = layout_menu.addMenu("Delete layout")
        delete.aboutToShow.connect(lambda: self._fill(delete, self.layouts.delete))
        layout_menu.addSeparator()
        default = layout_menu.addAction("Restore default layout")
        default.setObjectName("restoreDefaultLayout")
        default.triggered.connect(self.layouts.restore_default)

        view = bar.addMenu("&View")
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        theme_menu = view.addMenu("Theme")
        group = QActionGroup(theme_menu)
        for name in THEMES:
            action = QAction(name.capitalize(), theme_menu, checkable=True)
            action.setChecked(name == colors().name)
            action.triggered.connect(lambda _on=False, n=name: self.set_theme(n))
            group.addAction(action)
            theme_menu.addAction(action)

        trading = bar.addMenu("&Trading")
        one_click = trading.addAction("One-click trading on the ladder")
        one_click.setCheckable(True)
        one_click.toggled.connect(self.book.one_click.setChecked)
        self.book.one_click.toggled.connect(one_click.setChecked)
        for name in ("buy_best", "sell_best", "cancel_all"):
            trading.addAction(self.hotkeys.actions[name])
        everywhere = trading.addAction("Cancel all orders, every contract")
        everywhere.triggered.connect(self.open_orders.cancel_everywhere_button.click)
        trading.addSeparator()
        for name in ("close_position", "flatten_all"):
            trading.addAction(self.hotkeys.actions[name])
        trading.addSeparator()
        keys = trading.addAction("Hotkeys…")
        keys.triggered.connect(lambda: self._show_dialog(HotkeysDialog(self.hotkeys, self)))
        safety = trading.addAction("Safety: confirmations, limits, notifications…")
        safety.setObjectName("safetyAction")
        safety.triggered.connect(lambda: self._safety())

    @staticmethod
    def _show_dialog(dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _safety(self) -> QDialog:
        dialog = SafetyDialog(self.prefs, self)
        dialog.accepted.connect(self.apply_prefs)
        return self._show_dialog(dialog)

    def _save_named(self) -> QDialog:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save layout")
        dialog.setLabelText("Name of this layout:")

        def save(name: str) -> None:
            if name.strip():  # an empty name saves nothing: the dialog just closes
                self.layouts.save(name)

        dialog.textValueSelected.connect(save)
        return self._show_dialog(dialog)

    def _fill(self, menu: QMenu, act: Callable[[str], object]) -> None:
        menu.clear()
        names = self.layouts.names()
        if not names:
            menu.addAction("(no saved layouts)").setEnabled(False)
        for name in names:
            menu.addAction(name).triggered.connect(lambda _on=False, n=name: act(n))

    # -- symbol link -------------------------------------------------------------------------

    def _wire(self) -> None:
        self.watchlist.symbol_chosen.connect(self.link.select)
        self.ticket.symbol_changed.connect(self.link.select)
        for panel in (self.book, self.tape):  # the chart's: _build_chart
            panel.header.chosen.connect(lambda s, p=panel: self._panel_chose(p, s))
            panel.header.link_toggled.connect(lambda on, p=panel: self._relinked(p, on))
        self.link.symbol_changed.connect(self.set_symbol)
        self.book.price_clicked.connect(self.ticket.set_price)
        self.book.order_requested.connect(
            lambda side, price: self.trade_at(side, price, self.book.symbol)
        )
        self.positions.action_requested.connect(self.desk_actions.position_action)
        self.positions.flatten_requested.connect(self.desk_actions.flatten_all)
        self.positions.symbol_chosen.connect(self.link.select)
        self.open_orders.modify_requested.connect(self.desk_actions.modify_order)
        self.ticket.bracket_requested.connect(
            lambda request: self.desk_actions.open_bracket(request.symbol, request)
        )
        self.ticket.margin.confirm = lambda text: self.desk_actions.confirm(
            "margin", "Margin", text
        )

    @asyncSlot(str)
    async def set_symbol(self, symbol: str) -> None:
        """Follow a symbol chosen in any linked panel in every linked panel."""
        # The window's own lease: its current symbol (the ticket, ticker and orders panels
        # follow it); the new one is taken before the old is let go.
        self._symbol_lease.follow(symbol)
        self.link.select(symbol)
        self.ticket.set_symbol(symbol)
        self.watchlist.set_symbol(symbol)
        self.ticker.set_symbol(symbol)
        self.open_orders.set_symbol(symbol)
        for panel in (self.book, self._chart, self.tape):  # a chart still to come: its symbol
            if panel is not None and panel.header.linked:  # is the link's when it is built
                panel.set_symbol(symbol)

    @asyncSlot(object, str)
    async def _panel_chose(self, panel, symbol: str) -> None:
        if panel.header.linked:
            self.link.select(symbol)
            return
        panel.set_symbol(symbol)  # an unlinked panel holds its own symbol's lease

    def _relinked(self, panel, linked: bool) -> None:
        if linked and panel.symbol != self.link.symbol:
            panel.set_symbol(self.link.symbol)

    # -- trading -----------------------------------------------------------------------------

    def update_gates(self) -> None:
        """The interlock for every symbol that can trade from a panel, applied on change.

        On the frame clock, but evaluated only when one of its inputs moved (`_gate_inputs`)
        or when time alone could close a gate: while every gate is open, no symbol's data can
        go stale before its last message's time plus the lowest stale limit in force
        (`_gate_floor`; a new message only moves that time on). A closed gate is evaluated on
        every frame (its reason counts the seconds, and it opens on the first message)."""
        symbols = (self.ticket.symbol, self.book.symbol, self.chart_symbol)
        inputs = self._gate_inputs(symbols)
        if (
            inputs == self._gate_key
            and self.gates is self._gates_shown
            and time.monotonic() < self._gates_recheck_at
        ):
            return
        facts = {s: self.session.feed_facts(s) for s in set(symbols)}
        gates = {s: evaluate(f, self.stale_after) for s, f in facts.items()}
        self._gate_key = inputs
        # The times the interlock reads (MarketData.seen_at: the book's own messages count,
        # before any ticker or trade of the symbol has come).
        seen = [self.session.market_data.seen_at(s) for s in gates]
        if all(g.open for g in gates.values()) and None not in seen:
            self._gates_recheck_at = min(t for t in seen if t is not None) + self._gate_floor()
        else:
            self._gates_recheck_at = 0.0
        if gates == self.gates:
            self._gates_shown = self.gates
            return
        self.gates = self._gates_shown = gates
        self.ticket.set_gate(gates[self.ticket.symbol])
        self.book.set_gate(gates[self.book.symbol])
        if self._chart is not None:
            self._chart.set_gate(gates[self._chart.symbol])
        self.status.show_gate(gates[self.ticket.symbol])

    def _gate_inputs(self, symbols: tuple[str, str, str]) -> tuple[object, ...]:
        """All the interlock reads but the clock (core.interlock, Session.feed_facts)."""
        session = self.session
        market = session.market_data
        books, seen = market.books, market.market_seen
        per_symbol = []
        for symbol in symbols:
            book = books.get(symbol)
            per_symbol.append((book is not None and book.is_live, symbol in seen))
        public, private = session.health.public, session.health.private  # the adapter's groups
        return (
            symbols,
            public.state if public is not None else None,
            private.state if private is not None else None,
            session.faults.reason,
            self.stale_after,
            *per_symbol,
        )

    def _gate_floor(self) -> float:
        """The lowest stale limit the interlock can apply (a feed's own is never lower than
        core.feed_watch's floor; a feed without a cadence yet gets the default)."""
        if self.stale_after is not None:
            return self.stale_after
        return min(STALE_FLOOR_S, DEFAULT_STALE_AFTER)

    def gate(self, symbol: str) -> Gate:
        """The interlock for `symbol` at this moment. Evaluated again first, as on a frame:
        while the market is quiet the frame clock ticks only every ui.frame_clock.REST_S, and
        an order must not go out on data that went stale since the last tick."""
        self.update_gates()
        return self.gates.get(symbol) or evaluate(self.session.feed_facts(symbol), self.stale_after)

    def trade_at(self, side: str, price: Decimal, symbol: str) -> bool:
        """A limit order with the ticket's size at `price` on `symbol` (one-click, hotkeys)."""
        gate = self.gate(symbol)
        if not gate.open:
            self.ticket.error_label.setText(f"Not sent: {gate.reason}.")
            return False
        return self.ticket.submit_at(side, price, symbol)

    def trade_at_best(self, side: str) -> bool:
        """Buy at the best bid / sell at the best ask (joins the touch), the ticket's size."""
        gate = self.gate(self.ticket.symbol)
        if not gate.open:
            self.ticket.error_label.setText(f"Not sent: {gate.reason}.")
            return False
        book = self.session.market_data.books.get(self.ticket.symbol)
        level = None if book is None else (book.best_bid() if side == "buy" else book.best_ask())
        if level is None:
            self.ticket.error_label.setText("Not sent: no price on that side of the book.")
            return False
        return self.trade_at(side, level[0], self.ticket.symbol)

    @asyncSlot(str, object)
    async def move_order(self, order_id: str, price: Decimal) -> None:
        order = self.session.trading.orders.get(order_id)
        if order is None or not self.gate(order.symbol).open:
            self.chart.order_lines.reset(order_id)
            return
        try:
            await self.session.trading.move_order(order_id, price)
        except (VenueError, OrderRejected, KeyError):
            self.chart.order_lines.reset(order_id)  # the journal says why

    def apply_prefs(self) -> None:
        """After the safety dialog: the new fat-finger limits take effect at once."""
        self.session.trading.safety_limits = self.prefs.limits()
        self.ticket.checks.run()

    def confirm_order(self, request: OrderRequest) -> bool | Awaitable[bool]:
        """The ticket's confirmation: True at once where the policy does not ask, else the
        awaitable answer of a window-modal question (never a nested event loop)."""
        if self._confirm_order is not None:
            return self._confirm_order(request)
        return not self.prefs.asks("order") or self._ask_confirmation(request)

    def confirm_move(self, order: OpenOrder, price: Decimal) -> bool | Awaitable[bool]:
        if self._confirm_move is not None:
            return self._confirm_move(order, price)
        return not self.prefs.asks("move") or self._ask_move(order, price)

    async def _ask_confirmation(self, request: OrderRequest) -> bool:
        contract = self.session.contracts.get(request.symbol)
        preview = self.session.trading.preview(request)
        figures = f"\n{preview.describe(contract)}" if preview and contract else ""
        live = self.session.is_live
        real = "a REAL order to KuCoin" if live else "a practice order"
        return await ask.ask(
            self,
            "Confirm LIVE order" if live else "Confirm order",
            f"Send {real}?\n\n{request.describe()}{figures}",
            live=live,
        )

    async def _ask_move(self, order: OpenOrder, price: Decimal) -> bool:
        contract = self.session.contracts.get(order.symbol)
        old = contract.format_price(order.price) if contract else str(order.price)
        new = contract.format_price(price) if contract else str(price)
        live = self.session.is_live
        real = "REAL " if live else ""
        return await ask.ask(
            self,
            "Move order",
            f"Move your {real}{order.side.upper()} order of {order.remaining} lots "
            f"{order.symbol}\nfrom {old} to {new}?\n\n"
            "It is cancelled and placed again at the new price (new queue position).",
            live=live,
        )
