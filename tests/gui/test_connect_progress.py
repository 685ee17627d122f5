"""Connecting shows a moving busy bar, not a frozen or missing window."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from kcterm.embedded import EmbeddedExchange
from kcterm.ui.connect_progress import ConnectProgress
from tests.gui.conftest import open_session


async def test_the_window_keeps_painting_while_a_session_connects(
    exchange: EmbeddedExchange,
) -> None:
    progress = ConnectProgress("Connecting: practice on the embedded exchange…")
    progress.show()
    frames: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: frames.append(1))
    timer.start(1)
    session = await open_session(exchange)  # clock, contracts, tickers, streams
    timer.stop()
    try:
        assert progress.isVisible() and progress.bar.maximum() == 0  # indeterminate
        assert frames, "Qt processed no timer while the session connected"
        progress.set_text("Connected")
        assert progress.label.text() == "Connected"
    finally:
        progress.close()
        progress.deleteLater()
        await session.stop()
