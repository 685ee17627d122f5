"""KuCoin error codes in words a trader understands (spec/REFERENCE.md section 3), and the
codes kcterm uses for its own verdicts. KucoinError (errors.py) reads its sentence here.

The exchange's own `msg` is often terse ("Signature error") or internal, but it is the one
thing that says exactly what the exchange objected to: a trader sees it verbatim, with its code,
beside our sentence ("300000 · postOnly order would take liquidity; order rejected — The
exchange refused a value of the request."), never our sentence alone (issue 10 item 10).
"""

from __future__ import annotations

SUCCESS_CODE = "200000"
TRANSPORT_CODE = "transport"
# Codes of kcterm's own verdicts, never sent by KuCoin: an order kcterm stopped trying.
NOT_PLACED_CODE = "not-placed"
OUTCOME_UNKNOWN_CODE = "outcome-unknown"
OWN_CODES = frozenset({TRANSPORT_CODE, NOT_PLACED_CODE, OUTCOME_UNKNOWN_CODE})

_SENTENCES: dict[str, str] = {
    "400001": "The request was not signed: the API key headers are missing.",
    "400002": "Your computer's clock is more than 5 seconds off the exchange's; sync the clock.",
    "400003": "The API key does not exist on this exchange.",
    "400004": "The API passphrase is wrong.",
    "400005": "The request signature is wrong: check the API secret.",
    "400006": "This computer's IP address is not on the API key's whitelist.",
    "400007": "The API key lacks the permission for this action (enable Futures trading).",
    "400100": "The exchange refused a parameter of the request.",
    "404000": "The exchange does not offer this function (URL not found).",
    "411100": "The account is frozen; contact KuCoin support.",
    "415000": "The request was not sent as JSON.",
    "429000": "Too many requests: the rate-limit budget is used up; wait a few seconds.",
    "500000": "The exchange had an internal error; try again.",
    "1015": "Too many requests from this IP address; wait a minute.",
    "40010": "KuCoin does not serve your region.",
    "100001": "The order has invalid parameters.",
    "100003": "The exchange does not know this contract.",
    "100004": "The order is already filled, cancelled or unknown, so it cannot be cancelled.",
    "200002": "Too many requests on this function; slow down.",
    "200005": "Not enough balance to change the risk limit.",
    "300000": "The exchange refused a value of the request.",
    "300001": "Too many open orders on this contract; cancel some first.",
    "300002": "Placing and cancelling orders is suspended on this contract right now.",
    "300003": "Not enough available balance for the margin this order needs.",
    "300004": "Too many stop orders on this contract.",
    "300005": "The order would exceed your risk limit; reduce the size or raise the limit.",
    "300006": "The closing price is worse than the bankruptcy price.",
    "300008": "No orders on the other side of the book: a market order cannot fill.",
    "300009": "There is no position to close.",
    "300011": "The price is above the highest price the exchange allows right now.",
    "300012": "The price is below the lowest price the exchange allows right now.",
    "300013": "No orders on the other side of the book: a market order cannot fill.",
    "300014": "The position is being liquidated.",
    "300015": "Funding settlement is in progress; try again in a moment.",
    "300016": "The leverage is higher than this contract or risk level allows.",
    "300018": "An order with this client order id already exists.",
    "50002": "You have open orders or a position on this contract.",
    TRANSPORT_CODE: "No reply from the exchange: the network or the server is down.",
    NOT_PLACED_CODE: "Not placed: kcterm stopped retrying and the exchange has no such order.",
    OUTCOME_UNKNOWN_CODE: "kcterm stopped retrying and could not learn whether it was placed.",
}


def explain(code: str, msg: str = "") -> str:
    """One sentence for `code`; unknown codes fall back to the exchange's own message."""
    sentence = _SENTENCES.get(str(code))
    if sentence is not None:
        return sentence
    if str(code).startswith("429"):
        return _SENTENCES["429000"]
    return msg or f"The exchange refused the request (code {code})."


def exchange_words(code: str, msg: str = "") -> str:
    """KuCoin's code and message verbatim, then our sentence: "300000 · <msg> — <sentence>".

    kcterm's own verdicts (no reply, an order it stopped trying) carry our text in `msg`
    already; they read as that text, with no code the exchange never sent."""
    code = str(code)
    msg = msg.strip()
    if code in OWN_CODES:
        if code == TRANSPORT_CODE:
            return f"{explain(code)} ({msg})" if msg else explain(code)
        return msg or explain(code)
    sentence = explain(code, msg)
    said = f"{code} · {msg}" if msg else code
    if not msg or sentence != msg:
        return f"{said} — {sentence}"
    return said  # an unknown code: the exchange's words are all there is


def known_codes() -> set[str]:
    return set(_SENTENCES)
