"""Journal columns: when, what kind, which contract, KuCoin's code, and the sentence."""

from __future__ import annotations

from PySide6.QtGui import QColor

from kcterm.core.journal import EntryKind, JournalEntry
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import clock_text
from kcterm.ui.theme import colors


def _kind_color(entry: JournalEntry) -> QColor:
    theme = colors()
    return QColor(
        {
            EntryKind.ERROR: theme.ask,
            EntryKind.REPLY: theme.bid,
            EntryKind.ACTION: theme.highlight,
            EntryKind.EVENT: theme.own_order,
        }.get(entry.kind, theme.muted)
    )


RECONCILED_PREFIX = "Reconciled ("  # core.reconcile's lines for what it had to correct


def is_reconcile_finding(entry: JournalEntry) -> bool:
    return entry.kind is EntryKind.INFO and entry.text.startswith(RECONCILED_PREFIX)


def _text_color(entry: JournalEntry) -> QColor | None:
    if entry.kind is EntryKind.ERROR:
        return QColor(colors().ask)
    # A correction the reconciler made stands out from the connection notes around it.
    return QColor(colors().own_order) if is_reconcile_finding(entry) else None


JOURNAL_COLUMNS: list[Column[JournalEntry]] = [
    Column("Time", lambda e: clock_text(e.at, millis=True), "left"),
    Column("Kind", lambda e: e.kind.value, "left", color=_kind_color),
    Column("Symbol", lambda e: e.symbol, "left"),
    Column("Code", lambda e: e.code, "left", color=_text_color),
    Column("Message", lambda e: e.text, "left", color=_text_color, tooltip=lambda e: e.text),
]


class JournalModel(SpecTableModel[JournalEntry]):
    def __init__(self) -> None:
        super().__init__(JOURNAL_COLUMNS, key=lambda e: e.seq, immutable=True)
