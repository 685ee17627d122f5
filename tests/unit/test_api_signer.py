"""Signing against every vector of spec/REFERENCE.md sections 5.1 and 5.3."""

from __future__ import annotations

import pickle

import pytest

from kcterm.venue.kucoin.errors import KucoinError, TransportError, error_for
from kcterm.venue.kucoin.signer import Credentials, auth_headers, encoded_query, hmac_b64, raw_query

SECRET = "test_api_secret"
PASSPHRASE = "test_passphrase"
TS = 1700000000000
CREDS = Credentials("test_api_key", SECRET, PASSPHRASE, "3")

ORDER_BODY = (
    '{"clientOid":"5c52e11203aa677f33e493fb","side":"buy","symbol":"XBTUSDTM","leverage":3,'
    '"type":"limit","price":"0.1","size":1,"timeInForce":"GTC"}'
)
ST_BODY = (
    '{"clientOid":"tpsl-0001","side":"buy","symbol":"XBTUSDTM","leverage":5,"type":"limit",'
    '"price":"60000","size":1,"marginMode":"ISOLATED","stopPriceType":"MP",'
    '"triggerStopUpPrice":"70000","triggerStopDownPrice":"55000"}'
)

# (method, signed path, body, expected KC-API-SIGN) — spec/REFERENCE.md 5.3 vectors 1..9b
VECTORS = [
    ("GET", "/api/v1/position?symbol=XBTUSDTM", "",
     "oW6QN+HfLhfx+g56cqGxmUWZLxBtXz3g0YQ/8sFXUgE="),
    ("GET", "/api/v1/timestamp", "", "PXvtzG5aKTPqNckIAxJmN6yP7tmEvi3E6s8771ZgV8E="),
    ("POST", "/api/v1/orders", ORDER_BODY, "heCJgTBJS1XZ3O3kSMZYf5fYJZrdpOOuY9ZMhhBaPto="),
    ("DELETE", "/api/v3/orders?symbol=XBTUSDTM", "",
     "yl7Pgy7A0nEi49JUYaAcm5YI4FebYievRG4ROu4SfVU="),
    ("DELETE", "/api/v1/orders/multi-cancel",
     '{"orderIdsList":["250445104152670209","250445181751463936"]}',
     "KuXepWxtfh+j6hA2CaJm19kLRO29r09fjO34rkUHM+I="),
    ("GET", "/api/v1/fills?symbol=XBTUSDTM&tradeTypes=adl,liquid", "",
     "i4WWURbItsc7TVmR6CXN76KG2WRCSJI6cR03C6i53PE="),
    ("POST", "/api/v1/bullet-private", "", "tjIYTE2HrB7Z9GuGIpBT0vsm7A5LA9Cpb95o7dG/OM4="),
    ("POST", "/api/v1/st-orders", ST_BODY, "yqEn364k8UExRndwpxXIJsUkSqBHEWxfe0Yk/TMni10="),
    ("POST", "/api/v2/position/changeMarginMode", '{"symbol":"XBTUSDTM","marginMode":"CROSS"}',
     "lZAv+082widluIUmvgvRUXe9uZyJGcVYzj1UyhOpzz4="),
    ("POST", "/api/v2/position/changeMarginMode",
     '{"symbol": "XBTUSDTM", "marginMode": "CROSS"}',
     "r+ZMoKh1TketceOWWHcF5lT47DjKRnrqTJ9F2rDBV5Y="),
]  # fmt: skip


def test_published_vector_5_1() -> None:
    assert hmac_b64("test_api_secret", "test_plain") == (
        "jie/gxS38wLFFaBwl/cAzFbAzlI8MIny96jSXrB+iP4="
    )


@pytest.mark.parametrize(("method", "path", "body", "expected"), VECTORS)
def test_vectors_5_3(method: str, path: str, body: str, expected: str) -> None:
    headers = auth_headers(CREDS, method, path, body, TS)
    assert headers["KC-API-SIGN"] == expected
    assert headers["KC-API-TIMESTAMP"] == "1700000000000"
    assert headers["KC-API-PASSPHRASE"] == "Ikr9KjwgA4urCb5Az1TNKgQELW10z84iOq+wsZsRRz0="
    assert headers["KC-API-KEY"] == "test_api_key"
    assert headers["KC-API-KEY-VERSION"] == "3"
    assert headers["Content-Type"] == "application/json"


def test_whitespace_in_body_changes_the_signature() -> None:
    compact = auth_headers(CREDS, "POST", VECTORS[8][1], VECTORS[8][2], TS)["KC-API-SIGN"]
    spaced = auth_headers(CREDS, "POST", VECTORS[9][1], VECTORS[9][2], TS)["KC-API-SIGN"]
    assert compact != spaced


def test_method_is_upper_cased() -> None:
    assert auth_headers(CREDS, "get", "/api/v1/timestamp", "", TS)["KC-API-SIGN"] == VECTORS[1][3]


def test_published_timestamp_and_version_from_sdk_test() -> None:
    headers = auth_headers(Credentials("k", "test_api_secret", "p"), "GET", "/x", "", 1234567890000)
    assert headers["KC-API-TIMESTAMP"] == "1234567890000"
    assert headers["KC-API-KEY-VERSION"] == "3"


def test_vector_6_raw_query_is_signed_and_encoded_query_is_sent() -> None:
    params = {"symbol": "XBTUSDTM", "tradeTypes": "adl,liquid"}
    assert raw_query(params) == "symbol=XBTUSDTM&tradeTypes=adl,liquid"
    assert encoded_query(params) == "symbol=XBTUSDTM&tradeTypes=adl%2Cliquid"
    signed = f"/api/v1/fills?{raw_query(params)}"
    assert auth_headers(CREDS, "GET", signed, "", TS)["KC-API-SIGN"] == VECTORS[5][3]
    # A list renders as the same comma list.
    assert raw_query({"symbol": "XBTUSDTM", "tradeTypes": ["adl", "liquid"]}) == raw_query(params)


def test_query_rendering_rules() -> None:
    params = {"b": 2, "a": True, "skip": None, "c": False, "p": "abc!@#11"}
    assert raw_query(params) == "b=2&a=true&c=false&p=abc!@#11"  # insertion order kept
    assert encoded_query(params) == "b=2&a=true&c=false&p=abc%21%40%2311"
    assert raw_query(None) == "" and raw_query({}) == "" and encoded_query({"x": None}) == ""


def test_key_version_validation() -> None:
    assert Credentials("k", "s", "p", "2").key_version == "2"
    assert Credentials("k", "s", "p", 3).key_version == "3"  # type: ignore[arg-type]
    with pytest.raises(ValueError) as info:
        Credentials("k", "topsecret", "pass-phrase", "1")
    assert "topsecret" not in str(info.value) and "pass-phrase" not in str(info.value)


def test_credentials_repr_hides_secrets() -> None:
    creds = Credentials("abcdef123456", "sup3r-secret-value", "my-pass-phrase", "3")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds]), repr({"c": creds})):
        assert "sup3r-secret-value" not in text
        assert "my-pass-phrase" not in text
        assert "abcdef123456" not in text
    assert repr(creds) == "Credentials(key='abcd…', key_version='3')"


def test_errors_text_and_pickling() -> None:
    err = KucoinError("400005", "Signature error", 401, method="POST", path="/api/v1/orders")
    assert str(err) == "KuCoin 400005 (HTTP 401) on POST /api/v1/orders: Signature error"
    assert (err.code, err.msg, err.http_status) == ("400005", "Signature error", 401)
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err) and type(copy) is KucoinError
    transport = TransportError("ClientConnectorError: refused", method="GET", path="/x")
    assert (transport.code, transport.http_status) == ("transport", 0)
    assert isinstance(transport, KucoinError)
    assert type(pickle.loads(pickle.dumps(transport))) is TransportError
    made = error_for(300003, "balance not enough", 200)
    assert made.code == "300003" and str(made) == "KuCoin 300003 (HTTP 200): balance not enough"


def test_queries_are_raw_and_encoded_query_in_one_pass_kept_or_not() -> None:
    from kcterm.venue.kucoin.signer import queries

    cases = [
        None,
        {},
        {"currency": "USDT"},
        {"symbol": "XBTUSDTM", "startAt": 1, "flag": True, "types": ["adl", "liquid"], "x": None},
        {"a b": "c&d=é/"},
        {"k": "v~_.-"},
        {"x": True},
        {"x": 1},  # equal to True as a key: the kept query must not be True's
        {"x": 1.0},
        {"x": False},
        {"x": 0},
    ]
    for _ in range(2):  # built, then kept
        for params in cases:
            assert queries(params) == (raw_query(params), encoded_query(params)), params
