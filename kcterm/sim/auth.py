"""Signature verification, server side.

See spec/REFERENCE.md section 4, "How a simulator should verify".

Written independently of kcterm.venue.kucoin.signer on purpose: the two sides meet only on
the wire, so a misreading of the spec on one side shows up as a failed request instead of
passing silently.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

from kcterm.sim.errors import (
    BAD_PASSPHRASE,
    BAD_SIGNATURE,
    BAD_TIMESTAMP,
    IP_NOT_ALLOWED,
    MISSING_HEADERS,
    NO_PERMISSION,
    UNKNOWN_KEY,
    SimError,
    auth_error,
)

_REQUIRED = ("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", "KC-API-PASSPHRASE")


GENERAL = "General"  # read account, orders and positions
FUTURES = "Futures"  # trade futures: place and cancel orders, change margin and leverage


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str = field(repr=False)
    passphrase: str = field(repr=False)
    version: str
    user_id: str
    permissions: frozenset[str] = frozenset({GENERAL, FUTURES})
    ip_whitelist: frozenset[str] = frozenset()  # empty: any address may use the key


def _hmac_b64(secret: str, message: bytes) -> str:
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _same(sent: str, expected: str) -> bool:
    """Constant-time comparison that any header text survives: compare_digest refuses str
    with non-ASCII characters, and aiohttp hands undecodable bytes over as surrogates."""
    return hmac.compare_digest(
        sent.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


KEY_VERSIONS = ("1", "2", "3")
# Versions 2 and 3 both send HMAC(secret, passphrase); KuCoin takes either header value for a
# key of either version (ccxt and the legacy SDK send "2", current SDKs "3"). Version 1 sends
# the passphrase itself (spec/REFERENCE.md section 4, "Passphrase").
_SIGNED_PASSPHRASE = ("2", "3")


class KeyStore:
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    def add(self, api_key: ApiKey) -> None:
        self._keys[api_key.key] = api_key

    def verify(
        self,
        headers: Mapping[str, str],
        method: str,
        raw_path_and_query: str,
        body: bytes,
        now_ms: int,
        window_ms: int,
        remote: str | None = None,
        permission: str = GENERAL,
    ) -> ApiKey:
        """Return the caller's key or raise the SimError KuCoin would answer with.

        ``headers`` may be aiohttp's case-insensitive mapping: header names are not case
        sensitive (HTTP/2 clients and many proxies send them in lower case)."""
        if any(not headers.get(name) for name in _REQUIRED):
            raise auth_error(MISSING_HEADERS)
        api_key = self._keys.get(headers["KC-API-KEY"])
        if api_key is None:
            raise auth_error(UNKNOWN_KEY)
        self._check_passphrase(api_key, headers)
        timestamp = headers["KC-API-TIMESTAMP"]
        if not (timestamp.isascii() and timestamp.isdigit()) or (
            abs(now_ms - int(timestamp)) > window_ms
        ):
            raise auth_error(BAD_TIMESTAMP)
        signature = headers["KC-API-SIGN"]
        for signed_path in _path_variants(raw_path_and_query):
            prehash = f"{timestamp}{method.upper()}{signed_path}".encode() + body
            if _same(signature, _hmac_b64(api_key.secret, prehash)):
                break
        else:
            raise auth_error(BAD_SIGNATURE)
        if api_key.ip_whitelist and remote not in api_key.ip_whitelist:
            raise auth_error(IP_NOT_ALLOWED)
        if permission not in api_key.permissions:
            raise auth_error(NO_PERMISSION)
        return api_key

    @staticmethod
    def _check_passphrase(api_key: ApiKey, headers: Mapping[str, str]) -> None:
        """The version header says how the passphrase is sent; a mismatch is named as such,
        so a client author is not told the passphrase is wrong when it is the version."""
        code, _, status = BAD_PASSPHRASE
        sent_version = headers.get("KC-API-KEY-VERSION") or api_key.version
        if sent_version not in KEY_VERSIONS:
            raise SimError(code, "Invalid KC-API-KEY-VERSION: use 1, 2 or 3", status)
        key_signs = api_key.version in _SIGNED_PASSPHRASE
        if (sent_version in _SIGNED_PASSPHRASE) != key_signs:
            how = (
                "send 2 or 3 with the HMAC-signed passphrase"
                if key_signs
                else "send 1 with the passphrase itself"
            )
            raise SimError(
                code,
                f"Invalid KC-API-KEY-VERSION {sent_version}: this API key is version "
                f"{api_key.version}; {how}",
                status,
            )
        expected = (
            _hmac_b64(api_key.secret, api_key.passphrase.encode())
            if key_signs
            else api_key.passphrase
        )
        if not _same(headers["KC-API-PASSPHRASE"], expected):
            raise auth_error(BAD_PASSPHRASE)


def _path_variants(raw: str) -> list[str]:
    """The spec signs the un-encoded query; clients that sign what they send (still encoded,
    or with '+' for spaces) are tolerated, as spec/REFERENCE.md section 4 allows."""
    variants = [unquote(raw), raw, unquote_plus(raw)]
    return list(dict.fromkeys(variants))
