"""How urgent a request to the venue is: the order in which requests wait for budget.

Core says how urgent its request is; the adapter's throttle decides what that means for the
venue's rate limits (KuCoin's: venue/kucoin/throttle.py).
"""

from __future__ import annotations

from enum import IntEnum


class Priority(IntEnum):
    CANCEL = 0  # cancels and closing orders: reduce risk, always first
    PLACE = 1  # new orders
    QUERY = 2  # what the user asked to see, reconciliation
    BACKGROUND = 3  # polling nobody is waiting for
