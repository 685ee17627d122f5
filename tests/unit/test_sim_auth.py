"""The exchange's own signature check against spec/REFERENCE.md section 5.3, written from the table.

The headers here are the published results, not computed by kcterm.venue.kucoin: the client and the
exchange are each checked against the spec, never against each other.
"""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from kcterm.sim.auth import ApiKey, KeyStore
from kcterm.sim.errors import SimError

NOW = 1_700_000_000_000
PASSPHRASE_HEADER = "Ikr9KjwgA4urCb5Az1TNKgQELW10z84iOq+wsZsRRz0="
KEY = ApiKey("k1", "test_api_secret", "test_passphrase", "3", "u1")

# (method, raw path and query as sent, body, published KC-API-SIGN)
VECTORS = [
    (
        "GET",
        "/api/v1/position?symbol=XBTUSDTM",
        b"",
        "oW6QN+HfLhfx+g56cqGxmUWZLxBtXz3g0YQ/8sFXUgE=",
    ),
    ("GET", "/api/v1/timestamp", b"", "PXvtzG5aKTPqNckIAxJmN6yP7tmEvi3E6s8771ZgV8E="),
    (
        "POST",
        "/api/v1/orders",
        b'{"clientOid":"5c52e11203aa677f33e493fb","side":"buy","symbol":"XBTUSDTM","leverage":3,'
        b'"type":"limit","price":"0.1","size":1,"timeInForce":"GTC"}',
        "heCJgTBJS1XZ3O3kSMZYf5fYJZrdpOOuY9ZMhhBaPto=",
    ),
    (
        "DELETE",
        "/api/v3/orders?symbol=XBTUSDTM",
        b"",
        "yl7Pgy7A0nEi49JUYaAcm5YI4FebYievRG4ROu4SfVU=",
    ),
    (
        "DELETE",
        "/api/v1/orders/multi-cancel",
        b'{"orderIdsList":["250445104152670209","250445181751463936"]}',
        "KuXepWxtfh+j6hA2CaJm19kLRO29r09fjO34rkUHM+I=",
    ),
    # Sent percent-encoded, signed un-encoded (vector 6).
    (
        "GET",
        "/api/v1/fills?symbol=XBTUSDTM&tradeTypes=adl%2Cliquid",
        b"",
        "i4WWURbItsc7TVmR6CXN76KG2WRCSJI6cR03C6i53PE=",
    ),
    ("POST", "/api/v1/bullet-private", b"", "tjIYTE2HrB7Z9GuGIpBT0vsm7A5LA9Cpb95o7dG/OM4="),
    (
        "POST",
        "/api/v2/position/changeMarginMode",
        b'{"symbol":"XBTUSDTM","marginMode":"CROSS"}',
        "lZAv+082widluIUmvgvRUXe9uZyJGcVYzj1UyhOpzz4=",
    ),
    (
        "POST",
        "/api/v2/position/changeMarginMode",
        b'{"symbol": "XBTUSDTM", "marginMode": "CROSS"}',
        "r+ZMoKh1TketceOWWHcF5lT47DjKRnrqTJ9F2rDBV5Y=",
    ),
]


def headers(sign: str, **overrides: str) -> dict[str, str]:
    base = {
        "KC-API-KEY": "k1",
        "KC-API-SIGN": sign,
        "KC-API-TIMESTAMP": str(NOW),
        "KC-API-PASSPHRASE": PASSPHRASE_HEADER,
        "KC-API-KEY-VERSION": "3",
    }
    base.update(overrides)
    return base


@pytest.fixture
def store() -> KeyStore:
    keys = KeyStore()
    keys.add(KEY)
    return keys


@pytest.mark.parametrize(("method", "path", "body", "sign"), VECTORS)
def test_every_published_vector_is_accepted(
    store: KeyStore, method: str, path: str, body: bytes, sign: str
) -> None:
    assert store.verify(headers(sign), method, path, body, NOW, 5000) is KEY


def check(store: KeyStore, hdrs: dict[str, str], now: int = NOW) -> str:
    method, path, body, _ = VECTORS[0]
    with pytest.raises(SimError) as info:
        store.verify(hdrs, method, path, body, now, 5000)
    return info.value.code


def test_each_failure_gets_its_own_code(store: KeyStore) -> None:
    good = VECTORS[0][3]
    assert check(store, {k: v for k, v in headers(good).items() if k != "KC-API-SIGN"}) == "400001"
    assert check(store, headers(good, **{"KC-API-KEY": "nobody"})) == "400003"
    assert check(store, headers(good, **{"KC-API-PASSPHRASE": "dGVzdA=="})) == "400004"
    # Version 1 sends the passphrase itself: with this version-3 key that is a version
    # mismatch, and the reply says so rather than blaming the passphrase.
    assert check(store, headers(good, **{"KC-API-KEY-VERSION": "1"})) == "400004"
    assert check(store, headers(good, **{"KC-API-KEY-VERSION": "7"})) == "400004"
    assert check(store, headers(good), now=NOW + 5001) == "400002"
    assert check(store, headers(good, **{"KC-API-TIMESTAMP": "soon"})) == "400002"
    assert check(store, headers(VECTORS[1][3])) == "400005"  # another request's signature


def test_the_window_is_five_seconds_either_way(store: KeyStore) -> None:
    method, path, body, sign = VECTORS[0]
    for now in (NOW - 5000, NOW + 5000):
        assert store.verify(headers(sign), method, path, body, now, 5000) is KEY


def test_a_body_changed_after_signing_is_refused(store: KeyStore) -> None:
    method, path, body, sign = VECTORS[2]
    with pytest.raises(SimError) as info:
        store.verify(headers(sign), method, path, body.replace(b'"size":1', b'"size":9'), NOW, 5000)
    assert info.value.code == "400005" and info.value.http_status == 401


def test_ip_whitelist_and_permission_come_after_the_signature() -> None:
    keys = KeyStore()
    keys.add(
        ApiKey(
            "k1",
            "test_api_secret",
            "test_passphrase",
            "3",
            "u1",
            permissions=frozenset({"General"}),
            ip_whitelist=frozenset({"10.1.1.1"}),
        )
    )
    method, path, body, sign = VECTORS[0]
    with pytest.raises(SimError) as info:
        keys.verify(headers(sign), method, path, body, NOW, 5000, remote="127.0.0.1")
    assert (info.value.code, info.value.http_status) == ("400006", 403)
    assert keys.verify(headers(sign), method, path, body, NOW, 5000, remote="10.1.1.1")
    with pytest.raises(SimError) as info:
        keys.verify(
            headers(sign), method, path, body, NOW, 5000, remote="10.1.1.1", permission="Futures"
        )
    assert info.value.code == "400007"


def failure(store: KeyStore, hdrs: Any) -> SimError:
    method, path, body, _ = VECTORS[0]
    with pytest.raises(SimError) as info:
        store.verify(hdrs, method, path, body, NOW, 5000)
    return info.value


def test_version_2_and_3_headers_both_work_with_a_signed_passphrase(store: KeyStore) -> None:
    method, path, body, sign = VECTORS[0]
    for version in ("2", "3", ""):  # absent: the key's own version
        hdrs = headers(sign, **{"KC-API-KEY-VERSION": version})
        assert store.verify(hdrs, method, path, body, NOW, 5000) is KEY
    wrong = failure(store, headers(sign, **{"KC-API-KEY-VERSION": "1"}))
    assert "KC-API-KEY-VERSION 1" in wrong.msg and "version 3" in wrong.msg
    bad = failure(store, headers(sign, **{"KC-API-PASSPHRASE": "dGVzdA=="}))
    assert bad.msg == "Invalid KC-API-PASSPHRASE"


def test_a_version_1_key_takes_the_passphrase_itself() -> None:
    keys = KeyStore()
    old = ApiKey("k1", "test_api_secret", "test_passphrase", "1", "u1")
    keys.add(old)
    method, path, body, sign = VECTORS[0]
    plain = {"KC-API-PASSPHRASE": "test_passphrase", "KC-API-KEY-VERSION": "1"}
    assert keys.verify(headers(sign, **plain), method, path, body, NOW, 5000) is old
    signed = failure(keys, headers(sign, **{"KC-API-KEY-VERSION": "1"}))
    assert signed.code == "400004" and signed.msg == "Invalid KC-API-PASSPHRASE"
    mismatch = failure(keys, headers(sign, **{**plain, "KC-API-KEY-VERSION": "2"}))
    assert "this API key is version 1" in mismatch.msg


def test_header_names_are_case_insensitive(store: KeyStore) -> None:
    method, path, body, sign = VECTORS[0]
    lower = CIMultiDict((k.lower(), v) for k, v in headers(sign).items())
    assert store.verify(lower, method, path, body, NOW, 5000) is KEY


def test_non_ascii_sign_or_passphrase_is_refused_not_raised(store: KeyStore) -> None:
    _, _, _, sign = VECTORS[0]
    assert failure(store, headers("\u00e9" + sign[1:])).code == "400005"
    assert failure(store, headers(sign, **{"KC-API-PASSPHRASE": "p\u00e4ss"})).code == "400004"
    surrogate = "a\udcff"  # how aiohttp hands over bytes that are not UTF-8
    assert failure(store, headers(surrogate)).code == "400005"
    assert failure(store, headers(sign, **{"KC-API-TIMESTAMP": "\u0661\u0662"})).code == "400002"
