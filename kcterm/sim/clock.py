"""The exchange's clock. A skew can be set so clients can rehearse a drifting clock (400002)."""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self.skew_ms = 0

    def now_ns(self) -> int:
        return time.time_ns() + self.skew_ms * 1_000_000

    def now_ms(self) -> int:
        return self.now_ns() // 1_000_000
