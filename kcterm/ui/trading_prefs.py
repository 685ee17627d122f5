"""The user's trading safety settings, kept in QSettings: which actions ask for a confirmation
(per action and per profile), the fat-finger limits core applies to every order, and the fill
notifications.

On a live profile every action asks until the user turns it off on that profile; in practice
only the irreversible ones do (flatten all, the close-position hotkey, dragging an order line).
Confirmations are kept per profile (`confirm/profile/<SLUG>/<action>`) so that switching them
off on one real-money profile leaves every other one asking. A live profile never inherits the
old shared `confirm/live/*` group: a shared "off" must not reach a profile that never chose it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QSettings

from kcterm.core.validation import SafetyLimits
from kcterm.ui.private_settings import make_private


@dataclass(frozen=True)
class ConfirmSpec:
    name: str
    label: str
    practice_default: bool


CONFIRMS = (
    ConfirmSpec("order", "Place an order (ticket, ladder, hotkeys)", False),
    ConfirmSpec("move", "Move or edit an order (cancel-and-replace)", True),
    ConfirmSpec("close", "Close or reverse a position from the grid", False),
    ConfirmSpec("close_hotkey", "Close the position by hotkey", True),
    ConfirmSpec("flatten", "Flatten all (cancel everything, close every position)", True),
    ConfirmSpec("bracket", "Place, edit or cancel a TP/SL", False),
    ConfirmSpec("margin", "Change margin mode or cross leverage", False),
)

DEFAULT_MAX_ORDER_VALUE = Decimal(250_000)  # USDT
DEFAULT_MAX_MARK_DISTANCE_PCT = Decimal(50)  # catches an extra or a missing digit


class TradingPrefs:
    def __init__(self, settings: QSettings, live: bool, profile: str = "") -> None:
        """`profile` is the profile's slug (Profile.slug); empty keeps the venue-wide group,
        for a window opened on a bare session (tests, tools)."""
        self._settings = settings
        self.live = live
        self.profile = profile
        make_private(settings)  # every window has prefs: the settings file is private from here

    @property
    def venue_key(self) -> str:
        return "live" if self.live else "practice"

    def _key(self, action: str) -> str:
        if self.profile:
            return f"confirm/profile/{self.profile}/{action}"
        return f"confirm/{self.venue_key}/{action}"

    # -- confirmations -----------------------------------------------------------------------

    def asks(self, action: str) -> bool:
        spec = next((s for s in CONFIRMS if s.name == action), None)
        default = True if self.live or spec is None else spec.practice_default
        if self.profile and not self.live:
            # Practice choices made before confirmations were per profile still count.
            default = _flag(self._settings.value(f"confirm/practice/{action}", default), default)
        value = self._settings.value(self._key(action), default)
        return _flag(value, default)

    def set_asks(self, action: str, on: bool) -> None:
        self._settings.setValue(self._key(action), on)

    # -- fat-finger limits -------------------------------------------------------------------

    def limits(self) -> SafetyLimits:
        return SafetyLimits(
            max_order_value=self._amount("limits/max_order_value", DEFAULT_MAX_ORDER_VALUE),
            max_mark_distance_pct=self._amount(
                "limits/max_mark_distance_pct", DEFAULT_MAX_MARK_DISTANCE_PCT
            ),
        )

    def set_limits(self, limits: SafetyLimits) -> None:
        for key, value in (
            ("limits/max_order_value", limits.max_order_value),
            ("limits/max_mark_distance_pct", limits.max_mark_distance_pct),
        ):
            self._settings.setValue(key, "" if value is None else str(value))

    def _amount(self, key: str, default: Decimal) -> Decimal | None:
        raw = self._settings.value(key, None)
        if raw is None:
            return default
        text = str(raw).strip()
        if not text:
            return None  # switched off
        try:
            value = Decimal(text)
        except InvalidOperation:
            return default
        return value if value.is_finite() and value > 0 else default

    # -- notifications -----------------------------------------------------------------------

    def fill_sound(self) -> bool:
        return _flag(self._settings.value("notify/fill_sound", True), True)

    def fill_tray(self) -> bool:
        return _flag(self._settings.value("notify/fill_tray", True), True)

    def set_fill_sound(self, on: bool) -> None:
        self._settings.setValue("notify/fill_sound", on)

    def set_fill_tray(self, on: bool) -> None:
        self._settings.setValue("notify/fill_tray", on)


def _flag(value: object, default: bool) -> bool:
    """QSettings gives back bools from an INI file as the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return default if value is None else bool(value)
