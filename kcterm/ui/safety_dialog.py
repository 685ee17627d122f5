"""Trading → Safety…: which actions ask for a confirmation on this profile, the fat-finger limits
(maximum order value, maximum distance from the mark; empty switches one off) and the fill
notifications. Saved in QSettings and applied to the session at once."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.validation import SafetyLimits
from kcterm.ui.trading_prefs import CONFIRMS, TradingPrefs


class SafetyDialog(QDialog):
    def __init__(self, prefs: TradingPrefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefs = prefs
        venue = "the LIVE venue" if prefs.live else "practice"
        if prefs.profile:
            # Kept per profile: say which one, so nobody believes it covers every account.
            venue = f"profile {prefs.profile}{' (LIVE)' if prefs.live else ''}"
        self.setWindowTitle("Trading safety")
        asks = self.asks_group = QGroupBox(f"Ask before, on {venue}")
        asks_layout = QVBoxLayout(asks)
        self.confirm_boxes: dict[str, QCheckBox] = {}
        for spec in CONFIRMS:
            box = QCheckBox(spec.label)
            box.setChecked(prefs.asks(spec.name))
            asks_layout.addWidget(box)
            self.confirm_boxes[spec.name] = box
        limits = prefs.limits()
        self.max_value_edit = QLineEdit(_text(limits.max_order_value))
        self.max_value_edit.setPlaceholderText("no limit")
        self.max_distance_edit = QLineEdit(_text(limits.max_mark_distance_pct))
        self.max_distance_edit.setPlaceholderText("no limit")
        form = QFormLayout()
        form.addRow("Maximum order value (USDT)", self.max_value_edit)
        form.addRow("Maximum distance from the mark (%)", self.max_distance_edit)
        fat = QGroupBox("Fat-finger limits (checked before any order is sent)")
        fat.setLayout(form)
        self.sound_box = QCheckBox("Sound on fills")
        self.sound_box.setChecked(prefs.fill_sound())
        self.tray_box = QCheckBox("Desktop notification on fills (where there is a tray)")
        self.tray_box.setChecked(prefs.fill_tray())
        self.error_label = QLabel()
        self.error_label.setObjectName("ticketError")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(asks)
        layout.addWidget(fat)
        layout.addWidget(self.sound_box)
        layout.addWidget(self.tray_box)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def save(self) -> bool:
        try:
            limits = SafetyLimits(
                max_order_value=_amount(self.max_value_edit.text(), "Maximum order value"),
                max_mark_distance_pct=_amount(
                    self.max_distance_edit.text(), "Maximum distance from the mark"
                ),
            )
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return False
        for name, box in self.confirm_boxes.items():
            self.prefs.set_asks(name, box.isChecked())
        self.prefs.set_limits(limits)
        self.prefs.set_fill_sound(self.sound_box.isChecked())
        self.prefs.set_fill_tray(self.tray_box.isChecked())
        self.accept()
        return True


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _amount(text: str, what: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what}: {text!r} is not a number.") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what} must be above zero (or empty for no limit).")
    return value
