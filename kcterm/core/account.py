"""The futures account's balances per currency: the wallet feed live, account-overview to
reconcile, both as the venue's BalanceUpdate values (kcterm.venue.events). A clean core API for
the account panel."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.marks import event_mark
from kcterm.core.order_margin import OrderMargin
from kcterm.venue.events import BalanceUpdate

# Overview numbers are rounded JSON floats, wallet numbers exact strings: closer than this
# is the same amount.
MONEY_TOLERANCE = Decimal("0.000001")


# The account of one settle currency is the venue's last report of it, as it came.
Balance = BalanceUpdate


# Equity and unrealised PnL move with the mark price between events; these do not.
BALANCE_KEYS = ("available", "position_margin", "order_margin")


def balance_differences(local: Balance, remote: Balance) -> list[str]:
    out = []
    for key in BALANCE_KEYS:
        a, b = getattr(local, key), getattr(remote, key)
        if abs(a - b) > MONEY_TOLERANCE:
            out.append(f"{key} {a} -> {b}")
    return out


class Account:
    """currency -> Balance; `version` moves on every change."""

    def __init__(self) -> None:
        self._balances: dict[str, Balance] = {}
        self._touched: dict[str, int] = {}
        self._wallet_versions: dict[str, int] = {}
        self.version = 0
        # Set by the session: resting orders' margin between the exchange's balance reports.
        self.order_margin: OrderMargin | None = None

    def get(self, currency: str = "USDT") -> Balance | None:
        return self._balances.get(currency)

    def all(self) -> list[Balance]:
        return sorted(self._balances.values(), key=lambda b: b.currency)

    def apply(self, update: BalanceUpdate) -> Balance | None:
        """One balance update from the wallet feed; an older version than one seen is
        dropped."""
        balance = update
        version = update.version
        if version and version < self._wallet_versions.get(balance.currency, 0):
            return None
        self._wallet_versions[balance.currency] = version
        self._touched[balance.currency] = event_mark()
        self._store(balance, update.ts_ns // 1_000_000 if update.ts_ns else None)
        return balance

    def merge(self, update: BalanceUpdate | None, mark: int) -> list[str]:
        """Reconcile with the venue's account overview taken at `mark`; returns the fixes."""
        if update is None:
            return []  # the overview was unreadable (the adapter logged it)
        fresh = update
        if self._touched.get(fresh.currency, 0) > mark:
            return []  # a wallet event newer than this overview already arrived
        local = self._balances.get(fresh.currency)
        changes: list[str] = []
        if local is None:
            self._store(fresh)  # the first overview is a load, not a discrepancy
            return changes
        diff = balance_differences(local, fresh)
        if diff:
            changes.append(f"balance {fresh.currency}: {', '.join(diff)}")
        self._store(fresh)
        return changes

    def unconfirmed_order_margin(self, currency: str = "USDT") -> Decimal:
        """Order margin frozen (or freed, negative) by order events since the exchange last
        reported this currency's balance (core.order_margin)."""
        if self.order_margin is None:
            return Decimal(0)
        return self.order_margin.unconfirmed(currency)

    def _store(self, balance: Balance, at_ms: int | None = None) -> None:
        self._balances[balance.currency] = balance
        if self.order_margin is not None:
            # The exchange's number holds every order open now (at_ms: when it was taken).
            self.order_margin.confirm(balance.currency, at_ms)
        self.version += 1
