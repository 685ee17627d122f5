"""The session's one event bus: typed publish/subscribe, in-process and synchronous.

A producer publishes a frozen event value (kcterm.venue.events, or a core event); every
handler subscribed to that exact type is called, in subscription order, before publish()
returns. Dispatch is one dict lookup by type, so the bus costs nothing on a hot path that has
no subscriber. Handlers do no I/O (they update state and bump versions; a handler that needs
the network spawns a task), so publishing from a stream callback never waits.

One handler's exception does not keep the event from the others: it goes to `on_error`
(the session locks trading through core.fault_lock), then the next handler runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("kcterm.core.bus")

E = TypeVar("E")
Handler = Callable[[Any], None]


class EventBus:
    def __init__(self, on_error: Callable[[str, BaseException], None] | None = None) -> None:
        self._handlers: dict[type, list[Handler]] = {}
        self.on_error = on_error
        self.published = 0  # events handed out (for benchmarks and tests)

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler(event)` for every published event of exactly type `kind`. Returns
        the function that unsubscribes it again (calling it twice is harmless)."""
        handlers = self._handlers.setdefault(kind, [])
        handlers.append(handler)

        def unsubscribe() -> None:
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def publish(self, event: object) -> None:
        handlers = self._handlers.get(type(event))
        if not handlers:
            return
        self.published += 1
        for handler in tuple(handlers):  # a handler may unsubscribe itself meanwhile
            try:
                handler(event)
            except Exception as exc:
                name = getattr(handler, "__qualname__", repr(handler))
                if self.on_error is None:
                    log.exception("bus handler %s failed on %s", name, type(event).__name__)
                else:
                    self.on_error(f"event handler {name}", exc)

    def subscribers(self, kind: type) -> int:
        return len(self._handlers.get(kind, ()))
