"""Test connection against the embedded exchange over loopback: time, key, permissions."""

from __future__ import annotations

from kcterm.profile_runner import check_profile
from kcterm.profiles import CUSTOM, Profile, SecretStore
from kcterm.profiles.connection_check import check_connection
from kcterm.sim import SimExchange
from kcterm.sim.config import READ_ONLY_KEY
from kcterm.venue.kucoin.signer import Credentials
from tests.integration.conftest import credentials_for


async def test_a_good_key_passes_every_check(sim: SimExchange) -> None:
    report = await check_connection(sim.base_url, credentials_for(sim))
    assert report.ok, report.text()
    assert [line.what for line in report.lines] == ["Server time", "API key", "Trading"]
    assert abs(report.clock_offset_ms or 0) < 1_000
    assert "equity 100000" in report.lines[1].text
    assert "checked, not placed" in report.lines[2].text
    orders = await sim_orders(sim)
    assert orders == []  # the test order was never placed


async def sim_orders(sim: SimExchange) -> list:
    from kcterm.venue.kucoin.rest import RestClient

    rest = RestClient(sim.base_url, credentials_for(sim))
    try:
        return await rest.active_orders()
    finally:
        await rest.close()


async def test_a_read_only_key_is_told_it_cannot_trade_in_kucoins_words(sim: SimExchange) -> None:
    cfg = sim.config
    report = await check_connection(
        sim.base_url, Credentials(READ_ONLY_KEY, cfg.secret, cfg.passphrase)
    )
    assert not report.ok
    assert report.lines[1].ok  # it may read
    trading = report.lines[2]
    assert not trading.ok and "may read but not trade" in trading.text
    assert "400007" in trading.text and "KuCoin said: “Access denied" in trading.text


async def test_a_wrong_passphrase_and_a_missing_key(sim: SimExchange) -> None:
    cfg = sim.config
    wrong = await check_connection(sim.base_url, Credentials(cfg.key, cfg.secret, "not-it"))
    assert [line.ok for line in wrong.lines] == [True, False]
    assert "passphrase is wrong" in wrong.lines[1].text and "400004" in wrong.lines[1].text
    none = await check_connection(sim.base_url, None)
    assert not none.ok and "no API key is stored" in none.lines[-1].text


async def test_no_server_is_one_clear_line() -> None:
    report = await check_connection("http://127.0.0.1:9", None, timeout=2)
    assert len(report.lines) == 1 and not report.ok
    assert "did not answer" in report.lines[0].text and "network or the server" in report.text()


async def test_a_custom_profile_uses_typed_keys_then_its_environment(sim: SimExchange) -> None:
    profile = Profile("lab", CUSTOM, address=sim.base_url)
    cfg = sim.config
    environ = {
        "KCTERM_LAB_API_KEY": cfg.key,
        "KCTERM_LAB_API_SECRET": cfg.secret,
        "KCTERM_LAB_API_PASSPHRASE": cfg.passphrase,
    }
    stored = await check_profile(profile, SecretStore(environ=environ))
    assert stored.ok, stored.text()
    typed = Credentials(READ_ONLY_KEY, cfg.secret, cfg.passphrase)
    assert not (await check_profile(profile, SecretStore(environ=environ), typed)).ok
    missing = await check_profile(profile, SecretStore(environ={}))
    assert "no API key is stored" in missing.text()
