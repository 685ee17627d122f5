"""Errors raised by the REST client.

Every failure the exchange reports (HTTP status or envelope code) becomes a KucoinError
carrying the KuCoin code, message and HTTP status. ``error_for`` is the single place that
turns a code into an exception, so per-kind subclasses can be registered later without
touching the call sites.
"""

from __future__ import annotations

SUCCESS_CODE = "200000"
TRANSPORT_CODE = "transport"


class KucoinError(Exception):
    """An error reply from KuCoin (or a reply we could not understand)."""

    def __init__(
        self, code: str, msg: str, http_status: int, *, method: str = "", path: str = ""
    ) -> None:
        # KuCoin codes are strings in REST but numbers in some WS frames; normalise.
        self.code = str(code)
        self.msg = str(msg)
        self.http_status = int(http_status)
        self.method = method
        self.path = path
        super().__init__(self.code, self.msg, self.http_status)

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


class TransportError(KucoinError):
    """The request never got a reply: connection refused, reset, DNS, timeout."""

    def __init__(self, msg: str, *, method: str = "", path: str = "") -> None:
        super().__init__(TRANSPORT_CODE, msg, 0, method=method, path=path)


def _rebuild(
    cls: type[KucoinError], code: str, msg: str, status: int, method: str, path: str
) -> KucoinError:
    err = KucoinError.__new__(cls)
    KucoinError.__init__(err, code, msg, status, method=method, path=path)
    return err


# code -> subclass; empty for now, filled in when per-kind errors are introduced.
_BY_CODE: dict[str, type[KucoinError]] = {}


def register(code: str, cls: type[KucoinError]) -> None:
    """Make error_for raise ``cls`` for ``code`` (cls must accept KucoinError's signature)."""
    _BY_CODE[str(code)] = cls


def error_for(
    code: str, msg: str, http_status: int, *, method: str = "", path: str = ""
) -> KucoinError:
    """The exception to raise for a KuCoin error code."""
    cls = _BY_CODE.get(str(code), KucoinError)
    return cls(str(code), msg, http_status, method=method, path=path)
