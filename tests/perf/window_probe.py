"""The window probes live in kcterm/bench/window_probe.py (the bench command runs them too)."""

from kcterm.bench.window_probe import (
    CpuBreakdown,
    GcPauses,
    LagSampler,
    Level2Tap,
    PaintCounter,
    TickToPaint,
    cpu_seconds,
    panel_widgets,
    percentile,
    spread,
    thread_cpu_seconds,
)

__all__ = [
    "CpuBreakdown",
    "GcPauses",
    "LagSampler",
    "Level2Tap",
    "PaintCounter",
    "TickToPaint",
    "cpu_seconds",
    "panel_widgets",
    "percentile",
    "spread",
    "thread_cpu_seconds",
]
