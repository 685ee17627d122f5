"""The right half of the settings dialog: one profile's fields.

Secret fields are write-only: they start empty (a placeholder says whether a key is stored and
where), what is typed is handed to the keyring once and the fields are cleared again.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from kcterm.profiles import (
    CUSTOM,
    EMBEDDED,
    KUCOIN,
    Credentials,
    Profile,
    ProfileError,
    SecretStore,
)
from kcterm.profiles.profile import KEY_VERSIONS
from kcterm.profiles.secrets import LEGACY_ENV

KIND_TEXT = {
    EMBEDDED: "Embedded practice exchange (demo account, no keys needed)",
    KUCOIN: "KuCoin Futures — LIVE, real money",
    CUSTOM: "Custom address (another kcterm-sim, a test venue …)",
}

MONEY_CHOICES = (
    ("auto", "Decide from the address (LIVE unless it is this computer)"),
    ("real", "Real money: always LIVE"),
    ("test", "Test venue: no real money"),
)


class ProfileForm(QWidget):
    def __init__(self, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secrets = secrets
        self.kind = EMBEDDED
        self.name_edit = QLineEdit()
        self.kind_label = QLabel()
        self.address_edit = QLineEdit()
        self.address_edit.setPlaceholderText("http://192.0.2.5:8600")
        # Real money or not is decided from the address (LIVE unless loopback) unless the
        # user says otherwise; the line under it says what the profile will be, as typed.
        self.money_combo = QComboBox()
        for key, text in MONEY_CHOICES:
            self.money_combo.addItem(text, key)
        self.money_combo.setObjectName("profileMoneyCombo")
        self.live_label = QLabel()
        self.live_label.setObjectName("profileLiveLabel")
        self.live_label.setWordWrap(True)
        self.address_edit.textChanged.connect(self._update_live_label)
        self.money_combo.currentIndexChanged.connect(self._update_live_label)
        self.key_name_edit = QLineEdit()
        self.key_name_edit.setPlaceholderText("the key's name on the exchange, e.g. kcterm-desk")
        self.key_edit = QLineEdit()
        self.secret_edit = QLineEdit()
        self.passphrase_edit = QLineEdit()
        for edit in (self.key_edit, self.secret_edit, self.passphrase_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.version_combo = QComboBox()
        self.version_combo.addItems(list(reversed(KEY_VERSIONS)))  # "3" first: today's keys
        self.storage_label = QLabel()
        self.storage_label.setWordWrap(True)
        self.form = QFormLayout(self)
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Exchange", self.kind_label)
        self.form.addRow("Address", self.address_edit)
        self.form.addRow("Money", self.money_combo)
        self.form.addRow("", self.live_label)
        self.form.addRow("Key name", self.key_name_edit)
        self.form.addRow("API key", self.key_edit)
        self.form.addRow("API secret", self.secret_edit)
        self.form.addRow("Passphrase", self.passphrase_edit)
        self.form.addRow("Key version", self.version_combo)
        self.form.addRow("", self.storage_label)

    def show_profile(self, profile: Profile, *, new: bool = False) -> None:
        self.kind = profile.kind
        self.name_edit.setText(profile.name)
        self.name_edit.setReadOnly(not new)  # the name finds the keys: fixed once saved
        self.kind_label.setText(KIND_TEXT[profile.kind])
        self.address_edit.setText(profile.address)
        money = "real" if profile.real_money else "test" if profile.test_venue else "auto"
        self.money_combo.setCurrentIndex(self.money_combo.findData(money))
        self.key_name_edit.setText(profile.key_name)
        self.version_combo.setCurrentText(profile.key_version)
        self.clear_secrets()
        custom = profile.kind == CUSTOM
        custom_rows: tuple[QWidget, ...] = (self.address_edit, self.money_combo, self.live_label)
        for row in custom_rows:
            self.form.setRowVisible(row, custom)
        self._update_live_label()
        keyed = profile.needs_keys
        for widget in [*self._key_widgets(), self.storage_label]:
            self.form.setRowVisible(widget, keyed)
        if keyed:
            self._describe_storage(profile, new)

    def _key_widgets(self) -> list[QWidget]:
        return [
            self.key_name_edit,
            self.key_edit,
            self.secret_edit,
            self.passphrase_edit,
            self.version_combo,
        ]

    def _describe_storage(self, profile: Profile, new: bool) -> None:
        found = None if new else self.secrets.load(profile)
        stored = {
            None: "not stored",
            "keyring": "stored in the keyring (type to replace)",
            "environment": "read from the environment",
        }[None if found is None else found.source]
        for edit in (self.key_edit, self.secret_edit, self.passphrase_edit):
            edit.setPlaceholderText(stored)
        # Without a keyring the fields would only invite a secret we cannot keep.
        can_store = self.secrets.has_keyring
        for edit in (self.key_edit, self.secret_edit, self.passphrase_edit):
            edit.setEnabled(can_store)
        text = self.secrets.describe()
        if not can_store or found is None or found.source == "environment":
            names = ", ".join(self.secrets.env_names(profile).values())
            text += f" Environment variables for this profile: {names}"
            if profile.kind == KUCOIN:
                text += f" (or {', '.join(LEGACY_ENV.values())})"
            text += "."
        self.storage_label.setText(text)

    def read_profile(self, name: str | None = None) -> Profile:
        """The profile as typed (ProfileError naming the field when a value is wrong)."""
        return Profile(
            name=self.name_edit.text().strip() if name is None else name,
            kind=self.kind,
            address=self.address_edit.text().strip().rstrip("/") if self.kind == CUSTOM else "",
            key_name=self.key_name_edit.text().strip(),
            key_version=self.version_combo.currentText(),
            real_money=self.kind == CUSTOM and self.money_combo.currentData() == "real",
            test_venue=self.kind == CUSTOM and self.money_combo.currentData() == "test",
        )

    def _update_live_label(self) -> None:
        if self.kind != CUSTOM:
            self.live_label.clear()
            return
        try:
            profile = self.read_profile(name="check")  # the name plays no part here
        except ProfileError as exc:
            self.live_label.setText(str(exc))
            return
        self.live_label.setText(
            "LIVE: real money. Every order asks for a confirmation by default."
            if profile.is_live
            else "Not live: a test venue, no real money."
        )

    def typed_secrets(self) -> tuple[str, str, str] | None:
        """Key, secret and passphrase when all three are typed, else None."""
        values = (self.key_edit.text().strip(), self.secret_edit.text().strip())
        passphrase = self.passphrase_edit.text()
        if all(values) and passphrase:
            return values[0], values[1], passphrase
        return None

    def typed_credentials(self) -> Credentials | None:
        typed = self.typed_secrets()
        if typed is None:
            return None
        return Credentials(*typed, key_version=self.version_combo.currentText())

    def clear_secrets(self) -> None:
        for edit in (self.key_edit, self.secret_edit, self.passphrase_edit):
            edit.clear()
