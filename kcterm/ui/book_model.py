"""Table model of the ladder: asks above (best at the bottom), spread row, bids below.

Rows are fixed (depth asks + 1 + depth bids), so a refresh compares the new rows with the drawn
ones and emits dataChanged only over the cells that changed (over their span, in one signal,
when many rows changed: a busy book's every frame). Levels are grouped by a multiple of
the tick; each level carries a size bar and a cumulative bar (BAR_ROLE) and the user's own
resting lots at that price (the "Mine" column).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from kcterm.core.book import LevelTwoBook
from kcterm.core.contract import Contract
from kcterm.core.ladder import Level, group_levels, levels_needed
from kcterm.ui.formatting import price_text
from kcterm.ui.theme import colors

BAR_ROLE = Qt.ItemDataRole.UserRole + 2  # (fraction 0..1, "size" | "total") for the delegate
MINE, PRICE, SIZE, TOTAL = range(4)
FEW_ROWS = 4  # up to this many changed rows are signalled one by one, more as one span
BUCKETS_MAX = 20_000  # prices whose group is remembered; forgotten all at once beyond it
HEADERS = ("Mine", "Price", "Size", "Total")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter


class LadderRow(NamedTuple):
    """One row as drawn. A named tuple, not a dataclass: a busy book makes ~40 a frame and
    compares them with the last frame's, and a tuple is made and compared in C."""

    side: str  # "ask" | "bid" | "spread"
    price: str = ""
    size: str = ""
    total: str = ""
    mine: str = ""
    size_bar: float = 0.0
    total_bar: float = 0.0

    def texts(self) -> tuple[str, str, str, str]:
        return (self.mine, self.price, self.size, self.total)


class BookModel(QAbstractTableModel):
    def __init__(self, depth: int = 15) -> None:
        super().__init__()
        self.depth = depth
        self._rows: list[LadderRow] = [LadderRow("spread")] * (2 * depth + 1)
        self.prices: list[Decimal | None] = [None] * (2 * depth + 1)
        self.cells_signalled = 0
        self.sequence = -1  # the book's sequence drawn: the newest change the ladder shows
        self._drawn_from: tuple[object, ...] = ()  # the book's levels the rows were made from
        # Of each side ("buy", "sell"): price -> its group at _bucket_step.
        self._buckets: dict[str, dict[Decimal, Decimal]] = {"buy": {}, "sell": {}}
        self._bucket_step: Decimal | None = None
        # A price's text at the contract's precision: the prices repeat from frame to frame,
        # and formatting a Decimal is the dearest part of making a row.
        self._price_texts: dict[Decimal, str] = {}
        self._price_places: int | None = None
        self._spread_drawn: tuple[Decimal | None, int | None] | None = None  # (spread, places)
        self._spread_label = ""

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _CENTER if section == MINE else _RIGHT
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts()[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTER if column == MINE else _RIGHT
        theme = colors()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == MINE:
                return QBrush(QColor(theme.own_order))
            if row.side == "spread":
                return QBrush(QColor(theme.muted))
            return QBrush(theme.side("buy" if row.side == "bid" else "sell"))
        if role == Qt.ItemDataRole.BackgroundRole and row.mine and column in (MINE, PRICE):
            own = QColor(theme.own_order)
            own.setAlpha(40)
            return QBrush(own)
        if role == BAR_ROLE and row.side != "spread":
            if column == SIZE:
                return (row.size_bar, row.side)
            if column == TOTAL:
                return (row.total_bar, "total")
        if role == Qt.ItemDataRole.ToolTipRole and row.mine:
            return f"Your resting orders here: {row.mine} lots"
        return None

    def set_depth(self, depth: int) -> None:
        """Levels per side (the panel fits it to its height); a rare full reset."""
        if depth == self.depth or depth < 1:
            return
        self.beginResetModel()
        self._drawn_from = ()
        self.depth = depth
        self._rows = [LadderRow("spread")] * (2 * depth + 1)
        self.prices = [None] * (2 * depth + 1)
        self.endResetModel()

    def _group(self, levels: list[Level], step: Decimal, side: str, depth: int) -> list[Level]:
        """core.ladder.group_levels, with each price's group remembered: the prices repeat
        from frame to frame, and a Decimal division per level per frame was a third of the
        ladder's refresh."""
        buckets = self._buckets[side]
        if step != self._bucket_step:
            for known in self._buckets.values():
                known.clear()
            self._bucket_step = step
        elif len(buckets) > BUCKETS_MAX:
            buckets.clear()
        return group_levels(levels, step, side, depth, buckets)

    def row_text(self, row: int) -> tuple[str, str, str, str]:
        """(side, price, size, total) of a row, for tests and accessibility."""
        item = self._rows[row]
        return (item.side, item.price, item.size, item.total)

    def row_at(self, row: int) -> LadderRow:
        return self._rows[row]

    def update_from(
        self,
        book: LevelTwoBook,
        contract: Contract | None,
        multiple: int = 1,
        own: dict[tuple[str, Decimal], int] | None = None,
    ) -> int:
        """Recompute the ladder; returns how many rows changed (and were signalled)."""
        depth = self.depth
        own = own or {}
        self.sequence = book.sequence
        raw = levels_needed(depth, multiple) if contract is not None else depth
        raw_asks, raw_bids = book.asks(raw), book.bids(raw)
        # Most changes of a book are deeper than the ladder shows: when the levels it draws
        # from are those of the last frame, nothing on screen can have changed.
        drawn_from = (raw_asks, raw_bids, contract, multiple, own, book.is_live, depth)
        if drawn_from == self._drawn_from:
            return 0
        self._drawn_from = drawn_from
        if contract is not None:
            step = contract.tick_size * multiple
            asks = self._group(raw_asks, step, "sell", depth)
            bids = self._group(raw_bids, step, "buy", depth)
        else:
            asks, bids = raw_asks, raw_bids
        max_size = max((s for _, s in asks + bids), default=0) or 1
        ask_total = sum(s for _, s in asks)
        bid_total = sum(s for _, s in bids)
        max_total = max(ask_total, bid_total) or 1
        places = contract.price_places if contract is not None else None
        texts = self._price_texts
        if places != self._price_places or len(texts) > BUCKETS_MAX:
            texts.clear()
            self._price_places = places
        ask_rows = _side_rows("ask", asks, places, own, max_size, max_total, texts)
        bid_rows = _side_rows("bid", bids, places, own, max_size, max_total, texts)
        padding = depth - len(ask_rows)
        rows = [LadderRow("ask")] * padding + list(reversed(ask_rows))
        prices: list[Decimal | None] = [None] * padding + [p for p, _ in reversed(asks)]
        spread = book.spread()
        # The spread's label, formatted again only when it moves (a Decimal formatted with
        # separators was a sixth of a fast market's ladder refresh; the spread seldom moves).
        if (spread, places) != self._spread_drawn:
            self._spread_drawn = (spread, places)
            self._spread_label = (
                "spread " + price_text(contract, spread) if spread is not None else ""
            )
        label = self._spread_label
        if not book.is_live:
            label = "syncing…"
        rows.append(LadderRow("spread", price=label))
        prices.append(None)
        rows += bid_rows + [LadderRow("bid")] * (depth - len(bid_rows))
        prices += [p for p, _ in bids] + [None] * (depth - len(bid_rows))
        changed: list[tuple[int, int, int]] = []  # (row, first column, last column)
        for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)):
            if old == new:
                continue
            # The columns whose text changed; the size's with its bar; every column with
            # the cumulative bar or the side (the row's colours).
            if old.total_bar != new.total_bar or old.side != new.side:
                first, last = MINE, TOTAL
            else:
                sized = old.size != new.size or old.size_bar != new.size_bar
                priced = old.price != new.price
                first = (
                    MINE if old.mine != new.mine else PRICE if priced else SIZE if sized else TOTAL
                )
                last = (
                    TOTAL
                    if old.total != new.total
                    else SIZE
                    if sized
                    else PRICE
                    if priced
                    else MINE
                )
            self.cells_signalled += last - first + 1
            changed.append((i, first, last))
        self._rows = rows
        self.prices = prices
        if len(changed) <= FEW_ROWS:
            for i, first, last in changed:
                self.dataChanged.emit(self.index(i, first), self.index(i, last))
        else:
            # A busy book changes most rows each frame: one signal over their span repaints
            # the same cells as one per row, for a fraction of the calls.
            first = min(c[1] for c in changed)
            last = max(c[2] for c in changed)
            self.dataChanged.emit(
                self.index(changed[0][0], first), self.index(changed[-1][0], last)
            )
        return len(changed)


def _side_rows(
    side: str,
    levels: list[Level],
    places: int | None,
    own: dict[tuple[str, Decimal], int],
    max_size: int,
    max_total: int,
    price_texts: dict[Decimal, str],
) -> list[LadderRow]:
    """`places`: the contract's price precision (None: no contract, the price as it is);
    `price_texts`: the prices' texts at that precision, filled here as they come."""
    own_side = "buy" if side == "bid" else "sell"
    total = 0
    rows: list[LadderRow] = []
    for price, size in levels:
        total += size
        mine = own.get((own_side, price), 0) if own else 0
        if places is None:  # as it came (equal Decimals may read differently: no cache)
            text = str(price)
        else:
            cached = price_texts.get(price)
            if cached is None:
                cached = price_texts[price] = f"{price:,.{places}f}"
            text = cached
        rows.append(
            LadderRow(
                side,
                text,
                f"{size:,}",
                f"{total:,}",
                f"{mine:,}" if mine else "",
                round(size / max_size, 3),
                round(total / max_total, 3),
            )
        )
    return rows
