"""Account bar: equity, available balance, margin used, unrealised PnL (coloured) and the
cross-margin risk ratio, along the top of the window (core.account_summary).

Refreshed 4 times a second (refresh_hz): the figures move with the mark. The value labels keep
a fixed size (ui.steady_label): a toolbar label that changes width relays out the main window.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QLabel, QToolBar, QWidget

from kcterm.core.account_summary import summarize
from kcterm.core.session import Session
from kcterm.ui.formatting import DASH
from kcterm.ui.steady_label import set_steady_text
from kcterm.ui.theme import colors

CENT = Decimal("0.01")


class AccountBar(QToolBar):
    refresh_hz = 4  # the frame clock calls refresh() at this rate (ui.frame_clock)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__("Account", parent)
        self.setObjectName("account_bar")  # saveState/restoreState find it by this name
        self.setMovable(False)
        self._session = session
        self._drawn = (-1, -1, -1, -1)
        self.labels: dict[str, QLabel] = {}
        for key, title, tip in (
            ("equity", "Equity", "Balance plus unrealised PnL"),
            ("available", "Available", "What new orders can use"),
            ("margin", "Margin used", "Position margin plus the margin open orders hold"),
            ("unrealised", "Unrealised PnL", "Of every open position at the mark"),
            ("risk", "Risk ratio", "Cross positions' maintenance margin over cross equity"),
        ):
            name = QLabel(f"  {title} ")
            name.setObjectName("accountName")
            value = QLabel(DASH)
            value.setObjectName(f"account_{key}")
            value.setToolTip(tip)
            self.addWidget(name)
            self.addWidget(value)
            self.labels[key] = value

    def refresh(self) -> None:
        session = self._session
        # Orders move the figures too: a resting order freezes margin before the exchange's
        # next balance report says so (core.order_margin).
        drawn = (
            session.account.balances.version,
            session.account.positions.version,
            session.trading.orders.version,
            session.trading.order_margin.version,
        )
        if drawn == self._drawn:
            return
        self._drawn = drawn
        balances = session.account.balances.all()
        balance = session.account.balances.get("USDT") or (balances[0] if balances else None)
        unconfirmed = (
            session.account.balances.unconfirmed_order_margin(balance.currency) if balance else 0
        )
        summary = summarize(
            balance, session.account.positions.all(), session.contracts, Decimal(unconfirmed)
        )
        if summary is None:
            return
        cur = summary.currency
        step = money_step(cur)
        self._set("equity", f"{summary.equity.quantize(step):,} {cur}")
        self._set("available", f"{summary.available.quantize(step):,}")
        self._set("margin", f"{summary.margin_used.quantize(step):,}")
        self._set("unrealised", f"{summary.unrealised.quantize(step):+,}")
        color = colors().signed(float(summary.unrealised)).name()
        self._style("unrealised", f"color: {color}")
        risk = summary.risk_ratio
        self._set("risk", DASH if risk is None else f"{risk * 100:.2f}%")
        if risk is not None:
            level = colors().ask if risk >= Decimal("0.8") else ""
            self._style("risk", f"color: {level}" if level else "")

    def restyle(self) -> None:
        self._drawn = (-1, -1, -1, -1)
        self.refresh()

    def _set(self, key: str, text: str) -> None:
        set_steady_text(self.labels[key], text)

    def _style(self, key: str, css: str) -> None:
        """A stylesheet only when it changes: setting one restyles the label."""
        label = self.labels[key]
        if label.styleSheet() != css:
            label.setStyleSheet(css)


def money_step(currency: str) -> Decimal:
    """Dollar wallets show cents; a coin wallet (XBT, ETH: inverse margin) shows satoshis."""
    return CENT if currency in ("USDT", "USDC", "USD") else Decimal("0.00000001")
