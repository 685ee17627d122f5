"""Declarative table columns and the one table model every list panel uses.

A table is a list of `Column`s (header, text, alignment, colour, sort key), as in vnpy's
`headers` specs, on a QAbstractTableModel. `set_rows` works out what changed since the last
frame: rows added at the top (the tape) or the bottom (the journal) are inserted, rows gone are
removed, and of the rest only cells whose text changed are signalled, so a view repaints those
cells and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

R = TypeVar("R")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    align: str = "right"  # numbers are right-aligned; "left" / "center" for words
    color: Callable[[R], QColor | None] | None = None
    background: Callable[[R], QColor | None] | None = None
    sort: Callable[[R], Any] | None = None  # the sort key; the text when None
    tooltip: Callable[[R], str] | None = None


class SpecTableModel(QAbstractTableModel, Generic[R]):
    def __init__(
        self, columns: Sequence[Column[R]], key: Callable[[R], Hashable], *, immutable=False
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self._key = key
        self._immutable = immutable  # rows never change once shown: reuse their cells
        self._rows: list[R] = []
        self._keys: list[Hashable] = []
        self._cells: list[tuple[str, ...]] = []
        self.cells_signalled = 0  # cells reported changed so far (tests and benchmarks read it)
        self.resets = 0

    # -- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(self.columns[section].align)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[row][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column.align)
        if role == Qt.ItemDataRole.ForegroundRole and column.color is not None:
            color = column.color(self._rows[row])
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.BackgroundRole and column.background is not None:
            color = column.background(self._rows[row])
            return QBrush(color) if color is not None else None
        if role == SORT_ROLE:
            item = self._rows[row]
            return column.sort(item) if column.sort else self._cells[row][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(self._rows[row])
        return None

    # -- content ---------------------------------------------------------------------------

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rows(self) -> list[R]:
        return list(self._rows)

    def cell(self, row: int, column: int) -> str:
        return self._cells[row][column]

    def column_index(self, header: str) -> int:
        return [c.header for c in self.columns].index(header)

    def set_rows(self, rows: Sequence[R]) -> None:
        rows = list(rows)
        keys = [self._key(r) for r in rows]
        if keys != self._keys and not self._splice(keys, rows):
            self.beginResetModel()
            self._rows, self._keys = rows, keys
            self._cells = [self._cells_for(r) for r in rows]
            self.endResetModel()
            self.resets += 1
            return
        self._rows = rows
        last_column = len(self.columns) - 1
        for i, item in enumerate(rows):
            if self._immutable:
                continue
            new = self._cells_for(item)
            old = self._cells[i]
            if new == old:
                continue
            changed = [c for c in range(len(new)) if new[c] != old[c]]
            self._cells[i] = new
            self.cells_signalled += len(changed)
            first, last = changed[0], min(changed[-1], last_column)
            self.dataChanged.emit(self.index(i, first), self.index(i, last))

    def refresh_colors(self) -> None:
        """Repaint every cell (colours come from the theme, which just changed)."""
        if self._rows:
            bottom = self.index(len(self._rows) - 1, len(self.columns) - 1)
            self.dataChanged.emit(self.index(0, 0), bottom)

    def _cells_for(self, item: R) -> tuple[str, ...]:
        return tuple(column.text(item) for column in self.columns)

    def _splice(self, keys: list[Hashable], rows: list[R]) -> bool:
        """Insert/remove rows for the two shapes lists take here; False: reset instead."""
        old = self._keys
        if not old or not keys:
            if old:
                self.beginRemoveRows(QModelIndex(), 0, len(old) - 1)
                self._keys, self._cells, self._rows = [], [], []
                self.endRemoveRows()
            self._insert(0, keys, rows)
            return True
        if keys[0] in old:  # dropped at the top, appended at the bottom (journal)
            drop = old.index(keys[0])
            kept = len(old) - drop
            if old[drop:] != keys[:kept]:
                return False
            if drop:
                self.beginRemoveRows(QModelIndex(), 0, drop - 1)
                del self._keys[:drop], self._cells[:drop], self._rows[:drop]
                self.endRemoveRows()
            self._insert(kept, keys[kept:], rows[kept:])
            return True
        if old[0] in keys:  # added at the top, dropped at the bottom (tape)
            added = keys.index(old[0])
            kept = len(keys) - added
            if keys[added:] != old[:kept]:
                return False
            if kept < len(old):
                self.beginRemoveRows(QModelIndex(), kept, len(old) - 1)
                del self._keys[kept:], self._cells[kept:], self._rows[kept:]
                self.endRemoveRows()
            self._insert(0, keys[:added], rows[:added])
            return True
        return False

    def _insert(self, at: int, keys: list[Hashable], rows: list[R]) -> None:
        if not keys:
            return
        self.beginInsertRows(QModelIndex(), at, at + len(keys) - 1)
        self._keys[at:at] = keys
        self._cells[at:at] = [self._cells_for(r) for r in rows]
        self._rows[at:at] = rows  # kept aligned while the view asks during the insert
        self.endInsertRows()


def _alignment(align: str) -> Qt.AlignmentFlag:
    return {"right": _RIGHT, "left": _LEFT, "center": _CENTER}.get(align, _RIGHT)
