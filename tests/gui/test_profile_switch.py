"""Switching profiles in the running app: practice -> a live-marked custom profile -> quit, and
a profile that cannot open sends the user back to the one before, saying why."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kcterm.desk import Desk
from kcterm.embedded import EmbeddedExchange
from kcterm.profiles import CUSTOM, Profile, SecretStore, SettingsFile
from tests.waiting import wait_for


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    return tmp_path


def args() -> argparse.Namespace:
    return argparse.Namespace(
        symbol="XBTUSDTM", seed=3, reset_practice=True, screenshot=None, theme="dark", after=0
    )


async def test_switch_to_a_live_profile_then_back_after_a_failed_open(
    home: Path, qtbot, exchange: EmbeddedExchange
) -> None:
    cfg = exchange.config
    settings = SettingsFile()
    settings.put(Profile("lab", CUSTOM, address=exchange.base_url, real_money=True))
    settings.put(Profile("keyless", CUSTOM, address=exchange.base_url))
    environ = {
        "KCTERM_LAB_API_KEY": cfg.key,
        "KCTERM_LAB_API_SECRET": cfg.secret,
        "KCTERM_LAB_API_PASSPHRASE": cfg.passphrase,
    }
    app = QApplication.instance()
    desk = Desk(args(), app, settings, SecretStore(environ=environ))
    warnings: list[str] = []
    desk.warn = lambda title, text: warnings.append(f"{title}: {text}")
    seen: list[str] = []

    async def window_of(name: str):
        await wait_for(
            lambda: desk.window is not None and desk.opened and desk.opened.profile.name == name,
            15,
            f"the {name} window",
        )
        seen.append(desk.window.windowTitle())
        return desk.window

    async def drive() -> None:
        practice = await window_of("practice")
        assert practice.findChild(object, "profilesAction") is not None
        assert practice.status.venue_badge.text() == "SIM"
        desk.switch_to("lab")
        live = await window_of("lab")
        assert live.status.venue_badge.text() == "LIVE" and desk.opened.session.is_live
        desk.switch_to("keyless")  # no key anywhere: back to lab, with the reason
        await wait_for(lambda: warnings, 15, "the warning")
        await window_of("lab")
        desk.quit()

    task = asyncio.ensure_future(drive())
    assert await desk.run(settings.get("practice")) == 0
    assert task.done() and task.exception() is None
    assert "SIM" in seen[0] and "profile practice" in seen[0]
    assert "LIVE" in seen[1] and "profile lab" in seen[1]
    assert "No API key for profile 'keyless'" in warnings[0]
    assert "KCTERM_KEYLESS_API_KEY" in warnings[0]
    journals = sorted(p.name for p in (home / "data" / "kcterm" / "journal").iterdir())
    assert {"lab.sqlite", "practice.sqlite"} <= set(journals)  # one file per profile
