"""Errors raised by the REST client, one class per kind of KuCoin failure
(spec/REFERENCE.md section 3).

Every failure the exchange reports (HTTP status or envelope code) becomes a KucoinError
carrying the KuCoin code, message and HTTP status, plus one sentence a trader understands.
``error_for`` is the single place that turns a code into an exception, so callers catch the
kind they can act on (``except RateLimitError``) instead of comparing code strings.

``ambiguous`` says whether the request may have been carried out although it failed: a
timeout or a 5xx can hide an order that was placed, a 429 or a signature error cannot. The
order gateway looks an order up by clientOid after an ambiguous failure, never blindly again.
"""

from __future__ import annotations

from kcterm.venue.errors import ErrorKind, VenueError
from kcterm.venue.kucoin.error_words import NOT_PLACED_CODE as NOT_PLACED_CODE
from kcterm.venue.kucoin.error_words import OUTCOME_UNKNOWN_CODE as OUTCOME_UNKNOWN_CODE
from kcterm.venue.kucoin.error_words import OWN_CODES as OWN_CODES
from kcterm.venue.kucoin.error_words import SUCCESS_CODE as SUCCESS_CODE
from kcterm.venue.kucoin.error_words import TRANSPORT_CODE as TRANSPORT_CODE
from kcterm.venue.kucoin.error_words import exchange_words, explain


class KucoinError(VenueError):
    """An error reply from KuCoin (or a reply we could not understand)."""

    explanation = "The exchange refused the request."
    ambiguous = False  # True: the request may have been executed all the same

    def __init__(
        self, code: str, msg: str, http_status: int, *, method: str = "", path: str = ""
    ) -> None:
        # KuCoin codes are strings in REST but numbers in some WS frames; normalise.
        self.code = str(code)
        self.msg = str(msg)
        self.http_status = int(http_status)
        self.method = method
        self.path = path
        Exception.__init__(self, self.code, self.msg, self.http_status)

    @property
    def sentence(self) -> str:
        return explain(self.code, self.msg)

    @property
    def own_verdict(self) -> bool:
        return self.code in OWN_CODES

    @property
    def words(self) -> str:
        return exchange_words(self.code, self.msg)

    def __str__(self) -> str:
        where = f" on {self.method} {self.path}" if self.method or self.path else ""
        return f"KuCoin {self.code} (HTTP {self.http_status}){where}: {self.msg}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.msg!r}, {self.http_status!r})"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Exception's default pickling replays self.args, which would lose method/path
        # and break subclasses with other signatures (TransportError).
        state = (type(self), self.code, self.msg, self.http_status, self.method, self.path)
        return (_rebuild, state)


class AuthError(KucoinError):
    kind = ErrorKind.AUTH
    explanation = "The exchange did not accept the API key: check key, secret and permissions."


class TimestampError(KucoinError):
    kind = ErrorKind.CLOCK
    explanation = "This computer's clock is off the exchange's; kcterm is resyncing it."


class RateLimitError(KucoinError):
    kind = ErrorKind.RATE_LIMITED
    explanation = "Too many requests: kcterm waits for the rate-limit budget to refill."


class InsufficientBalanceError(KucoinError):
    kind = ErrorKind.INSUFFICIENT_FUNDS
    explanation = "Not enough available balance for the margin this needs."


class InvalidParameterError(KucoinError):
    kind = ErrorKind.INVALID
    explanation = "The exchange refused a value of the request."


class OrderNotFoundError(KucoinError):
    kind = ErrorKind.NOT_FOUND
    explanation = "The order is already filled, cancelled or unknown to the exchange."


class DuplicateClientOidError(KucoinError):
    kind = ErrorKind.DUPLICATE
    explanation = "An order with this client order id already exists: it was not placed again."


class ExchangeUnavailableError(KucoinError):
    kind = ErrorKind.UNAVAILABLE
    explanation = "The exchange is not answering properly; kcterm checks before retrying."
    ambiguous = True


class TransportError(ExchangeUnavailableError):
    """The request never got a reply: connection refused, reset, DNS, timeout."""

    explanation = "No reply from the exchange: the network or the server is down."

    def __init__(self, msg: str, *, method: str = "", path: str = "") -> None:
        super().__init__(TRANSPORT_CODE, msg, 0, method=method, path=path)


class NotPlacedError(KucoinError):
    """kcterm stopped trying an order (its deadline, a price drift, or the trader abandoned it)
    and knows it is not on the exchange: never sent, refused whole, or looked up and absent."""

    kind = ErrorKind.NOT_PLACED
    explanation = "Not placed: kcterm stopped retrying and the exchange has no such order."

    def __init__(self, msg: str, *, method: str = "", path: str = "") -> None:
        super().__init__(NOT_PLACED_CODE, msg, 0, method=method, path=path)


class OutcomeUnknownError(ExchangeUnavailableError):
    """kcterm stopped trying an order but the exchange did not answer the lookup either."""

    kind = ErrorKind.OUTCOME_UNKNOWN
    explanation = (
        "kcterm stopped retrying but could not learn whether the order was placed: "
        "check Open orders (the next reconcile shows it)."
    )

    def __init__(self, msg: str, *, method: str = "", path: str = "") -> None:
        super().__init__(OUTCOME_UNKNOWN_CODE, msg, 0, method=method, path=path)


def _rebuild(
    cls: type[KucoinError], code: str, msg: str, status: int, method: str, path: str
) -> KucoinError:
    err = KucoinError.__new__(cls)
    KucoinError.__init__(err, code, msg, status, method=method, path=path)
    return err


_KINDS: dict[type[KucoinError], tuple[str, ...]] = {
    AuthError: ("400001", "400003", "400004", "400005", "400006", "400007", "411100", "40010"),
    TimestampError: ("400002",),
    RateLimitError: ("429000", "1015", "200002"),
    InsufficientBalanceError: ("300003", "200005"),
    InvalidParameterError: (
        "400100", "100001", "100003", "300000", "300011", "300012", "300016", "415000",
    ),
    OrderNotFoundError: ("100004",),
    DuplicateClientOidError: ("300018",),
    ExchangeUnavailableError: ("500000", "502000", "503000", "504000"),
}  # fmt: skip

_BY_CODE: dict[str, type[KucoinError]] = {
    code: cls for cls, codes in _KINDS.items() for code in codes
}


def register(code: str, cls: type[KucoinError]) -> None:
    """Make error_for raise ``cls`` for ``code`` (cls must accept KucoinError's signature)."""
    _BY_CODE[str(code)] = cls


def error_for(
    code: str, msg: str, http_status: int, *, method: str = "", path: str = ""
) -> KucoinError:
    """The exception to raise for a KuCoin error code (the HTTP status decides unknown ones)."""
    cls = _BY_CODE.get(str(code))
    if cls is None:
        if http_status >= 500:
            cls = ExchangeUnavailableError
        elif http_status == 429:
            cls = RateLimitError
        elif http_status == 401:
            cls = AuthError
        else:
            cls = KucoinError
    return cls(str(code), msg, http_status, method=method, path=path)
