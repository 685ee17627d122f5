"""A connection profile: which exchange, which key (by name), which key version.

A profile never holds a secret: the API key, secret and passphrase live in the keyring (or the
environment), found by the profile's name (kcterm.profiles.secrets). What is here is safe to
write to the settings file and to show on screen.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlparse

EMBEDDED = "embedded"  # the practice exchange inside kcterm
KUCOIN = "kucoin"  # KuCoin Futures itself: real money
CUSTOM = "custom"  # any other address speaking the protocol (a kcterm-sim elsewhere, say)
KINDS = (EMBEDDED, KUCOIN, CUSTOM)
KUCOIN_REST_URL = "https://api-futures.kucoin.com"
KEY_VERSIONS = ("2", "3")
PRACTICE_NAME = "practice"
KUCOIN_NAME = "kucoin"

# KuCoin's production domains (spec/REFERENCE.md §1: api-futures, api, api-broker and the WS
# hosts under kucoin.com; api.kumex.com is the old brand). Any host under them is real money:
# a profile pointed there is LIVE whatever its kind, name or options say.
PRODUCTION_DOMAINS = ("kucoin.com", "kumex.com")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")


class ProfileError(ValueError):
    """A profile field is not acceptable; the message names the field."""


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str
    address: str = ""  # REST base URL, custom profiles only
    key_name: str = ""  # the label the key has on the exchange: shown, never used to sign
    key_version: str = "3"
    # Custom profiles only. A custom address is LIVE unless it is loopback or marked a test
    # venue; `real_money` forces LIVE for a loopback address (an SSH tunnel to KuCoin, say).
    real_money: bool = False
    test_venue: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ProfileError(
                "name: 1-40 letters, digits, spaces, '.', '_' or '-', starting with a letter "
                "or digit"
            )
        if self.kind not in KINDS:
            raise ProfileError(f"kind: one of {', '.join(KINDS)}, not {self.kind!r}")
        version = str(self.key_version).strip()
        if version not in KEY_VERSIONS:
            raise ProfileError(f"key_version: '2' or '3', not {version!r}")
        object.__setattr__(self, "key_version", version)
        if self.kind == CUSTOM:
            check_address(self.address)
        elif self.address:
            raise ProfileError("address: only a custom profile has an address of its own")
        if (self.real_money or self.test_venue) and self.kind != CUSTOM:
            raise ProfileError("test_venue: only a custom profile chooses real money or test")
        if self.real_money and self.test_venue:
            raise ProfileError("test_venue: a profile is real money or a test venue, not both")
        if self.test_venue and is_production_address(self.address):
            raise ProfileError(
                "test_venue: this is KuCoin's production host, real money; it is never a test venue"
            )
        if len(self.key_name) > 64:
            raise ProfileError("key_name: at most 64 characters")

    @property
    def is_live(self) -> bool:
        """Orders on this profile spend real money: the window says LIVE and asks first."""
        if self.kind == KUCOIN or is_production_address(self.rest_url):
            return True
        if self.kind != CUSTOM:
            return False
        if self.real_money:
            return True
        # An address we cannot vouch for is treated as real money until the user says not.
        return not (self.test_venue or is_loopback_address(self.address))

    @property
    def needs_keys(self) -> bool:
        # The embedded exchange hands out its own demo key.
        return self.kind != EMBEDDED

    @property
    def rest_url(self) -> str:
        """The REST base URL; empty for the embedded exchange, which gets one when it starts."""
        return {EMBEDDED: "", KUCOIN: KUCOIN_REST_URL}.get(self.kind, self.address)

    @property
    def venue(self) -> str:
        """The Session's venue label: "live" marks the window LIVE."""
        if self.is_live:
            return "live"
        return "sim" if self.kind == EMBEDDED else "custom"

    @property
    def slug(self) -> str:
        """The name as a file name and an environment-variable part: PRACTICE, MY_SIM_2."""
        return re.sub(r"[^A-Za-z0-9]+", "_", self.name).strip("_").upper()

    def describe(self) -> str:
        where = {EMBEDDED: "embedded practice exchange", KUCOIN: "KuCoin Futures"}.get(
            self.kind, self.address
        )
        return f"{self.name} — {where}{' (LIVE)' if self.is_live else ''}"

    def with_changes(self, **changes: Any) -> Profile:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == CUSTOM:
            data["address"] = self.address
            data["real_money"] = self.real_money
            data["test_venue"] = self.test_venue
        if self.needs_keys:
            data["key_name"] = self.key_name
            data["key_version"] = self.key_version
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        if not isinstance(data, dict):
            raise ProfileError("a profile must be an object")
        return cls(
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "")),
            address=str(data.get("address", "")),
            key_name=str(data.get("key_name", "")),
            key_version=str(data.get("key_version", "3")),
            # Only JSON true counts: a string "false" must not switch a mark on.
            real_money=data.get("real_money") is True,
            test_venue=data.get("test_venue") is True and data.get("real_money") is not True,
        )


def check_address(address: str) -> None:
    parsed = urlparse(address)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ProfileError("address: an http:// or https:// URL, e.g. http://192.0.2.5:8600")
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        raise ProfileError("address: the server's base URL only, without a path")


def _host(address: str) -> str:
    """The host of a URL (or of a bare host[:port]), lower case, without a trailing dot."""
    text = address.strip()
    if "://" not in text:
        text = f"//{text}"
    try:
        host = urlparse(text).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def is_production_address(address: str) -> bool:
    """True when `address` (any scheme, port, case or trailing slash) is a KuCoin production
    host or any host under KuCoin's production domains."""
    host = _host(address)
    return any(host == domain or host.endswith(f".{domain}") for domain in PRODUCTION_DOMAINS)


def is_loopback_address(address: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (also as an IPv4-mapped IPv6 address)."""
    host = _host(address)
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def default_profiles() -> list[Profile]:
    """Always present: practice on the embedded exchange (the default) and KuCoin live."""
    return [Profile(PRACTICE_NAME, EMBEDDED), Profile(KUCOIN_NAME, KUCOIN)]
