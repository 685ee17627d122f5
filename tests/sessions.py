"""A Session on KuCoin's adapter in one line, as kcterm.profile_runner builds it: the tests'
`Session(rest, venue=...)` of before the session was given its venue."""

from __future__ import annotations

from typing import Any

from kcterm.core.session import Session
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.venue import KucoinVenue


def kucoin_session(
    rest: RestClient, *, venue: str, stream_options: dict[str, Any] | None = None, **kw: Any
) -> Session:
    """A Session on `rest` (KucoinVenue.open: the stream groups with `stream_options`);
    `kw` as Session takes them (reconcile_interval, profile_name, lease_grace_s)."""
    return Session(KucoinVenue.open(rest, stream_options), venue=venue, **kw)
