"""Settings → Profiles and keys: list, edit, test and switch connection profiles.

Switching to a profile that trades real money asks first, in words that say so; the switch
itself is the composition root's job (kcterm.app): the dialog only emits `switch_requested`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from kcterm.profiles import (
    CUSTOM,
    EMBEDDED,
    KUCOIN,
    Credentials,
    NoKeyringError,
    Profile,
    ProfileError,
    SecretStore,
)
from kcterm.profiles import SettingsFile as ProfileSettings
from kcterm.profiles.connection_check import ConnectionReport
from kcterm.ui.ask import ask
from kcterm.ui.profile_form import ProfileForm

Checker = Callable[[Profile, Credentials | None], Awaitable[ConnectionReport]]
ConfirmLive = Callable[[Profile], bool | Awaitable[bool]]


class SettingsDialog(QDialog):
    switch_requested = Signal(str)

    def __init__(
        self,
        settings: ProfileSettings,
        secrets: SecretStore,
        current: str,
        check: Checker,
        *,
        confirm_live: ConfirmLive | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Profiles and keys")
        self.setObjectName("settingsDialog")
        self.resize(820, 520)
        self.settings = settings
        self.secrets = secrets
        self.current = current
        self.check = check
        self.confirm_live = confirm_live or self._ask_live
        self._new = False  # the form shows a custom profile not saved yet
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._selected)
        self.new_button = QPushButton("New custom profile")
        self.new_button.clicked.connect(self.new_custom)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.form = ProfileForm(secrets)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.use_button = QPushButton("Use this profile")
        self.use_button.clicked.connect(self.use_selected)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("settingsMessage")
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText(
            "Test connection checks the server, the key and its rights."
        )
        self.report_view.setMaximumHeight(120)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)
        left.addWidget(self.delete_button)
        actions = QHBoxLayout()
        for button in (self.save_button, self.test_button, self.use_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(close)
        right = QVBoxLayout()
        right.addWidget(self.form)
        right.addWidget(self.message)
        right.addWidget(self.report_view)
        right.addLayout(actions)
        body = QHBoxLayout(self)
        body.addLayout(left, 2)
        body.addLayout(right, 5)
        for problem in settings.problems:
            self._say(problem, error=True)
        self._fill(current)

    # -- list ------------------------------------------------------------------------------

    def _fill(self, select: str) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for name in self.settings.names():
            profile = self.settings.profiles[name]
            kind = {EMBEDDED: "embedded exchange", KUCOIN: "KuCoin"}.get(profile.kind, "custom")
            text = f"{name} · {kind}{' · LIVE' if profile.is_live else ''}"
            text += "  ● in use" if name == self.current else ""
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list.addItem(item)
            if name == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._selected(self.list.currentItem(), None)

    def selected_name(self) -> str:
        item = self.list.currentItem()
        return "" if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _selected(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        self._new = False
        profile = self.settings.profiles[str(item.data(Qt.ItemDataRole.UserRole))]
        self.form.show_profile(profile)
        self.report_view.clear()
        self.delete_button.setEnabled(profile.kind == CUSTOM)
        self.use_button.setEnabled(profile.name != self.current)

    def new_custom(self) -> None:
        self.list.clearSelection()
        self._new = True
        number = len(self.settings.profiles)
        self.form.show_profile(
            Profile(f"custom-{number}", CUSTOM, address="http://127.0.0.1:8600"), new=True
        )
        self.use_button.setEnabled(False)
        self.delete_button.setEnabled(False)
        self._say("Name the profile, give its address and key, then Save.")

    # -- actions ---------------------------------------------------------------------------

    def save(self) -> bool:
        try:
            profile = self.form.read_profile()
            if self._new and profile.name in self.settings.profiles:
                raise ProfileError(f"name: there is already a profile {profile.name!r}")
            self.settings.put(profile)
        except ProfileError as exc:
            self._say(str(exc), error=True)
            return False
        typed = self.form.typed_secrets()
        note = ""
        if typed is not None:
            try:
                self.secrets.save(profile, *typed)
                note = " The key is in the keyring."
            except NoKeyringError as exc:
                note = f" The key was NOT stored: {exc}"
            except ValueError as exc:
                note = f" The key was not stored: {exc}"
        self.form.clear_secrets()  # secrets leave the widgets as soon as they are handed on
        self.settings.save()
        self._new = False
        self._fill(profile.name)
        self._say(f"Saved {profile.name}.{note}", error="NOT" in note)
        return True

    def delete_selected(self) -> None:
        name = self.selected_name()
        if not name:
            return
        try:
            profile = self.settings.get(name)
            self.settings.remove(name)
        except (KeyError, ProfileError) as exc:
            self._say(str(exc), error=True)
            return
        self.secrets.delete(profile)
        self.settings.save()
        self._fill(self.current)
        self._say(f"Deleted {name} and its stored key.")

    @asyncSlot()
    async def test_connection(self) -> None:
        try:
            profile = self.form.read_profile()
        except ProfileError as exc:
            self._say(str(exc), error=True)
            return
        self.test_button.setEnabled(False)
        self.report_view.setPlainText(f"Testing {profile.describe()} …")
        try:
            report = await self.check(profile, self.form.typed_credentials())
        finally:
            self.test_button.setEnabled(True)
        self.report_view.setPlainText(report.text())
        self._say("Connection works." if report.ok else "The test found a problem.", not report.ok)

    def use_selected(self) -> None:
        name = self.selected_name()
        if not name or name == self.current:
            return
        profile = self.settings.profiles[name]
        verdict = self.confirm_live(profile) if profile.is_live else True
        if inspect.isawaitable(verdict):
            self._use_if_confirmed(verdict, name)
        else:
            self._use(name, verdict)

    @asyncSlot(object, str)
    async def _use_if_confirmed(self, verdict: Awaitable[bool], name: str) -> None:
        self._use(name, await verdict)

    def _use(self, name: str, go: bool) -> None:
        if not go:
            self._say("Stayed on the current profile.")
            return
        self.settings.active = name
        self.settings.save()
        self.switch_requested.emit(name)
        self.accept()

    async def _ask_live(self, profile: Profile) -> bool:
        """Awaited (ui.ask), never exec(): the window's streams keep running meanwhile."""
        return await ask(
            self,
            "Switch to LIVE trading",
            f"Switch to {profile.describe()}?\n\nOrders on this profile spend REAL MONEY. "
            "The window will be marked LIVE and every order asks for confirmation.",
            live=True,
        )

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #e05260;" if error else "")
