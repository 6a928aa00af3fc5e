"""The layers hold: no import cycle, import-linter's contracts kept, and the core never
imports Textual or Rich (checked in a fresh interpreter too)."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import assises_tui

REPO = Path(__file__).resolve().parents[2]
CORE = [
    "domain",
    "store",
    "ingest",
    "text",
    "synthesis",
    "services",
    "search",
    "suggest",
    "analysis",
    "mailbox",
]


def core_modules() -> list[str]:
    found = []
    package_dir = Path(assises_tui.__file__).parent
    for name in CORE:
        if (package_dir / f"{name}.py").exists():
            found.append(f"assises_tui.{name}")
        elif (package_dir / name / "__init__.py").exists():
            found.append(f"assises_tui.{name}")
            prefix = f"assises_tui.{name}."
            found += [m.name for m in pkgutil.walk_packages([str(package_dir / name)], prefix)]
    # The workspace and config are used by the CLI's non-UI commands too.
    return found + ["assises_tui.workspace", "assises_tui.config", "assises_tui.paths"]


def test_core_imports_neither_textual_nor_rich() -> None:
    modules = core_modules()
    assert "assises_tui.store.tinydb_store" in modules and len(modules) > 10
    # scikit-learn imports Rich by itself when it is installed (for its progress display):
    # what it brings is subtracted; our modules must add nothing to it.
    script = (
        "import importlib, json, sys\n"
        "import sklearn.linear_model, sklearn.decomposition, sklearn.feature_extraction.text\n"
        "third_party = set(sys.modules)\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in set(sys.modules) - third_party\n"
        "             if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(json.dumps(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_import_contracts_hold() -> None:
    """The layers and forbidden imports written in pyproject.toml ([tool.importlinter])."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and result.stdout.count("KEPT") >= 4


def import_cycles(graph) -> list[list[str]]:
    """Groups of modules that import each other, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle_anywhere() -> None:
    """Imports made inside functions count too, and those under TYPE_CHECKING (as for
    import-linter): a type named from another module is a dependency all the same."""
    import grimp

    graph = grimp.build_graph("assises_tui", cache_dir=None, exclude_type_checking_imports=False)
    assert len(graph.modules) > 100
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    class Graph:
        modules = {"a", "b", "c", "d"}
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

        def find_modules_directly_imported_by(self, module: str) -> set[str]:
            return self.edges[module]

    assert import_cycles(Graph()) == [["a", "b", "c"]]


def test_the_interface_starts_without_scikit_learn() -> None:
    """numpy, scipy and scikit-learn load when the suggester first trains (in a worker),
    not when the app imports its screens: start-up and the first key do not wait for them."""
    script = (
        "import json, sys\n"
        "import assises_tui.screens.inbox, assises_tui.suggest, assises_tui.cli\n"
        "print(json.dumps(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
