"""Secrets: the keyring when there is one, else the environment — never the disk.

The keyring path runs against a real keyring backend class (keyring's KeyringBackend API, kept
in memory here); the no-keyring path is keyring's own "fail" backend, which tests/conftest.py
gives every test whatever the machine has.
"""

from __future__ import annotations

import pytest

from kcterm.logging_setup import REDACTOR
from kcterm.profiles import CUSTOM, KUCOIN, NoKeyringError, Profile, SecretStore
from kcterm.profiles.secrets import usable_keyring
from tests.memory_keyring import MemoryKeyring

DESK = Profile("desk", CUSTOM, address="http://127.0.0.1:8600", key_version="2")
LIVE = Profile("kucoin", KUCOIN)


def test_keyring_round_trip_registers_secrets_for_redaction() -> None:
    ring = MemoryKeyring()
    store = SecretStore(ring, environ={})
    assert store.has_keyring and "keyring" in store.describe()
    assert store.load(DESK) is None
    store.save(DESK, " key-abc-123 ", "secret-abc-123", "pass-abc-123")
    assert ring.store[("kcterm", "desk/secret")] == "secret-abc-123"
    found = store.load(DESK)
    assert found is not None and found.source == "keyring"
    assert found.credentials.key == "key-abc-123" and found.credentials.key_version == "2"
    assert "secret-abc-123" not in repr(found.credentials)
    assert REDACTOR.redact("x secret-abc-123 y") == "x «redacted» y"
    store.delete(DESK)
    assert ring.store == {} and store.load(DESK) is None
    store.delete(DESK)  # deleting what is not there is fine


def test_keyring_refuses_an_incomplete_key() -> None:
    store = SecretStore(MemoryKeyring(), environ={})
    with pytest.raises(ValueError, match="passphrase: required"):
        store.save(DESK, "key-abc-123", "secret-abc-123", "")


def test_without_a_keyring_secrets_come_from_the_environment() -> None:
    # tests/conftest.py gives every test keyring's own "fail" backend, whatever the machine has
    # (Secret Service, keyrings.alt): the state of a bare Linux box, which kcterm must detect.
    assert usable_keyring() is None
    environ = {
        "KCTERM_DESK_API_KEY": "env-key-0001",
        "KCTERM_DESK_API_SECRET": "env-secret-0001",
        "KCTERM_DESK_API_PASSPHRASE": "env-pass-0001",
    }
    store = SecretStore(environ=environ)
    assert not store.has_keyring and "No keyring backend" in store.describe()
    found = store.load(DESK)
    assert found is not None and found.source == "environment"
    assert (found.credentials.secret, found.credentials.key_version) == ("env-secret-0001", "2")
    with pytest.raises(NoKeyringError, match="KCTERM_DESK_API_SECRET"):
        store.save(DESK, "k" * 8, "s" * 8, "p" * 8)


def test_kucoin_profile_also_reads_the_legacy_variables() -> None:
    environ = {
        "KUCOIN_API_KEY": "legacy-key-01",
        "KUCOIN_API_SECRET": "legacy-secret-01",
        "KUCOIN_API_PASSPHRASE": "legacy-pass-01",
        "KUCOIN_API_KEY_VERSION": "2",
    }
    store = SecretStore(environ=environ)
    found = store.load(LIVE)
    assert found is not None and found.credentials.key == "legacy-key-01"
    assert found.credentials.key_version == "2"
    assert store.load(DESK) is None  # only the kucoin profile falls back to them
    partial = SecretStore(environ={"KUCOIN_API_KEY": "legacy-key-01"})
    assert partial.load(LIVE) is None
    assert "KUCOIN_API_SECRET" in partial.missing_help(LIVE)


def test_keyring_first_then_environment() -> None:
    ring = MemoryKeyring()
    environ = {
        f"KCTERM_DESK_API_{f}": f"env-{f.lower()}-9" for f in ("KEY", "SECRET", "PASSPHRASE")
    }
    store = SecretStore(ring, environ=environ)
    assert store.load(DESK).source == "environment"  # type: ignore[union-attr]
    store.save(DESK, "ring-key-9", "ring-secret-9", "ring-pass-9")
    found = store.load(DESK)
    assert found is not None and found.source == "keyring" and found.credentials.key == "ring-key-9"
