"""The journal's writer thread: the GUI loop enqueues statements, this thread commits them.

A put is one queue append (no disk, no lock held for long), so a fast market never waits on
SQLite. The thread drains whatever has queued into one transaction, which keeps the number of
commits (each an fsync at worst) small under bursts.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kcterm.journal_store.schema import open_db
from kcterm.private_files import private_file

BATCH_MAX = 1000
log = logging.getLogger("kcterm.journal_store")

_Statement = tuple[str, Sequence[Any]]


class _Flush:
    """A marker in the queue: set once every statement before it is committed."""

    def __init__(self) -> None:
        self.done = threading.Event()


class JournalWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors = 0  # statements that failed (logged); the journal keeps going
        self.written = 0
        self._queue: queue.SimpleQueue[_Statement | _Flush | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._opened = threading.Event()
        self._open_error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start the thread and open the file there; raise if the file cannot be opened."""
        self._thread = threading.Thread(target=self._run, name="kcterm-journal", daemon=True)
        self._thread.start()
        if not self._opened.wait(timeout):
            raise RuntimeError(f"the journal at {self.path} did not open in time")
        if self._open_error is not None:
            raise RuntimeError(f"cannot open the journal at {self.path}: {self._open_error}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Queue one statement; it is committed shortly, on the writer thread."""
        self._queue.put((sql, params))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is committed (tests, export, shutdown)."""
        if self._thread is None or not self._thread.is_alive():
            return False
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        try:
            # Fills and PnL are the trader's business: 0600 in a 0700 directory, made before
            # SQLite opens it (its -wal and -shm files copy the database file's mode).
            private_file(self.path)
            conn = open_db(self.path)
        except (sqlite3.Error, OSError) as exc:
            self._open_error = exc
            self._opened.set()
            return
        self._opened.set()
        try:
            running = True
            while running:
                batch = [self._queue.get()]
                while len(batch) < BATCH_MAX:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                running = self._commit(conn, batch)
        finally:
            conn.close()

    def _commit(self, conn: sqlite3.Connection, batch: list[_Statement | _Flush | None]) -> bool:
        markers: list[_Flush] = []
        running = True
        with conn:  # one transaction for the whole batch
            for item in batch:
                if item is None:
                    running = False
                elif isinstance(item, _Flush):
                    markers.append(item)
                else:
                    try:
                        conn.execute(*item)
                        self.written += 1
                    except sqlite3.Error:
                        self.errors += 1
                        log.exception("journal statement failed: %s", item[0].split("(")[0])
        for marker in markers:
            marker.done.set()
        return running
