"""KuCoin's failure replies: a code (string), a message and the HTTP status that carries them."""

from __future__ import annotations


class SimError(Exception):
    """Raised anywhere in a request; the server turns it into ``{"code", "msg"}``."""

    def __init__(self, code: str, msg: str, http_status: int = 200) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.http_status = http_status


def bad_param(msg: str) -> SimError:
    """A request field that is missing, of the wrong type or out of range (msg names it)."""
    return SimError("400100", msg, 400)


def unknown_contract(symbol: object) -> SimError:
    return SimError("100003", f"Contract {symbol} does not exist.", 400)


# Authentication failures (spec/REFERENCE.md section 3): HTTP 401 except the permission-type ones.
MISSING_HEADERS = (
    "400001",
    "Please check the header of your request for KC-API-KEY, "
    "KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE",
    401,
)
BAD_TIMESTAMP = (
    "400002",
    "KC-API-TIMESTAMP Invalid -- Time differs from server time by more than 5 seconds",
    401,
)
UNKNOWN_KEY = ("400003", "KC-API-KEY not exists", 401)
BAD_PASSPHRASE = ("400004", "Invalid KC-API-PASSPHRASE", 401)
IP_NOT_ALLOWED = (
    "400006",
    "Invalid request ip, the current clientIp is not in the API key's IP whitelist",
    403,
)
NO_PERMISSION = (
    "400007",
    "Access denied, require more permission: this API key may not trade futures",
    403,
)
BAD_SIGNATURE = ("400005", "Signature error - Please check your signature", 401)


def auth_error(kind: tuple[str, str, int]) -> SimError:
    return SimError(*kind)
