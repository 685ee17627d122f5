"""The futures account's balances per currency: the wallet feed live, account-overview to
reconcile (spec/REFERENCE.md 7.17 and 8.3 Wallet). A clean core API for the account panel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal
from kcterm.core.marks import event_mark
from kcterm.core.order_margin import OrderMargin

# Overview numbers are rounded JSON floats, wallet numbers exact strings: closer than this
# is the same amount.
MONEY_TOLERANCE = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class Balance:
    currency: str
    equity: Decimal
    available: Decimal
    position_margin: Decimal
    order_margin: Decimal
    unrealised_pnl: Decimal
    risk_ratio: Decimal | None = None  # the overview's cross-margin risk rate
    cross_equity: Decimal | None = None  # the wallet's totalCrossMargin (risk rate's base)

    @classmethod
    def from_overview(cls, data: dict[str, Any]) -> Balance:
        return cls(
            currency=str(data.get("currency") or "USDT"),
            equity=to_decimal(data.get("accountEquity") or 0),
            available=to_decimal(data.get("availableBalance") or 0),
            position_margin=to_decimal(data.get("positionMargin") or 0),
            order_margin=to_decimal(data.get("orderMargin") or 0),
            unrealised_pnl=to_decimal(data.get("unrealisedPNL") or 0),
            risk_ratio=to_decimal(data.get("riskRatio") or 0),
        )

    @classmethod
    def from_wallet(cls, data: dict[str, Any]) -> Balance:
        def amount(*keys: str) -> Decimal:
            return sum((to_decimal(data.get(k) or 0) for k in keys), Decimal(0))

        return cls(
            currency=str(data.get("currency") or "USDT"),
            equity=amount("equity"),
            available=amount("availableBalance"),
            position_margin=amount("isolatedPosMargin", "crossPosMargin"),
            order_margin=amount("isolatedOrderMargin", "crossOrderMargin"),
            unrealised_pnl=amount("isolatedUnPnl", "crossUnPnl"),
            cross_equity=amount("totalCrossMargin") if "totalCrossMargin" in data else None,
        )


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

    def apply_wallet(self, data: dict[str, Any]) -> Balance | None:
        """One walletBalance.change payload; an older version than one seen is dropped."""
        balance = Balance.from_wallet(data)
        version = int(data.get("version") or 0)
        if version and version < self._wallet_versions.get(balance.currency, 0):
            return None
        self._wallet_versions[balance.currency] = version
        self._touched[balance.currency] = event_mark()
        stamp = data.get("timestamp")
        try:
            at_ms = int(stamp) if stamp is not None and not isinstance(stamp, bool) else None
        except (TypeError, ValueError):
            at_ms = None
        self._store(balance, at_ms)
        return balance

    def merge(self, overview: dict[str, Any], mark: int) -> list[str]:
        """Reconcile with GET /api/v1/account-overview taken at `mark`; returns the fixes."""
        fresh = Balance.from_overview(overview)
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
