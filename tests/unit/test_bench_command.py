"""`kcterm bench` writes its table and its plot (a tiny workload: the REST benchmark, one
round of a few requests against a real kcterm-sim process)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from kcterm.app import main
from kcterm.bench.harness import Figure, Row, interleaved, markdown


def test_kcterm_bench_writes_a_markdown_table_and_a_png(qapp, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["bench", "--only", "rest", "--quick", "--out", str(out)]) == 0
    table = (out / "bench.md").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(table) if line.startswith("| what |"))
    rows = [line for line in table[header + 2 :] if line.startswith("|")]
    assert len(rows) == 2  # req/s and CPU per request, each beside raw aiohttp
    assert all("raw aiohttp" in row and "× |" in row for row in rows)
    assert all("`kcterm bench --only rest --rounds 7 --quick`" in row for row in rows)
    image = QImage(str(out / "bench.png"))
    assert not image.isNull() and image.width() > 0 and image.height() > 0
    assert "written:" in capsys.readouterr().out


def test_kcterm_bench_book_quick_writes_its_ratios_and_the_depth_plot(qapp, tmp_path: Path) -> None:
    """The book benchmark, registered: one quick round on a synthetic book (no exchange)."""
    out = tmp_path / "out"
    assert main(["bench", "--only", "book", "--quick", "--out", str(out)]) == 0
    table = (out / "bench.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| level2")]
    assert len(rows) == 4 + 3  # against both references, the floor, parse only; 3 depths
    for contender, goal in (
        ("Decimal keys", ">= 1.0x"),
        ("orjson.loads alone", ">= 0.35x"),
    ):
        assert any(contender in row and goal in row and "× |" in row for row in rows)
    assert sum("levels a side" in row and "ns/frame" in row for row in rows) == 3
    assert all("`kcterm bench --only book --rounds 7 --quick`" in row for row in rows)
    image = QImage(str(out / "bench.png"))
    assert not image.isNull() and image.width() > 0


def test_a_row_compares_medians_and_keeps_the_spread() -> None:
    row = Row.compare("x", Figure((1.0, 3.0, 2.0)), "s", "floor", Figure((1.0, 1.0, 4.0)))
    assert (row.value, row.contender_value, row.ratio) == (2.0, 1.0, 2.0)
    assert row.spread == "1..3 / 1..4 (3 rounds)"
    assert "| x | 2 s | floor | 1 | 2.00× |" in markdown([row])


def test_rounds_are_interleaved_in_alternating_order() -> None:
    order: list[str] = []
    figures = interleaved(
        4, {"a": lambda: order.append("a") or 1.0, "b": lambda: order.append("b") or 2.0}
    )
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert figures["a"].samples == (1.0,) * 4 and figures["b"].median == 2.0


def test_kcterm_bench_idle_quick_measures_the_app_and_its_exchange_apart(
    qapp, tmp_path: Path
) -> None:
    """The idle benchmark, registered: the app as a user starts it on the practice profile
    (its exchange a child process), one short round."""
    out = tmp_path / "out"
    assert main(["bench", "--only", "idle", "--quick", "--out", str(out)]) == 0
    rows = (out / "bench.md").read_text(encoding="utf-8").splitlines()
    app = next(row for row in rows if row.startswith("| app CPU, an idle trader"))
    exchange = next(row for row in rows if row.startswith("| its exchange's process CPU"))
    assert "<= 3 %" in app and "% of a core" in app
    for row in (app, exchange):
        value = float(row.split("|")[2].split()[0])
        assert 0 < value < 100  # both processes were found and ran


def test_the_rest_instruction_driver_makes_signed_calls_a_running_exchange_accepts() -> None:
    """`python -m kcterm.bench.rest` (what valgrind counts): each contender's calls are real
    signed requests the exchange answers with 200000 (a refusal raises, from either)."""
    import pytest

    from kcterm.bench.rest import instructions_main
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim import SimConfig

    exchange = EmbeddedExchange(SimConfig(port=0, seed=7))
    base_url = exchange.start()
    try:
        for contender in ("kcterm", "raw"):
            assert (
                instructions_main(["--contender", contender, "--count", "3", "--url", base_url])
                == 0
            )
        with pytest.raises(SystemExit):
            instructions_main(["--contender", "ccxt", "--count", "1", "--url", base_url])
    finally:
        exchange.stop()
