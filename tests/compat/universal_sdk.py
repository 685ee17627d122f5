"""What both kucoin-universal-sdk test modules need: a client with every endpoint on the sim,
its WebSocket events, a reply check and a bounded wait for its threads.

The SDK is synchronous (requests + websocket-client threads), so the exchange runs on its own
thread. DefaultTransport.process_response returns from a `finally` block, so a reply its
pydantic model rejects comes back as an empty model instead of raising: `checked()` validates
every reply's raw `data` again with the model, loudly.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

with warnings.catch_warnings():  # the SDK's generated models trip pydantic deprecations
    warnings.simplefilter("ignore", DeprecationWarning)
    from kucoin_universal_sdk.api.client import DefaultClient
    from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
    from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder
    from kucoin_universal_sdk.model.websocket_option import (
        WebSocketClientOptionBuilder,
        WebSocketEvent,
    )

from kcterm.embedded import EmbeddedExchange


class Events:
    """The SDK's WebSocket events (its callbacks run on the SDK's own threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[WebSocketEvent, str, str]] = []

    def __call__(self, event: WebSocketEvent, msg: str, error: str) -> None:
        with self.lock:
            self.seen.append((event, msg, error))

    def of(self, kind: WebSocketEvent) -> list[tuple[WebSocketEvent, str, str]]:
        with self.lock:
            return [e for e in self.seen if e[0] is kind]


def sdk_client(sim: EmbeddedExchange, events: Events) -> DefaultClient:
    cfg = sim.config
    url = sim.base_url
    options = (
        ClientOptionBuilder()
        .set_key(cfg.key)
        .set_secret(cfg.secret)
        .set_passphrase(cfg.passphrase)  # the SDK always signs as key version 3
        .set_spot_endpoint(url)  # every endpoint on the sim: nothing may reach KuCoin
        .set_futures_endpoint(url)
        .set_broker_endpoint(url)
        .set_transport_option(TransportOptionBuilder().set_max_retries(0).build())
        .set_websocket_client_option(
            WebSocketClientOptionBuilder()
            .with_event_callback(events)
            .with_reconnect(False)
            .with_write_timeout(5)
            .build()
        )
        .build()
    )
    return DefaultClient(options)


def checked(resp: Any) -> Any:
    """Re-validate the raw reply with the SDK's own model (see the module docstring)."""
    common = resp.common_response
    assert common is not None and common.code == "200000", common
    type(resp).from_dict(common.data)  # raises pydantic.ValidationError on a mismatch
    return resp


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """The SDK is threaded: a bounded poll on its callbacks' results (tests/waiting.py is the
    same for asyncio)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


def stop_all(*streams: Any) -> None:
    """websocket-client (under the SDK) may take 10 s to stop: its reader selects with a 10 s
    timeout and close() can consume the close reply it waits for (the same against a bare
    aiohttp server). Stopping them all at once bounds a test at one such wait."""
    stoppers = [threading.Thread(target=s.stop) for s in streams]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join()
