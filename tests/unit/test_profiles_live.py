"""Live is live, whatever the profile is called: an address on KuCoin's production hosts
(spec/REFERENCE.md §1) is real money, a custom address is real money unless it is this computer
or marked a test venue, and confirmations are kept per profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kcterm.profiles import CUSTOM, KUCOIN, Profile, ProfileError, SettingsFile
from kcterm.profiles.profile import is_loopback_address, is_production_address
from kcterm.ui.trading_prefs import CONFIRMS, TradingPrefs

PRODUCTION = [
    "https://api-futures.kucoin.com",
    "https://api-futures.kucoin.com/",
    "HTTPS://API-FUTURES.KUCOIN.COM",
    "https://Api-Futures.KuCoin.com:443/",
    "http://api-futures.kucoin.com:8080",
    "https://api-futures.kucoin.com.",  # a fully qualified name is the same host
    "https://api.kucoin.com",
    "https://api-broker.kucoin.com",
    "https://api.kumex.com",  # the old brand
]


@pytest.mark.parametrize("address", PRODUCTION)
def test_a_custom_profile_on_a_kucoin_production_host_is_live(address: str) -> None:
    profile = Profile("my kucoin", CUSTOM, address=address)
    assert is_production_address(address)
    assert profile.is_live and profile.venue == "live" and "(LIVE)" in profile.describe()


@pytest.mark.parametrize("address", PRODUCTION[:5])
def test_a_production_host_is_never_a_test_venue(address: str) -> None:
    with pytest.raises(ProfileError, match=r"^test_venue:"):
        Profile("fake test", CUSTOM, address=address, test_venue=True)


@pytest.mark.parametrize(
    "address",
    ["https://kucoin.com.evil.example", "https://notkucoin.com", "https://kucoin.co"],
)
def test_look_alike_hosts_are_not_production_but_still_live_by_default(address: str) -> None:
    assert not is_production_address(address)
    assert Profile("other", CUSTOM, address=address).is_live  # unknown remote: real money


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:8600",
        "http://127.3.4.5:1",
        "http://localhost:8600/",
        "http://LOCALHOST:8600",
        "http://[::1]:8600",
        "http://[::ffff:127.0.0.1]:8600",
    ],
)
def test_loopback_is_not_live_unless_marked_real_money(address: str) -> None:
    assert is_loopback_address(address)
    profile = Profile("local sim", CUSTOM, address=address)
    assert not profile.is_live and profile.venue == "custom"
    assert profile.with_changes(real_money=True).is_live  # an SSH tunnel to KuCoin, say


@pytest.mark.parametrize(
    "address", ["http://192.0.2.5:8600", "http://10.0.0.7:8600", "http://sim.lab.example"]
)
def test_a_remote_custom_address_is_live_until_marked_a_test_venue(address: str) -> None:
    assert not is_loopback_address(address)
    profile = Profile("lab", CUSTOM, address=address)
    assert profile.is_live
    assert not profile.with_changes(test_venue=True).is_live


def test_real_money_and_test_venue_exclude_each_other_and_need_a_custom_profile() -> None:
    with pytest.raises(ProfileError, match=r"^test_venue:"):
        Profile("x", CUSTOM, address="http://192.0.2.5:1", real_money=True, test_venue=True)
    with pytest.raises(ProfileError, match=r"^test_venue:"):
        Profile("x", KUCOIN, test_venue=True)


def test_test_venue_round_trips_and_old_files_stay_safe(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    settings = SettingsFile(path)
    settings.put(Profile("lab", CUSTOM, address="http://192.0.2.5:8600", test_venue=True))
    settings.save()
    again = SettingsFile(path).get("lab")
    assert again.test_venue and not again.is_live
    # A file written before the option: real_money false on a remote address is now LIVE.
    old = Profile.from_json(
        {"name": "old", "kind": "custom", "address": "http://192.0.2.5:1", "real_money": False}
    )
    assert old.is_live and not old.test_venue
    # Only JSON true switches a mark on.
    loose = Profile.from_json(
        {"name": "s", "kind": "custom", "address": "http://192.0.2.5:1", "test_venue": "false"}
    )
    assert loose.is_live


def prefs_file(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "kcterm.ini"), QSettings.Format.IniFormat)


def test_live_profiles_ask_for_everything_by_default(tmp_path: Path) -> None:
    prefs = TradingPrefs(prefs_file(tmp_path), live=True, profile="MY_KUCOIN")
    assert all(prefs.asks(spec.name) for spec in CONFIRMS)


def test_confirmations_turned_off_on_one_live_profile_stay_on_for_the_others(
    tmp_path: Path,
) -> None:
    settings = prefs_file(tmp_path)
    main = TradingPrefs(settings, live=True, profile="KUCOIN")
    for spec in CONFIRMS:
        main.set_asks(spec.name, False)
    settings.sync()
    reread = prefs_file(tmp_path)
    assert not any(TradingPrefs(reread, True, "KUCOIN").asks(s.name) for s in CONFIRMS)
    other = TradingPrefs(reread, live=True, profile="SECOND_ACCOUNT")
    assert all(other.asks(spec.name) for spec in CONFIRMS)


def test_the_old_shared_live_group_does_not_switch_a_profile_off(tmp_path: Path) -> None:
    settings = prefs_file(tmp_path)
    settings.setValue("confirm/live/order", False)  # written by an older kcterm
    settings.setValue("confirm/practice/order", True)
    assert TradingPrefs(settings, live=True, profile="KUCOIN").asks("order")
    # Practice choices are kept: asking more is never the unsafe direction.
    assert TradingPrefs(settings, live=False, profile="PRACTICE").asks("order")
    assert not TradingPrefs(settings, live=False, profile="PRACTICE").asks("bracket")
