"""Test connection: can this profile reach its exchange, and what may its key do?

Three questions, each answered in a sentence: the server's time and how far this computer's
clock is off (KuCoin refuses requests more than 5 s off); whether the key is valid and may read
(GET /api/v1/account-overview); whether it may trade (POST /api/v1/orders/test, which the
exchange validates and never places). When the exchange refuses, its own words are shown
beside our sentence for its code.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from kcterm.venue.errors import VenueError
from kcterm.venue.kucoin.errors import TRANSPORT_CODE, KucoinError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials

CLOCK_WARN_MS = 2_000  # KuCoin's window is 5 s; warn well before requests start failing
PERMISSION_CODE = "400007"
# Codes the gateway answers before it looks at an order: the key itself is the problem.
AUTH_CODES = frozenset({"400001", "400002", "400003", "400004", "400005", "400006", "411100"})
TEST_SYMBOL = "XBTUSDTM"


@dataclass(frozen=True)
class CheckLine:
    what: str  # "Server time", "API key", "Trading"
    ok: bool
    text: str


@dataclass
class ConnectionReport:
    lines: list[CheckLine] = field(default_factory=list)
    clock_offset_ms: int | None = None

    @property
    def ok(self) -> bool:
        return bool(self.lines) and all(line.ok for line in self.lines)

    def add(self, what: str, ok: bool, text: str) -> None:
        self.lines.append(CheckLine(what, ok, text))

    def text(self) -> str:
        return "\n".join(f"{'✔' if ln.ok else '✘'} {ln.what}: {ln.text}" for ln in self.lines)


def refusal(exc: VenueError) -> str:
    """Our sentence for the code, then the venue's own sentence, then the code."""
    ours = exc.sentence
    if exc.code == TRANSPORT_CODE:
        return f"{ours} ({exc.msg})"
    theirs = f" KuCoin said: “{exc.msg}”" if exc.msg and exc.msg not in ours else ""
    return f"{ours}{theirs} (code {exc.code})"


async def check_connection(
    base_url: str, credentials: Credentials | None, *, timeout: float = 10.0
) -> ConnectionReport:
    report = ConnectionReport()
    rest = RestClient(base_url, credentials, timeout=timeout)
    try:
        if not await _clock(rest, report):
            return report  # no server: the other checks would only repeat it
        if credentials is None:
            report.add("API key", False, "no API key is stored for this profile")
            return report
        if await _account(rest, report):
            await _trading(rest, report)
    finally:
        await rest.close()
    return report


async def _clock(rest: RestClient, report: ConnectionReport) -> bool:
    try:
        offset = await rest.sync_clock()
    except KucoinError as exc:
        report.add("Server", False, f"{rest.base_url} did not answer: {refusal(exc)}")
        return False
    report.clock_offset_ms = offset
    server = dt.datetime.fromtimestamp(rest.now_ms() / 1000, tz=dt.UTC)
    drift = "ahead of" if offset < 0 else "behind"
    words = f"{server:%Y-%m-%d %H:%M:%S} UTC; this computer's clock is {abs(offset)} ms {drift}"
    ok = abs(offset) <= CLOCK_WARN_MS
    if not ok:
        words += " — sync it: KuCoin refuses requests more than 5 s off"
    report.add("Server time", ok, words)
    return True


async def _account(rest: RestClient, report: ConnectionReport) -> bool:
    try:
        overview = await rest.request(
            "GET", "/api/v1/account-overview", params={"currency": "USDT"}, signed=True
        )
    except KucoinError as exc:
        report.add("API key", False, refusal(exc))
        return False
    equity = overview.get("accountEquity", "?") if isinstance(overview, dict) else "?"
    currency = overview.get("currency", "USDT") if isinstance(overview, dict) else "USDT"
    report.add("API key", True, f"valid and may read the account (equity {equity} {currency})")
    return True


async def _trading(rest: RestClient, report: ConnectionReport) -> None:
    # A small limit order far below any price: the exchange checks it and does not place it.
    order = {
        "clientOid": f"kcterm-check-{uuid.uuid4().hex[:16]}",
        "symbol": TEST_SYMBOL,
        "side": "buy",
        "type": "limit",
        "price": "1",
        "size": 1,
        "leverage": 1,
        "marginMode": "ISOLATED",
        "postOnly": True,
    }
    try:
        await rest.request("POST", "/api/v1/orders/test", body=order, signed=True)
    except KucoinError as exc:
        if exc.code == PERMISSION_CODE:
            report.add("Trading", False, f"this key may read but not trade. {refusal(exc)}")
        elif exc.code in AUTH_CODES or exc.http_status == 401:
            report.add("Trading", False, refusal(exc))
        else:
            # The gateway let the key through and the order check answered: it may trade.
            report.add("Trading", True, "the key may trade (a test order was checked, not placed)")
        return
    report.add("Trading", True, "the key may trade (a test order was checked, not placed)")
