"""The futures account, the session's account part (`session.account`): its positions, its
balances per currency (the wallet feed live, account-overview to reconcile, both as the venue's
BalanceUpdate values of kcterm.venue.events), and each contract's margin mode and cross leverage.
A clean core API for the positions panel, the account bar and the ticket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from kcterm.core.bus import EventBus
from kcterm.core.journal import Journal
from kcterm.core.marks import event_mark
from kcterm.core.order_margin import OrderMargin
from kcterm.core.positions import Positions
from kcterm.venue.base import MarginVenue
from kcterm.venue.errors import VenueError
from kcterm.venue.events import BalanceUpdate, PositionUpdate

Notify = Callable[[str, str], None]  # (level "info" | "error", text): a line for the trader

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
    """The account part: positions and balances, kept from the private feed (the bus) and
    merged by the reconciler; margin mode and cross leverage per contract, asked of the
    venue's MarginVenue."""

    def __init__(
        self, margin: MarginVenue, bus: EventBus, journal: Journal, *, notify: Notify
    ) -> None:
        self._margin = margin
        self._journal = journal
        self._notify = notify
        self.positions = Positions()
        self.balances = Balances()
        # symbol -> ISOLATED | CROSS, as the exchange last said (load_margin_settings)
        self.margin_modes: dict[str, str] = {}
        self.cross_leverage: dict[str, int] = {}
        bus.subscribe(PositionUpdate, self._on_position_update)
        bus.subscribe(BalanceUpdate, self._on_balance_update)

    def _on_position_update(self, update: PositionUpdate) -> None:
        self.positions.apply(update)

    def _on_balance_update(self, update: BalanceUpdate) -> None:
        self.balances.apply(update)

    async def load_margin_settings(self, symbol: str) -> tuple[str, int | None]:
        """The symbol's margin mode and cross leverage from the exchange."""
        self.margin_modes[symbol] = await self._margin.margin_mode(symbol)
        try:
            self.cross_leverage[symbol] = await self._margin.cross_leverage(symbol)
        except VenueError as exc:
            self._journal.error(f"Cross leverage of {symbol} unavailable", exc, symbol)
        return self.margin_modes[symbol], self.cross_leverage.get(symbol)

    async def set_margin_mode(self, symbol: str, mode: str) -> None:
        """Switch ISOLATED/CROSS (the exchange refuses while orders or a position exist)."""
        self._journal.action(f"Switch {symbol} to {mode.lower()} margin", symbol)
        await self._ask("Margin mode change", symbol, self._margin.set_margin_mode(symbol, mode))
        self.margin_modes[symbol] = mode
        self._notify("info", f"{symbol} now uses {mode.lower()} margin")

    async def set_cross_leverage(self, symbol: str, leverage: int) -> None:
        self._journal.action(f"Set {symbol} cross leverage to {leverage}x", symbol)
        change = self._margin.set_cross_leverage(symbol, leverage)
        await self._ask("Cross leverage change", symbol, change)
        self.cross_leverage[symbol] = leverage

    async def _ask(self, what: str, symbol: str, call: Awaitable[None]) -> None:
        try:
            await call
        except VenueError as exc:
            self._notify("error", f"{what} refused: {exc.msg} (KuCoin {exc.code})")
            self._journal.error(f"{what} refused", exc, symbol)
            raise
        self._journal.reply(f"{what} accepted", symbol)


class Balances:
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
