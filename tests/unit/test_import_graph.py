"""The import graph of kcterm/: no cycles, and the layer rules of ARCHITECTURE.md.

Every import counts, wherever it is written: at module level, inside a function (imported
late, still a dependency) and under `if TYPE_CHECKING:` (a type-level dependency both ways is
still two files that know each other). `from pkg import name` where `name` is a submodule is
an edge to that submodule. An edge goes to the module named, not to the packages above it:
importing kcterm.ui.theme runs kcterm/ui/__init__.py too, but a package's __init__ is not
the concept the importer depends on, and counting it would turn every package that re-exports
its submodules into a false cycle.

The graph is read from the source with `ast`, nothing is imported, so a cycle is found even
where Python would tolerate it at run time (late or TYPE_CHECKING imports).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "kcterm"
QT_PACKAGES = frozenset({"PySide6", "shiboken6", "pyqtgraph", "qasync"})


@dataclass(frozen=True)
class Import:
    """One imported name, resolved: `target` is absolute (relative imports resolved) and, for
    `from pkg import name` where pkg.name is a module of the tree, is that submodule."""

    importer: str  # dotted module name of the importing file
    target: str
    path: Path  # relative to the directory holding the package: kcterm/sim/stops.py
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def modules_of(root: Path) -> dict[str, Path]:
    """Dotted name -> file for every module of the package at `root` (a package is named by
    its __init__.py)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path], top: Path) -> Iterator[Import]:
    """Every import statement anywhere in the file (ast.walk reaches function bodies,
    TYPE_CHECKING blocks and try/except alike). Paths are shown relative to `top`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shown = path.relative_to(top)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, shown, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base_parts = parts[: len(parts) - (node.level - 1)]
                if node.module:
                    base_parts.append(node.module)
                base = ".".join(base_parts)
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield Import(name, submodule if submodule in modules else base, shown, node.lineno)


@functools.cache  # the tree is parsed once for all the tests of this file
def all_imports(root: Path) -> tuple[Import, ...]:
    modules = modules_of(root)
    return tuple(
        imp
        for name, path in modules.items()
        for imp in imports_of(name, path, modules, root.parent)
    )


def owning_module(target: str, modules: dict[str, Path]) -> str | None:
    """The module of the tree an imported name lives in (`a.b.Thing` -> `a.b`), or None for
    an import from outside the tree."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_graph(root: Path) -> tuple[dict[str, set[str]], dict[tuple[str, str], Import]]:
    """Module -> modules of the tree it imports, and the first import behind each edge (for
    the failure message)."""
    modules = modules_of(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    first: dict[tuple[str, str], Import] = {}
    for imp in all_imports(root):
        target = owning_module(imp.target, modules)
        if target is None or target == imp.importer:
            continue
        graph[imp.importer].add(target)
        first.setdefault((imp.importer, target), imp)
    return graph, first


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit): the groups of more than one node
    where each reaches every other, i.e. the import cycles. Sorted, for a stable message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


def describe_cycles(root: Path) -> list[str]:
    """One paragraph per cycle: its modules, then each import that keeps it closed."""
    graph, first = import_graph(root)
    paragraphs = []
    for group in strongly_connected(graph):
        members = set(group)
        edges = [
            f"    {first[(a, b)].where()}: {a} imports {b}"
            for a in group
            for b in sorted(graph[a] & members)
        ]
        paragraphs.append(" <-> ".join(group) + "\n" + "\n".join(edges))
    return paragraphs


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def listing(bad: Iterable[Import]) -> str:
    return "\n".join(f"  {imp.where()}: {imp.importer} imports {imp.target}" for imp in bad)


# -- the checker itself, on a package written for the purpose ---------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_sees_late_type_checking_relative_and_submodule_imports(
    tmp_path: Path,
) -> None:
    root = tmp_path / "pkg"
    _write(
        root,
        {
            "__init__.py": "",
            "sub/__init__.py": "",
            # a -> b at module level, by a relative `from . import b` (b is a submodule)
            "sub/a.py": "from . import b\n",
            # b -> c under TYPE_CHECKING, through the package-relative `..`
            "sub/b.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..c import Thing\n"
            ),
            # c -> a inside a function: closes the cycle a -> b -> c -> a
            "c.py": "class Thing: ...\ndef late():\n    import pkg.sub.a\n",
            # d imports a name of c and of the outside world: no cycle through it
            "d.py": "from pkg.c import Thing\nimport json\n",
        },
    )
    graph, first = import_graph(root)
    assert graph["pkg.sub.a"] == {"pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.c"}
    assert graph["pkg.c"] == {"pkg.sub.a"}
    assert graph["pkg.d"] == {"pkg.c"}
    assert strongly_connected(graph) == [["pkg.c", "pkg.sub.a", "pkg.sub.b"]]
    assert first[("pkg.c", "pkg.sub.a")].line == 3
    (cycle,) = describe_cycles(root)
    assert "pkg.c <-> pkg.sub.a <-> pkg.sub.b" in cycle
    assert "pkg/c.py:3: pkg.c imports pkg.sub.a" in cycle


def test_the_cycle_finder_separates_independent_cycles_and_ignores_chains() -> None:
    graph = {
        "a": {"b"},
        "b": {"a", "c"},
        "c": {"d"},
        "d": {"e"},
        "e": {"c"},
        "f": {"a"},
        "g": set(),
    }
    assert strongly_connected(graph) == [["a", "b"], ["c", "d", "e"]]
    assert strongly_connected({"x": {"y"}, "y": set()}) == []


# -- kcterm ----------------------------------------------------------------------------------


def test_the_tree_is_read_with_its_late_and_type_checking_imports() -> None:
    """Guards the guard: if the walk stopped seeing late or TYPE_CHECKING imports, the cycle
    test below would pass for the wrong reason."""
    graph, _ = import_graph(PACKAGE_ROOT)
    assert len(graph) > 100, "kcterm/ was not found where the test looks for it"
    assert "kcterm.ui.screenshot" in graph["kcterm.desk"]  # imported inside Desk._show only
    assert "kcterm.sim.engine" in graph["kcterm.sim.store"]  # under TYPE_CHECKING only


def test_kcterm_has_no_import_cycles() -> None:
    cycles = describe_cycles(PACKAGE_ROOT)
    assert not cycles, (
        f"{len(cycles)} import cycle(s) in kcterm/ (a file owns one concept; two files that "
        "import each other, even only for types, are one concept split or a protocol "
        "missing on the lower side):\n" + "\n".join(cycles)
    )


def test_sim_imports_nothing_of_kcterm_but_the_spec() -> None:
    bad = [
        imp
        for imp in all_imports(PACKAGE_ROOT)
        if in_package(imp.importer, "kcterm.sim")
        and in_package(imp.target, "kcterm")
        and not in_package(imp.target, "kcterm.sim")
        and not in_package(imp.target, "kcterm.spec")
    ]
    assert not bad, (
        "kcterm.sim (the practice exchange) may import only kcterm.sim and kcterm.spec of "
        "kcterm:\n" + listing(bad)
    )


def test_venue_and_core_import_no_qt() -> None:
    without_qt = ("kcterm.venue", "kcterm.core")
    present = [p for p in without_qt if p in modules_of(PACKAGE_ROOT)]
    assert present == list(without_qt), f"only {present} found"
    bad = [
        imp
        for imp in all_imports(PACKAGE_ROOT)
        if any(in_package(imp.importer, package) for package in present)
        and imp.target.partition(".")[0] in QT_PACKAGES
    ]
    assert not bad, (
        f"{', '.join(present)} import no Qt (PySide6, shiboken6, pyqtgraph, qasync): they are "
        "testable without a display and usable as a library:\n" + listing(bad)
    )


def test_core_imports_nothing_of_ui_desk_or_app() -> None:
    above = ("kcterm.ui", "kcterm.desk", "kcterm.app")
    bad = [
        imp
        for imp in all_imports(PACKAGE_ROOT)
        if in_package(imp.importer, "kcterm.core")
        and any(in_package(imp.target, layer) for layer in above)
    ]
    assert not bad, (
        "kcterm.core sits below the window: it imports nothing of kcterm.ui, kcterm.desk or "
        "kcterm.app:\n" + listing(bad)
    )


def test_the_window_imports_nothing_of_the_kucoin_adapter_or_the_exchange() -> None:
    """ui/, desk and app talk to the session's parts and the venue's typed values
    (kcterm.venue.events / .errors), never to KuCoin's wire code or to the simulator."""
    window = ("kcterm.ui", "kcterm.desk", "kcterm.app")
    below = ("kcterm.venue.kucoin", "kcterm.sim")
    bad = [
        imp
        for imp in all_imports(PACKAGE_ROOT)
        if any(in_package(imp.importer, layer) for layer in window)
        and any(in_package(imp.target, layer) for layer in below)
    ]
    assert not bad, (
        "the window reaches past the session into the KuCoin adapter or the exchange:\n"
        + listing(bad)
    )


def test_core_imports_no_venue_adapter() -> None:
    """core talks to a venue through the Protocols of kcterm.venue.base (and its neutral
    pieces: events, errors, priority, stream_status ...), never through an adapter: the
    profile layer (kcterm.profile_runner) builds the KuCoin adapter (KucoinVenue) and gives it
    to the Session, which hands its parts down."""
    bad = [
        imp
        for imp in all_imports(PACKAGE_ROOT)
        if in_package(imp.importer, "kcterm.core") and in_package(imp.target, "kcterm.venue.kucoin")
    ]
    assert not bad, (
        "kcterm.core imports the KuCoin adapter; take the venue's parts typed by "
        "kcterm.venue.base instead:\n" + listing(bad)
    )
