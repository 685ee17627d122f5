"""Status bar: venue badge (LIVE unmistakable), each stream's state, WebSocket round trip, clock
offset, rate-limit budget, age of the last market message, the trading interlock and notices.

Refreshed 4 times a second (refresh_hz; the ages and the rate-limit countdown move in tenths
of seconds and seconds). Every label is rewritten only when its text changes, and the labels
whose text moves keep a fixed size (ui.steady_label): a new age repaints that label, not the
window (a status bar label that changes width relays out the main window and all its docks).
"""

from __future__ import annotations

import html
import time

from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar, QWidget

from kcterm.core.health import Health, RateLimit, StreamStatus
from kcterm.core.interlock import Gate
from kcterm.core.session import Session
from kcterm.ui.steady_label import set_steady_text
from kcterm.ui.theme import colors

_STATE_COLOR = {"connected": "bid", "connecting": "own_order", "reconnecting": "own_order"}


class TerminalStatusBar(QStatusBar):
    refresh_hz = 4  # the frame clock calls refresh() at this rate (ui.frame_clock)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._notices_version = -1
        self._streams_version = -1
        live = session.is_live
        self.venue_badge = QLabel("LIVE" if live else "SIM")
        self.venue_badge.setObjectName("venueBadgeLive" if live else "venueBadgeSim")
        self.venue_badge.setToolTip(
            "LIVE: real orders on KuCoin Futures, real money"
            if live
            else "Embedded practice exchange"
        )
        self.gate_label = QLabel()
        self.gate_label.setObjectName("gateLabel")
        self.notice_label = QLabel()
        # A long notice takes the room there is, never more: the window must fit a 1280 px
        # laptop screen whatever the notice says (the whole text is in the tooltip).
        self.notice_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.streams_label = QLabel("streams: connecting")
        self.rtt_label = QLabel("rtt —")
        self.rtt_label.setToolTip("WebSocket ping round trip (public / private)")
        self.clock_label = QLabel()
        self.clock_label.setToolTip("Exchange clock minus this computer's clock")
        self.rate_label = QLabel("rate —")
        self.rate_label.setToolTip("REST rate-limit budget left in the current 30 s window")
        self.feed_label = QLabel("feed —")
        self.feed_label.setToolTip("Age of the last market message")
        self.addWidget(self.venue_badge)
        self.addWidget(self.gate_label)
        self.addWidget(self.notice_label, 1)
        for label in (
            self.streams_label,
            self.rtt_label,
            self.clock_label,
            self.rate_label,
            self.feed_label,
        ):
            self.addPermanentWidget(label)

    def show_gate(self, gate: Gate) -> None:
        self._set(self.gate_label, "" if gate.open else f"⏸ {gate.reason}")
        self.gate_label.setVisible(not gate.open)
        # The interlock moved (the window checks it every frame): the streams that moved it
        # are shown with it, not up to a refresh later.
        self.refresh()

    def refresh(self) -> None:
        session = self._session
        health = session.health
        theme = colors()
        parts = []
        links = health.links()
        for link in links:
            state = link.state.value
            color = getattr(theme, _STATE_COLOR.get(state, "ask"))
            why = "" if state == "connected" else _why(link.statuses)
            parts.append(f'<span style="color:{color}">●</span> {link.name} {state}{why}')
        self._set(self.streams_label, " &nbsp;".join(parts))
        if health.streams_version != self._streams_version:
            self._streams_version = health.streams_version
            self.streams_label.setToolTip(_streams_tip(health))
        rtt_text = " / ".join("—" if k.rtt_ms is None else f"{k.rtt_ms:.0f}" for k in links)
        set_steady_text(self.rtt_label, f"rtt {rtt_text} ms")
        set_steady_text(self.clock_label, f"clock {health.clock_offset_ms:+d} ms")
        set_steady_text(self.rate_label, _rate_text(health.rate_limit))
        if session.market_data.last_market_monotonic:
            age = time.monotonic() - session.market_data.last_market_monotonic
            set_steady_text(self.feed_label, f"feed {age:4.1f} s")
        if session.notices_version != self._notices_version and session.notices:
            self._notices_version = session.notices_version
            notice = session.notices[-1]
            self.notice_label.setText(notice.text)
            self.notice_label.setToolTip(notice.text)
            self.notice_label.setStyleSheet(
                f"color: {theme.ask}" if notice.level == "error" else ""
            )

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)


# The last reports the streams' tooltip lists under their current state.
_RECENT_REPORTS = 8


def _streams_tip(health: Health) -> str:
    """Each connection's state now, then its last reports with their times: a reconnect
    that took a few milliseconds still says why the link dropped."""
    lines = [f"{name}: {detail}" for name, (_, detail) in health.stream_states.items()]
    recent = list(health.stream_history)[-_RECENT_REPORTS:]
    if recent:
        lines.append("")
        lines.append("recent:")
        for report in reversed(recent):
            at = time.strftime("%H:%M:%S", time.localtime(report.at))
            lines.append(f"{at} {report.name} {report.state.value}: {report.detail}")
    return "\n".join(lines)


def _why(statuses: list[StreamStatus]) -> str:
    """The reason of the least healthy connection, short: never a bare colour over a dead
    stream (issue 10)."""
    worst = next((s for s in statuses if s.state.value != "connected" and s.detail), None)
    if worst is None:
        return ""
    detail = html.escape(worst.detail if len(worst.detail) <= 60 else worst.detail[:57] + "…")
    return f" ({detail})"


def _rate_text(limit: RateLimit | None) -> str:
    if limit is None:
        return "rate —"
    left = max(0.0, limit.resets_at_monotonic - time.monotonic())
    return f"rate {limit.remaining}/{limit.limit} ({left:.0f} s)"
