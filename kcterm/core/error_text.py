"""A venue's refusal as the trader reads it: the venue's own code and words beside our
sentence ("300000 · postOnly order would take liquidity; order rejected — The exchange
refused a value of the request."), never our sentence alone (issue 10 item 10). What a code
means is the adapter's knowledge (VenueError.sentence/words); the lines are written here."""

from __future__ import annotations

from kcterm.venue.errors import VenueError


def refusal_text(exc: VenueError) -> str:
    """The line a trader reads when an order did not go: the exchange's words and ours."""
    return exc.words


def order_refusal(exc: VenueError) -> str:
    """The ticket's line for an order that was not placed."""
    if exc.own_verdict:
        return refusal_text(exc)
    return f"Rejected by the exchange: {refusal_text(exc)}"
