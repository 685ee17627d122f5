"""Profiles and the settings file: names and options only, never a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kcterm.profiles import CUSTOM, EMBEDDED, KUCOIN, Profile, ProfileError, SettingsFile


def test_defaults_are_practice_and_kucoin_live(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "profiles.json")
    assert settings.names() == ["practice", "kucoin"]
    assert settings.active == "practice"
    practice, kucoin = settings.get("practice"), settings.get("KuCoin")  # any letter case
    assert practice.kind == EMBEDDED and not practice.is_live and practice.venue == "sim"
    assert not practice.needs_keys and practice.rest_url == ""
    assert kucoin.kind == KUCOIN and kucoin.is_live and kucoin.venue == "live"
    assert kucoin.rest_url == "https://api-futures.kucoin.com"


def test_custom_profile_round_trips_and_file_holds_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "profiles.json"
    settings = SettingsFile(path)
    desk = Profile(
        "lab sim", CUSTOM, address="http://192.0.2.5:8600", key_name="desk", key_version="2"
    )
    settings.put(desk)
    settings.active = "lab sim"
    settings.save()
    data = json.loads(path.read_text())
    assert data["active"] == "lab sim"
    saved = next(p for p in data["profiles"] if p["name"] == "lab sim")
    assert saved == {
        "name": "lab sim",
        "kind": "custom",
        "address": "http://192.0.2.5:8600",
        "real_money": False,
        "test_venue": False,
        "key_name": "desk",
        "key_version": "2",
    }
    again = SettingsFile(path)
    assert again.get("lab sim") == desk and again.active == "lab sim"
    # A remote address nobody marked as a test venue is real money (issue 10 item 7).
    assert desk.venue == "live" and desk.slug == "LAB_SIM"
    assert desk.with_changes(test_venue=True).venue == "custom"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"name": "", "kind": CUSTOM, "address": "http://h:1"}, "name"),
        ({"name": "x" * 41, "kind": CUSTOM, "address": "http://h:1"}, "name"),
        ({"name": "a", "kind": "binance"}, "kind"),
        ({"name": "a", "kind": CUSTOM, "address": "ftp://h"}, "address"),
        ({"name": "a", "kind": CUSTOM, "address": "http://h:1/api"}, "address"),
        ({"name": "a", "kind": KUCOIN, "address": "http://h:1"}, "address"),
        ({"name": "a", "kind": CUSTOM, "address": "http://h:1", "key_version": "1"}, "key_version"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(fields: dict, named: str) -> None:
    with pytest.raises(ProfileError, match=f"^{named}:"):
        Profile(**fields)


def test_built_ins_cannot_be_removed_or_duplicated(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "profiles.json")
    with pytest.raises(ProfileError, match="built in"):
        settings.remove("kucoin")
    with pytest.raises(ProfileError, match="already a kucoin profile"):
        settings.put(Profile("second live", KUCOIN))
    with pytest.raises(ProfileError, match="already a embedded profile"):
        settings.put(Profile("practice", CUSTOM, address="http://h:1"))
    settings.put(Profile("other", CUSTOM, address="http://h:1"))
    settings.active = "other"
    settings.remove("other")
    assert settings.active == "practice" and "other" not in settings.names()
    with pytest.raises(KeyError, match="profiles: practice, kucoin"):
        settings.get("other")


def test_a_damaged_file_falls_back_to_defaults_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    path.write_text("{not json")
    settings = SettingsFile(path)
    assert settings.names() == ["practice", "kucoin"]
    assert "could not be read" in settings.problems[0]
    path.write_text(json.dumps({"active": "ghost", "profiles": [{"name": "", "kind": "custom"}]}))
    settings = SettingsFile(path)
    assert settings.active == "practice" and "skipped" in settings.problems[0]


def test_save_refuses_a_secret_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SettingsFile(tmp_path / "profiles.json")
    # A careless future field: to_json growing a "secret" must fail loudly, not reach the disk.
    leaky = Profile.to_json
    monkeypatch.setattr(Profile, "to_json", lambda self: {**leaky(self), "secret": "s3cr3t-value"})
    with pytest.raises(RuntimeError, match="secret"):
        settings.save()
    assert not (tmp_path / "profiles.json").exists()
