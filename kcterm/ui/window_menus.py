"""The main window's menus: layouts (named, default), panels, theme, trading, hotkeys, safety.

Their dialogs are shown with open(), never exec(): a nested event loop would step the asyncio
tasks from inside a Qt slot (see ui/ask.py), and a window-modal dialog blocks only this window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu

from kcterm.ui.hotkeys_dialog import HotkeysDialog
from kcterm.ui.safety_dialog import SafetyDialog
from kcterm.ui.theme import THEMES, colors

if TYPE_CHECKING:
    from kcterm.ui.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    bar = window.menuBar()
    layout_menu = bar.addMenu("&Layout")
    save = layout_menu.addAction("Save layout as…")
    save.triggered.connect(lambda: _save_named(window))
    restore = layout_menu.addMenu("Restore layout")
    restore.aboutToShow.connect(lambda: _fill(restore, window, window.layouts.restore))
    delete = layout_menu.addMenu("Delete layout")
    delete.aboutToShow.connect(lambda: _fill(delete, window, window.layouts.delete))
    layout_menu.addSeparator()
    default = layout_menu.addAction("Restore default layout")
    default.setObjectName("restoreDefaultLayout")
    default.triggered.connect(window.layouts.restore_default)

    view = bar.addMenu("&View")
    for dock in window.docks.values():
        view.addAction(dock.toggleViewAction())
    view.addSeparator()
    theme_menu = view.addMenu("Theme")
    group = QActionGroup(theme_menu)
    for name in THEMES:
        action = QAction(name.capitalize(), theme_menu, checkable=True)
        action.setChecked(name == colors().name)
        action.triggered.connect(lambda _on=False, n=name: window.set_theme(n))
        group.addAction(action)
        theme_menu.addAction(action)

    trading = bar.addMenu("&Trading")
    one_click = trading.addAction("One-click trading on the ladder")
    one_click.setCheckable(True)
    one_click.toggled.connect(window.book.one_click.setChecked)
    window.book.one_click.toggled.connect(one_click.setChecked)
    for name in ("buy_best", "sell_best", "cancel_all"):
        trading.addAction(window.hotkeys.actions[name])
    everywhere = trading.addAction("Cancel all orders, every contract")
    everywhere.triggered.connect(window.open_orders.cancel_everywhere_button.click)
    trading.addSeparator()
    for name in ("close_position", "flatten_all"):
        trading.addAction(window.hotkeys.actions[name])
    trading.addSeparator()
    keys = trading.addAction("Hotkeys…")
    keys.triggered.connect(lambda: _show(HotkeysDialog(window.hotkeys, window)))
    safety = trading.addAction("Safety: confirmations, limits, notifications…")
    safety.setObjectName("safetyAction")
    safety.triggered.connect(lambda: _safety(window))


def _show(dialog: QDialog) -> QDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _safety(window: MainWindow) -> QDialog:
    dialog = SafetyDialog(window.prefs, window)
    dialog.accepted.connect(window.apply_prefs)
    return _show(dialog)


def _save_named(window: MainWindow) -> QDialog:
    dialog = QInputDialog(window)
    dialog.setWindowTitle("Save layout")
    dialog.setLabelText("Name of this layout:")

    def save(name: str) -> None:
        if name.strip():  # an empty name saves nothing: the dialog just closes
            window.layouts.save(name)

    dialog.textValueSelected.connect(save)
    return _show(dialog)


def _fill(menu: QMenu, window: MainWindow, act) -> None:
    menu.clear()
    names = window.layouts.names()
    if not names:
        menu.addAction("(no saved layouts)").setEnabled(False)
    for name in names:
        menu.addAction(name).triggered.connect(lambda _on=False, n=name: act(n))
