"""The import layers hold and no module imports itself back through others.

- import-linter's contracts in ``pyproject.toml`` (``[tool.importlinter]``): ``experiments > agent > envs``,
  ``agent.methods > agent.components > agent.core``, and no cycle between the children of any package;
- a cycle check over every module: the layers contracts cannot see a cycle inside one layer (two
  modules of ``experiments.report`` importing each other, say), and the acyclic-siblings contract
  only sees cycles between the children of one package, not those through a package's ``__init__``.

Both read grimp's import graph, which includes imports inside functions.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("envs", "agent", "experiments")

Import = tuple[str, str]  # (importer, imported)


def import_cycles(imports: Iterable[Import]) -> list[list[str]]:
    """One cycle ``[a, b, ..., a]`` per group of modules that import each other, directly or through others.

    An edge is an import statement (``importer`` runs ``import imported`` or ``from imported import
    ...``), wherever it is in the module. Python also runs a package's ``__init__`` before any of its
    submodules, but that is not an edge: a package ``__init__`` that imports its own submodules is
    no cycle. A submodule that also imports its parent package (``from pkg import NAME``) while
    that ``__init__`` imports the submodule is one: whichever is imported first sees the other
    half-initialized. A module importing itself is not counted.
    """
    graph = nx.DiGraph((importer, imported) for importer, imported in imports if importer != imported)
    cycles = []
    for group in nx.strongly_connected_components(graph):
        if len(group) > 1:
            edges = nx.find_cycle(graph.subgraph(group), source=min(group))
            cycles.append([importer for importer, _ in edges] + [edges[0][0]])
    return sorted(cycles)


def graph_imports(graph: grimp.ImportGraph) -> list[Import]:
    return [(module, imported) for module in graph.modules for imported in graph.find_modules_directly_imported_by(module)]


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """The cycle's modules, each import with its line."""
    lines = [" -> ".join(cycle)]
    for importer, imported in itertools.pairwise(cycle):
        for detail in graph.get_import_details(importer=importer, imported=imported)[:1]:
            lines.append(f"    {importer}:{detail['line_number']}: {detail['line_contents']}")
    return "\n".join(lines)


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = import_cycles(graph_imports(graph))
    if cycles:
        pytest.fail("import cycles:\n" + "\n".join(describe(graph, cycle) for cycle in cycles), pytrace=False)


def test_import_linter_contracts_are_kept() -> None:
    env = {
        **os.environ,
        "COLUMNS": "150",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", "pyproject.toml", "--no-cache", "--no-logo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"lint-imports failed:\n{result.stdout}{result.stderr}", pytrace=False)


# The checker itself, on small graphs --------------------------------------------------------------


def synthetic_graph(imports: Iterable[Import]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c"):
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_a_package_importing_its_submodules_is_no_cycle() -> None:
    # pkg/__init__.py: from pkg.a import A; from pkg.sub import C.  pkg/sub/__init__.py: from pkg.sub.c import C.
    # pkg/a.py: from pkg.b import B; pkg/sub/c.py: from pkg.a import A (a sibling's submodule, via the parent).
    graph = synthetic_graph(
        [("pkg", "pkg.a"), ("pkg", "pkg.sub"), ("pkg.sub", "pkg.sub.c"), ("pkg.a", "pkg.b"), ("pkg.sub.c", "pkg.a")]
    )
    assert import_cycles(graph_imports(graph)) == []


def test_modules_importing_each_other_are_a_cycle() -> None:
    graph = synthetic_graph([("pkg.a", "pkg.b"), ("pkg.b", "pkg.sub.c"), ("pkg.sub.c", "pkg.a"), ("pkg", "pkg.a")])
    assert import_cycles(graph_imports(graph)) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]


def test_a_submodule_importing_back_from_the_package_that_imports_it_is_a_cycle() -> None:
    # pkg/__init__.py imports pkg.a, and pkg/a.py says `from pkg import NAME`.
    graph = synthetic_graph([("pkg", "pkg.a"), ("pkg.a", "pkg")])
    assert import_cycles(graph_imports(graph)) == [["pkg", "pkg.a", "pkg"]]
    # Importing the parent package when it does not import back is fine (experiments.RESULTS, say).
    assert import_cycles(graph_imports(synthetic_graph([("pkg.a", "pkg")]))) == []


def test_the_cycle_is_named_with_its_import_lines() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b", line_number=3, line_contents="from pkg.b import B")
    graph.add_import(importer="pkg.b", imported="pkg.a", line_number=9, line_contents="from pkg.a import A")
    (cycle,) = import_cycles(graph_imports(graph))
    assert describe(graph, cycle).splitlines() == [
        "pkg.a -> pkg.b -> pkg.a",
        "    pkg.a:3: from pkg.b import B",
        "    pkg.b:9: from pkg.a import A",
    ]
