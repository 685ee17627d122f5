"""The running terminal: one profile open at a time, its MainWindow, and switching profiles.

Part of the composition root (kcterm.app builds the Desk and runs it on the qasync loop).
Switching closes the window, the session, the journal and, for practice, the embedded
exchange, then opens the chosen profile; if that fails, the previous profile is reopened and
the reason is shown.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from kcterm.profile_runner import MissingKeys, OpenedProfile, check_profile, open_profile
from kcterm.profiles import Credentials, Profile, SecretStore, SettingsFile
from kcterm.profiles.connection_check import ConnectionReport, refusal
from kcterm.ui import modal_guard
from kcterm.ui.ask import inform
from kcterm.venue.errors import VenueError

if TYPE_CHECKING:  # imported when a window is shown (_show), not when the Desk is built
    from kcterm.ui.main_window import MainWindow
    from kcterm.ui.stale_veil import StaleVeil

log = logging.getLogger("kcterm.desk")
QUIT = ""  # the outcome of a run that ends the program


class Desk:
    def __init__(
        self,
        args: argparse.Namespace,
        app: QApplication,
        settings: SettingsFile,
        secrets: SecretStore,
        log_dir: Path | None = None,
        *,
        release_collector: bool = False,
    ) -> None:
        """`release_collector`: the caller (kcterm.app) holds the cyclic collector off while
        the app loads; the first window shown freezes what the start made and turns it on."""
        self.args = args
        self.release_collector = release_collector
        self.app = app
        self.settings = settings
        self.secrets = secrets
        self.log_dir = log_dir
        self.opened: OpenedProfile | None = None
        self.window: MainWindow | None = None
        self.veils: dict[str, StaleVeil] = {}  # the shown window's stale veils, by dock
        self._outcome: asyncio.Future[str] | None = None
        # Windows come and go when profiles switch: only the Desk decides when to quit.
        app.setQuitOnLastWindowClosed(False)
        modal_guard.install()  # a nested exec() inside a coroutine is logged as the bug it is
        # Called inside run() (a coroutine): a message opened, never a nested event loop.
        self.warn = lambda title, text: inform(None, title, text, warning=True)  # tests replace it

    # -- the run loop --------------------------------------------------------------------------

    async def run(self, profile: Profile) -> int:
        previous: Profile | None = None
        reset = self.args.reset_practice
        while True:
            from kcterm.ui.connect_progress import ConnectProgress

            progress = ConnectProgress(f"Connecting: {profile.describe()}…")
            progress.show()  # the loop runs while connecting, so the bar moves
            # The window's modules now, before the profile opens: for practice its exchange
            # is still booting in its own process, and this is the wait they fill (issue 14).
            import kcterm.ui.main_window  # noqa: F401

            try:
                self.opened = await open_profile(
                    profile,
                    self.secrets,
                    [self.args.symbol],
                    seed=self.args.seed,
                    reset_practice=reset,
                )
            except (VenueError, MissingKeys, OSError, RuntimeError) as exc:
                text = refusal(exc) if isinstance(exc, VenueError) else str(exc)
                log.error("could not open profile %s: %s", profile.name, text)
                if previous is None:
                    print(f"kcterm: could not open profile {profile.name}: {text}")
                    return 1
                self.warn("Profile not opened", f"{profile.describe()}:\n{text}")
                profile, previous = previous, None
                continue
            finally:
                progress.close()
                progress.deleteLater()
            reset = False  # only the first practice run starts afresh
            outcome = await self._show(self.opened)
            await self.opened.close()
            self.opened = None
            if outcome == QUIT or isinstance(outcome, int):
                return outcome if isinstance(outcome, int) else 0
            previous, profile = profile, self.settings.get(outcome)
            log.info("switching from profile %s to %s", previous.name, profile.name)

    async def _show(self, opened: OpenedProfile) -> str | int:
        from kcterm.ui.main_window import MainWindow
        from kcterm.ui.profile_menu import install_settings_menu
        from kcterm.ui.screenshot import take_screenshot
        from kcterm.ui.stale_veil import veil_docks

        args = self.args
        # A screenshot shows the default layout, never whatever the user arranged last. The
        # chart comes after the first frame with data (issue 14: the window first).
        window = MainWindow(
            opened.session,
            args.symbol,
            theme=args.theme,
            remember_layout=args.screenshot is None,
            chart_later=True,
        )
        install_settings_menu(
            window,
            opened.profile,
            open_settings=self.open_settings,
            export=self._export if opened.writer is not None else None,
            log_dir=self.log_dir,
        )
        self.window = window
        # Panels whose feed is stale are greyed with their age (issue 10).
        self.veils = veil_docks(window)
        # One frame's refresh before the first paint: the panels show what the session holds
        # already (the book's snapshot, the ticker), not an empty first frame (issue 14).
        window.frame_clock.tick()
        window.show()
        if self.release_collector:  # kcterm.app held the collector off while it loaded
            self.release_collector = False
            gc.freeze()
            gc.enable()
        if args.screenshot:
            code = await take_screenshot(
                window, opened.session, args.symbol, args.screenshot, args.after
            )
            window.close()
            return code
        self._outcome = asyncio.get_running_loop().create_future()
        self.app.lastWindowClosed.connect(self.quit)
        try:
            return await self._outcome
        finally:
            self.app.lastWindowClosed.disconnect(self.quit)
            self.window = None
            window.close()
            window.deleteLater()

    def quit(self) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(QUIT)
        elif self._outcome is None:  # before any window: stop the loop's main task
            QApplication.quit()

    def switch_to(self, name: str) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(name)

    # -- the Settings menu ---------------------------------------------------------------------

    def open_settings(self) -> None:
        from kcterm.ui.settings_dialog import SettingsDialog

        current = self.opened.profile.name if self.opened else ""
        dialog = SettingsDialog(
            self.settings, self.secrets, current, self.check, parent=self.window
        )
        dialog.switch_requested.connect(self.switch_to)
        dialog.open()

    async def check(self, profile: Profile, typed: Credentials | None) -> ConnectionReport:
        return await check_profile(profile, self.secrets, typed, self.opened)

    def _export(self, path: Path) -> str:
        from kcterm.journal_store.export import export_csv, plain  # not before the first window

        opened = self.opened
        assert opened is not None and opened.writer is not None
        opened.writer.flush()
        summary = export_csv(opened.writer.path, path)
        return (
            f"{summary.fills} fills and {summary.funding} funding payments written to {path}.\n"
            f"Realised PnL {plain(summary.realised_pnl)}, fees {plain(summary.fees)}, "
            f"funding {plain(summary.funding_total)}."
        )
