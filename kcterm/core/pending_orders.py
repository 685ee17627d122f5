"""Orders sent but not yet confirmed, so the trader sees every in-flight order (issue 10).

The order gateway adds one when a place begins and removes it when the exchange has answered
for good (placed, refused, or looked up after kcterm stopped retrying). Meanwhile the orders
panel shows it as *pending* with its age, and a wait for rate-limit budget with a countdown.
A pending order can be abandoned: the gateway then stops, looks its clientOid up when it may
have reached the exchange, and says what happened. A row here is never an exchange order: the
open-orders table shows exchange orders only once the private feed reports them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

SENDING = "sending"
WAITING = "waiting for rate-limit budget"
CHECKING = "checking"  # asking the exchange by clientOid whether it has the order
RETRYING = "retrying"


class PendingTerms(Protocol):
    """What a pending row shows of an order on its way (an OrderRequest, a BracketOrder)."""

    @property
    def client_oid(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def order_type(self) -> str: ...
    @property
    def price(self) -> Decimal | None: ...  # None: a market order (shown as 0)
    @property
    def size(self) -> int: ...  # 0 when closing the whole position


@dataclass(eq=False)
class PendingOrder:
    """One order on its way; the attributes an open-orders row reads are named alike."""

    client_oid: str
    symbol: str
    side: str
    order_type: str
    price: Decimal
    size: int
    started: float  # time.monotonic() when the trader's order began its way
    order_time_ns: int  # wall clock of the same moment, for the Time column
    state: str = SENDING
    wait_until: float | None = None  # monotonic end of a budget wait, when one is known
    sends: int = 0
    note: str = ""  # the last thing that went wrong, in the exchange's words
    abandon_requested: asyncio.Future[None] | None = field(default=None, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    filled_size: int = 0  # never filled while pending (the open-orders columns read it)

    @property
    def order_id(self) -> str:
        return f"pending:{self.client_oid}"

    @property
    def remaining(self) -> int:
        return self.size

    @property
    def age_s(self) -> float:
        return max(0.0, self.clock() - self.started)

    @property
    def wait_left_s(self) -> float | None:
        if self.state != WAITING or self.wait_until is None:
            return None
        return max(0.0, self.wait_until - self.clock())

    @property
    def status(self) -> str:
        """The Status cell: what the order is doing and for how long."""
        left = self.wait_left_s
        if left is not None and left >= 0.5:
            return f"pending · budget in {left:.0f} s"
        if self.state == WAITING:
            return f"pending · waiting for budget {self.age_s:.0f} s"
        return f"pending · {self.state} {self.age_s:.0f} s"

    @property
    def abandoned(self) -> bool:
        return self.abandon_requested is not None and self.abandon_requested.done()

    def waiting(self, until: float | None) -> None:
        """The throttler queued the request until about `until` (None: the wait is over)."""
        if until is None:
            if self.state == WAITING:
                self.state = SENDING
            self.wait_until = None
        else:
            self.state = WAITING
            self.wait_until = until


class PendingOrders:
    """clientOid -> PendingOrder; `version` moves on every change a panel must redraw."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._orders: dict[str, PendingOrder] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, client_oid: object) -> bool:
        return client_oid in self._orders

    def get(self, client_oid: str) -> PendingOrder | None:
        return self._orders.get(client_oid)

    def all(self) -> list[PendingOrder]:
        """Newest first, like the open orders."""
        return sorted(self._orders.values(), key=lambda p: p.started, reverse=True)

    def add(self, order: PendingTerms) -> PendingOrder:
        client_oid = order.client_oid
        pending = PendingOrder(
            client_oid=client_oid,
            symbol=order.symbol,
            side=order.side,
            order_type=order.order_type or "limit",
            price=order.price if order.price is not None else Decimal(0),
            size=order.size,
            started=self._clock(),
            order_time_ns=time.time_ns(),
            abandon_requested=asyncio.get_running_loop().create_future(),
            clock=self._clock,
        )
        self._orders[client_oid] = pending
        self.version += 1
        return pending

    def changed(self) -> None:
        self.version += 1

    def remove(self, client_oid: str) -> None:
        if self._orders.pop(client_oid, None) is not None:
            self.version += 1

    def abandon(self, client_oid: str) -> bool:
        """Ask the gateway to stop trying `client_oid`; False when it is no longer pending."""
        pending = self._orders.get(client_oid)
        if pending is None or pending.abandon_requested is None:
            return False
        if not pending.abandon_requested.done():
            pending.abandon_requested.set_result(None)
            self.version += 1
        return True
