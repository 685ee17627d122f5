"""The trade journal on disk: one SQLite file (WAL) per profile in the user data directory.

Every journal line (order actions, replies, errors, order events), every fill, funding payment
and reconciliation discrepancy is written by a thread of its own (JournalWriter), so the GUI
loop only puts a tuple on a queue. Lines pass the secret redactor first: the journal never
holds a secret. `export_csv` writes fills with realised PnL, and funding, for tax and review.
"""

from typing import TYPE_CHECKING, Any

from kcterm.journal_store.fill_sync import FillSync, follow_session
from kcterm.journal_store.recorder import JournalRecorder
from kcterm.journal_store.schema import journal_path, open_db
from kcterm.journal_store.writer import JournalWriter

if TYPE_CHECKING:
    from kcterm.journal_store.export import export_csv


def __getattr__(name: str) -> Any:
    # The CSV export (csv, datetime, the PnL book) when it is first asked for: opening a
    # profile's journal, before the first window, does not need it (issue 14).
    if name == "export_csv":
        from kcterm.journal_store.export import export_csv

        return export_csv
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FillSync",
    "JournalRecorder",
    "JournalWriter",
    "export_csv",
    "follow_session",
    "journal_path",
    "open_db",
]
