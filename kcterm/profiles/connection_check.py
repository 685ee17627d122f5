"""Test connection, as the settings dialog and the desk ask it: the profile's venue answers
(kcterm.venue.kucoin.connection_check asks KuCoin's server time, account and order check).
The profile layer is where a profile meets its venue, so the window imports the check here."""

from kcterm.venue.kucoin.connection_check import (
    CheckLine,
    ConnectionReport,
    check_connection,
    refusal,
)

__all__ = ["CheckLine", "ConnectionReport", "check_connection", "refusal"]
