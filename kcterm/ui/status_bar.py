"""Status bar: venue badge (LIVE unmistakable), stream states, clock offset, feed age, notices."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from kcterm.core.session import Session


class TerminalStatusBar(QStatusBar):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._streams_version = -1
        self._notices_version = -1
        self.venue_badge = QLabel("LIVE" if session.is_live else "SIM")
        self.venue_badge.setObjectName("venueBadgeLive" if session.is_live else "venueBadgeSim")
        self.venue_badge.setToolTip(
            "Real orders on KuCoin Futures" if session.is_live else "Embedded practice exchange"
        )
        self.streams_label = QLabel("streams: connecting")
        self.clock_label = QLabel()
        self.feed_label = QLabel("feed: —")
        self.notice_label = QLabel()
        self.addWidget(self.venue_badge)
        self.addWidget(self.notice_label, 1)
        for label in (self.streams_label, self.clock_label, self.feed_label):
            self.addPermanentWidget(label)

    def refresh(self) -> None:
        session = self._session
        if session.streams_version != self._streams_version:
            self._streams_version = session.streams_version
            parts = [
                f"{name}: {state.value}"
                for name, (state, _) in sorted(session.stream_states.items())
            ]
            self.streams_label.setText(" · ".join(parts) or "streams: connecting")
            details = [
                f"{name}: {detail}" for name, (_, detail) in session.stream_states.items() if detail
            ]
            self.streams_label.setToolTip("\n".join(details))
        if session.notices_version != self._notices_version and session.notices:
            self._notices_version = session.notices_version
            notice = session.notices[-1]
            self.notice_label.setText(notice.text)
            self.notice_label.setStyleSheet("color: #ff8a80" if notice.level == "error" else "")
        self.clock_label.setText(f"clock {session.rest.clock_offset_ms:+d} ms")
        if session.last_market_monotonic:
            age = time.monotonic() - session.last_market_monotonic
            self.feed_label.setText(f"feed {age:4.1f} s")
