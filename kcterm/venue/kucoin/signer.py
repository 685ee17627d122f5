"""Request signing for the KuCoin REST API (spec/REFERENCE.md sections 4 and 5).

The prehash is ``timestamp + METHOD + path[?raw_query] + body``. The query part of the
prehash is the *un-encoded* form while the URL actually sent is percent-encoded, so this
module builds both from the same parameter mapping in the same order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

_KEY_VERSIONS = frozenset({"2", "3"})


@dataclass(frozen=True)
class Credentials:
    """An API key. The secret and passphrase never appear in repr/str (see __repr__)."""

    key: str
    secret: str = field(repr=False)
    passphrase: str = field(repr=False)
    key_version: str = "3"

    def __post_init__(self) -> None:
        # Settings files may hand us an int; the header value must be the string form.
        version = str(self.key_version).strip()
        if version not in _KEY_VERSIONS:
            # The value is not secret, but keep the message free of every other field.
            raise ValueError(f"unsupported API key version {version!r}; expected '2' or '3'")
        object.__setattr__(self, "key_version", version)

    def __repr__(self) -> str:
        # Even the key is shortened: it is not a secret, but logs should not carry it whole.
        shown = f"{self.key[:4]}…" if self.key else ""
        return f"Credentials(key={shown!r}, key_version={self.key_version!r})"

    __str__ = __repr__


def hmac_b64(secret: str, message: str) -> str:
    """base64(HMAC-SHA256(key=secret, msg=message)), both sides UTF-8."""
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _render(value: Any) -> str:
    # JSON-style booleans: Python's str(True) is "True", which KuCoin would not understand.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        # Comma lists (e.g. tradeTypes=adl,liquid) are one parameter on the wire.
        return ",".join(_render(item) for item in value)
    return str(value)


def _pairs(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    if not params:
        return []
    return [(str(key), _render(value)) for key, value in params.items() if value is not None]


def raw_query(params: Mapping[str, Any] | None) -> str:
    """The un-encoded query string that goes into the prehash, in insertion order."""
    return "&".join(f"{key}={value}" for key, value in _pairs(params))


def encoded_query(params: Mapping[str, Any] | None) -> str:
    """The percent-encoded query string actually sent; same order as raw_query."""
    return "&".join(
        f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in _pairs(params)
    )


def auth_headers(
    creds: Credentials, method: str, signed_path: str, body: str, timestamp_ms: int
) -> dict[str, str]:
    """Headers for a private request.

    ``signed_path`` is the path plus ``?`` and raw_query when there are parameters;
    ``body`` is the exact JSON text sent ("" when there is none).
    """
    timestamp = str(int(timestamp_ms))
    prehash = f"{timestamp}{method.upper()}{signed_path}{body}"
    return {
        "KC-API-KEY": creds.key,
        "KC-API-SIGN": hmac_b64(creds.secret, prehash),
        "KC-API-TIMESTAMP": timestamp,
        # Key versions 2 and 3 both send the HMAC of the passphrase, never the plaintext.
        "KC-API-PASSPHRASE": hmac_b64(creds.secret, creds.passphrase),
        "KC-API-KEY-VERSION": creds.key_version,
        "Content-Type": "application/json",
    }
