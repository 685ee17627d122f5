"""Composition root: command line, logging, QApplication + qasync loop, profiles, MainWindow.

`kcterm` alone opens the practice profile (the embedded exchange with its demo account).
`kcterm --profile NAME` opens a saved profile; `kcterm --venue live` is `--profile kucoin`.
A live profile trades real money: the window is marked LIVE and each order is confirmed.
`kcterm journal export ...` writes a profile's fills and realised PnL as CSV (no window).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

# Light imports only: the practice exchange's process is launched before anything heavy (Qt,
# the session, the window) is imported, so that it boots while they load. On Linux it is a
# fork made once asyncio and aiohttp are imported (kcterm.embedded.can_fork), which both use.
from kcterm.profiles import KUCOIN_REST_URL, Profile, SecretStore, SettingsFile
from kcterm.profiles.profile import KUCOIN_NAME, PRACTICE_NAME

LIVE_REST_URL = KUCOIN_REST_URL
_UNPROBED: Any = object()
DEFAULT_SYMBOL = "XBTUSDTM"
log = logging.getLogger("kcterm.app")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kcterm",
        description=__doc__,
        epilog="Also: kcterm journal export --profile NAME --since DATE --csv FILE",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="open this profile (Settings → Profiles and keys); default: practice",
    )
    parser.add_argument(
        "--venue",
        choices=("sim", "live"),
        help="sim: the embedded practice exchange; live: KuCoin Futures (the kucoin profile)",
    )
    parser.add_argument("--symbol", default=DEFAULT_SYMBOL, help="contract to open on")
    parser.add_argument("--seed", type=int, default=7, help="seed of the embedded market")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="save the window as PNG once market data has arrived, then exit",
    )
    parser.add_argument(
        "--after",
        type=float,
        default=1.5,
        metavar="SECONDS",
        help="with --screenshot: wait this long after data arrives",
    )
    parser.add_argument(
        "--theme", choices=("dark", "light"), help="colour theme (default: the last one used)"
    )
    parser.add_argument(
        "--reset-practice",
        action="store_true",
        help="start the embedded exchange's demo account afresh (100,000 USDT, no positions)",
    )
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    if args.profile and args.venue:
        parser.error("--profile and --venue: give one of them")
    return args


class KeyringOnFirstUse(SecretStore):
    """The secret store of a profile that needs no key (practice): the keyring backends, a
    fifth of a second to import and probe, are looked for when a secret is first read or
    written (the settings dialog), not before the first window."""

    def __init__(self) -> None:
        self._backend: Any = _UNPROBED
        super().__init__(backend=_UNPROBED)

    @property
    def backend(self) -> Any:
        if self._backend is _UNPROBED:
            from kcterm.profiles.secrets import usable_keyring

            self._backend = usable_keyring()
            if self._backend is None:
                log.info("no keyring backend: profile secrets come from the environment only")
        return self._backend

    @backend.setter
    def backend(self, value: Any) -> None:
        self._backend = value


def cheapen_pyside_import_hook() -> bool:
    """Make PySide6's after-import check cheap; True if installed. Call after `import PySide6`.

    PySide6 (6.x, shibokensupport/feature.py) decides for every module imported after it
    whether the module "uses PySide" (its default for `from __feature__ import ...`):
    `_mod_uses_pyside(module)` is `"PySide6" in inspect.getsource(module)`, False when there
    is no source. inspect.getsource goes through linecache (tokenize, all lines kept in
    memory): about a tenth of a millisecond a module, for the ~400 modules the first window
    imports. This answers the same from the file's bytes: a source file is in an ASCII-
    compatible encoding, so "PySide6" is in its text only if b"PySide6" is in its bytes; a file
    that has them, is not UTF-8 or is not a plain .py file on disk is left to the original.
    If PySide6 no longer has the function, nothing is replaced."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "__wrapped__", None) is not None:  # installed already
        return True

    def mod_uses_pyside(module: Any) -> Any:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError:
                return original(module)
            if b"PySide6" not in data:
                return False
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return original(module)
            return True
        return original(module)

    mod_uses_pyside.__wrapped__ = original  # type: ignore[attr-defined]
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]
    return True


def import_pyside() -> bool:
    """Import PySide6 and make its after-import check cheap at once (every module imported
    from here on passes through it); True if the cheap check is installed."""
    import PySide6  # noqa: F401

    return cheapen_pyside_import_hook()


def choose_profile(args: argparse.Namespace, settings: SettingsFile) -> Profile:
    name = args.profile or {"live": KUCOIN_NAME}.get(args.venue or "", PRACTICE_NAME)
    try:
        return settings.get(name)
    except KeyError as exc:
        raise SystemExit(f"kcterm: {exc.args[0]}") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["journal"]:
        from kcterm.journal_store.cli import main as journal_main

        return journal_main(argv[1:])
    if argv[:1] == ["bench"]:  # the benchmarks (issue 14); the app never imports them
        from kcterm.bench.cli import main as bench_main

        return bench_main(argv[1:])
    args = parse_args(argv)
    # No cyclic collection while the app loads (issue 14): imports and the window build make
    # hundreds of thousands of objects that all live, and gen-0 passes over them cost a tenth
    # of the start. The Desk turns the collector back on once the window is shown, after
    # freezing what the start made (kept for good: later passes need not look at it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args, release_collector=collecting)
    finally:
        if collecting:
            gc.enable()  # the Desk has done so if a window was shown


def _run(args: argparse.Namespace, *, release_collector: bool) -> int:
    from kcterm.logging_setup import setup_logging

    log_path = setup_logging(args.log_level)
    settings = SettingsFile()
    profile = choose_profile(args, settings)
    if not profile.needs_keys:  # the practice exchange's process boots while the app loads
        from kcterm.profile_runner import prelaunch_practice

        prelaunch_practice(seed=args.seed, reset=args.reset_practice)
    if profile.needs_keys:
        secrets = SecretStore()  # probes the keyring backends now: the key is read at once
        if not secrets.has_keyring:
            log.info("no keyring backend: profile secrets come from the environment only")
        if secrets.load(profile) is None:
            raise SystemExit(f"kcterm: {secrets.missing_help(profile)}")
    else:
        secrets = KeyringOnFirstUse()
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if args.screenshot and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import asyncio

    import_pyside()  # Qt only once the command line is good
    from PySide6.QtWidgets import QApplication

    from kcterm.desk import Desk
    from kcterm.qt_loop import BatchedQEventLoop
    from kcterm.ui.crash_dialog import CrashHandler
    from kcterm.ui.theme import apply_dark_theme

    existing = QApplication.instance()
    # A QCoreApplication made elsewhere cannot show windows: only a QApplication will do.
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("kcterm")
    app.setOrganizationName("kcterm")
    apply_dark_theme(app)
    loop = BatchedQEventLoop(app)  # qasync's loop, ready callbacks run in batches
    asyncio.set_event_loop(loop)
    desk = Desk(args, app, settings, secrets, log_path.parent, release_collector=release_collector)
    crashes = CrashHandler(desk.quit, show=args.screenshot is None)
    crashes.install(loop)
    try:
        with loop:
            return loop.run_until_complete(desk.run(profile))
    finally:
        crashes.uninstall()


if __name__ == "__main__":
    raise SystemExit(main())
