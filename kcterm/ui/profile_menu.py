"""The Settings menu of the main window: profiles and keys, the journal export, the log folder.

Installed by the composition root after the window is built, so the window itself needs to
know nothing about profiles. Its dialogs open with open(), never a nested event loop (ui/ask.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from kcterm.profiles import Profile
from kcterm.ui.ask import inform
from kcterm.ui.journal_panel import JournalPanel

# Writes the open profile's fills and funding to the path; returns a one-line summary.
Exporter = Callable[[Path], str]


def install_settings_menu(
    window: QMainWindow,
    profile: Profile,
    *,
    open_settings: Callable[[], None],
    export: Exporter | None,
    log_dir: Path | None,
) -> QMenu:
    menu = window.menuBar().addMenu("&Settings")
    menu.setObjectName("settingsMenu")
    shown = menu.addAction(f"Profile: {profile.describe()}")
    shown.setEnabled(False)
    profiles = menu.addAction("Profiles and keys…")
    profiles.setObjectName("profilesAction")
    profiles.triggered.connect(open_settings)
    menu.addSeparator()
    if export is not None:
        action = menu.addAction("Export fills and PnL as CSV…")
        action.setObjectName("exportJournalAction")
        action.triggered.connect(lambda: _export(window, profile, export))
        panel = getattr(window, "journal", None)
        if isinstance(panel, JournalPanel):  # the journal panel exports too
            panel.add_export(action)
    if log_dir is not None:
        logs = menu.addAction("Open log folder")
        logs.triggered.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir))))
    window.setWindowTitle(f"{window.windowTitle()} · profile {profile.name}")
    return menu


def _export(window: QMainWindow, profile: Profile, export: Exporter) -> QFileDialog:
    dialog = QFileDialog(window, "Export fills and PnL", f"kcterm-{profile.slug.lower()}-fills.csv")
    dialog.setNameFilter("CSV (*.csv)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.fileSelected.connect(lambda name: _write(window, export, name))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _write(window: QMainWindow, export: Exporter, name: str) -> None:
    if not name:
        return
    try:
        summary = export(Path(name))
    except OSError as exc:
        inform(window, "Export failed", f"Could not write {name}: {exc}", warning=True)
        return
    inform(window, "Journal exported", summary)
