"""The trade journal on disk: one SQLite file (WAL) per profile in the user data directory.

Every journal line (order actions, replies, errors, order events), every fill, funding payment
and reconciliation discrepancy is written by a thread of its own (JournalWriter), so the GUI
loop only puts a tuple on a queue. Lines pass the secret redactor first: the journal never
holds a secret. `export_csv` writes fills with realised PnL, and funding, for tax and review.
"""

from kcterm.journal_store.export import export_csv
from kcterm.journal_store.fill_sync import FillSync, follow_session
from kcterm.journal_store.recorder import JournalRecorder
from kcterm.journal_store.schema import journal_path, open_db
from kcterm.journal_store.writer import JournalWriter

__all__ = [
    "FillSync",
    "JournalRecorder",
    "JournalWriter",
    "export_csv",
    "follow_session",
    "journal_path",
    "open_db",
]
