"""The shape of notify/'s imports: one-way between its parts, and function-local only with a reason.

The graph's nodes are notify's subpackages and top-level modules (notify.dispatch, notify.audit, …);
an edge is any import from one into another, function-local ones included (a cycle hidden inside
a function is still a cycle). The root package, notify/__init__.py, is the composition root: it
imports everything inside create_app and is no node; instead nothing may import create_app from it
but the declared entry points.

The checkers read source files only (ast and tokenize); each is also run on small synthetic
packages below, so that a checker that stopped finding anything fails too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

NOTIFY = Path(__file__).resolve().parents[1] / "notify"

# Modules that build the app themselves, being started on their own (the Celery worker).
ENTRY_POINTS = frozenset({"notify.dispatch.worker"})

# The lifecycle is domain: what publishing causes (sending, schools, screens, CAP, timed jobs,
# daily reports, the public site) is driven by the use cases above it, never by the lifecycle.
ABOVE_LIFECYCLE = (
    "notify.dispatch",
    "notify.schools",
    "notify.screens",
    "notify.cap",
    "notify.timed",
    "notify.daily_reports",
    "notify.public",
)

_DIRECTIVE = re.compile(r"\b(noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?|type:\s*\S+)")


@pytest.fixture(autouse=True)
def _clean_database():
    """These tests read source files: no app and no database (overrides the conftest's)."""
    yield


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    where: str  # path:line of the import statement
    target: str  # the imported module (a submodule when `from package import submodule`)
    names: tuple[str, ...]  # what a from-import takes from target (not submodules)
    local: bool  # inside a function
    explained: bool  # a comment on its line(s), the line above, or above its block of imports


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _comments(source: str) -> dict[int, str]:
    """Line number → comment text, for the lines that have one."""
    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string.lstrip("#").strip()
    return out


def _says_why(comment: str | None) -> bool:
    """A comment with words besides linter and type-checker directives."""
    return comment is not None and re.search(r"\w", _DIRECTIVE.sub("", comment)) is not None


def _function_local(tree: ast.Module) -> set[int]:
    ids = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ids.update(id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return ids


def _explained(tree: ast.Module, source: str) -> set[int]:
    """Import statements with a reason next to them: a comment on their own line(s) or on the
    (comment-only) line above; a reason given so for an import covers the imports right after it."""
    comments = _comments(source)
    lines = source.splitlines()

    def comment_line_above(node: ast.stmt) -> bool:
        above = node.lineno - 1
        return above >= 1 and lines[above - 1].lstrip().startswith("#") and _says_why(comments.get(above))

    ok = set()
    for parent in ast.walk(tree):
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(parent, field, None)
            if not isinstance(block, list):
                continue
            run_explained = False
            for stmt in block:
                if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    run_explained = False
                    continue
                own = any(_says_why(comments.get(n)) for n in range(stmt.lineno, (stmt.end_lineno or 0) + 1))
                run_explained = run_explained or own or comment_line_above(stmt)
                if run_explained:
                    ok.add(id(stmt))
    return ok


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports(root: Path = NOTIFY) -> Iterator[Import]:
    """Every import statement in the package at root that names one of its modules."""
    top = root.name
    modules = _modules(root)
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(path))
        local = _function_local(tree)
        explained = _explained(tree, source)
        where_base = path.relative_to(root.parent)
        statements = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in sorted(statements, key=lambda n: n.lineno):
            targets: list[tuple[str, tuple[str, ...]]] = []
            if isinstance(node, ast.Import):
                targets = [(alias.name, ()) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = _package_of(module, path).split(".")
                    package = package[: len(package) - (node.level - 1)]
                    base = ".".join(package + ([base] if base else []))
                plain = tuple(a.name for a in node.names if f"{base}.{a.name}" not in modules)
                targets = [(f"{base}.{a.name}", ()) for a in node.names if f"{base}.{a.name}" in modules]
                if plain:
                    targets.append((base, plain))
            for target, names in targets:
                if target == top or target.startswith(top + "."):
                    yield Import(
                        module=module,
                        where=f"{where_base}:{node.lineno}",
                        target=target,
                        names=names,
                        local=id(node) in local,
                        explained=id(node) in explained,
                    )


def node_of(module: str) -> str:
    """notify.<first part>: a subpackage or top-level module; the root package is just notify."""
    return ".".join(module.split(".")[:2])


def edges(found: list[Import]) -> dict[tuple[str, str], list[Import]]:
    """Imports between different nodes, the composition root (the root package) left out."""
    out: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for imp in found:
        a, b = node_of(imp.module), node_of(imp.target)
        if a != b and "." in a and "." in b:
            out[(a, b)].append(imp)
    return out


def strongly_connected(graph: dict[tuple[str, str], list[Import]]) -> list[list[str]]:
    """The node sets of more than one node that reach each other (Tarjan)."""
    succ: dict[str, set[str]] = defaultdict(set)
    for a, b in graph:
        succ[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(succ):
        if v not in index:
            visit(v)
    return sorted(found)


def _shortest_cycle(start: str, members: set[str], graph: dict[tuple[str, str], list[Import]]) -> list[str]:
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for a in frontier:
            for b in sorted(m for m in members if (a, m) in graph):
                if b == start:
                    return paths[a] + [start]
                if b not in paths:
                    paths[b] = paths[a] + [b]
                    following.append(b)
        frontier = following
    raise AssertionError(f"{start} is in no cycle")


def _edge_text(a: str, b: str, graph: dict[tuple[str, str], list[Import]]) -> str:
    where = ", ".join(i.where + (" (in a function)" if i.local else "") for i in graph[(a, b)])
    return f"    {a} -> {b}: {where}"


def cycle_report(root: Path = NOTIFY) -> str:
    """Each cycle between notify's parts, with where each edge is imported; empty if none."""
    graph = edges(list(imports(root)))
    out = []
    for members in strongly_connected(graph):
        cycle = _shortest_cycle(members[0], set(members), graph)
        out.append("cycle " + " -> ".join(cycle))
        steps = list(pairwise(cycle))
        out += [_edge_text(a, b, graph) for a, b in steps]
        rest = sorted(e for e in graph if e[0] in members and e[1] in members and e not in steps)
        if rest:
            out.append(f"  other edges inside {{{', '.join(members)}}}:")
            out += [_edge_text(a, b, graph) for a, b in rest]
    return "\n".join(out)


def app_factory_imports(root: Path = NOTIFY, entry_points: frozenset[str] = ENTRY_POINTS) -> list[str]:
    """Modules taking something other than a submodule from the root package (create_app)."""
    return [
        f"{i.where}: {i.module} imports {', '.join(i.names) or i.target} from the composition root"
        for i in imports(root)
        if i.target == root.name and i.module != root.name and i.module not in entry_points
    ]


def unexplained_local_imports(root: Path = NOTIFY) -> list[str]:
    return [
        f"{i.where}: {i.module} imports {i.target} inside a function"
        for i in imports(root)
        if i.local and not i.explained
    ]


def lifecycle_imports_above(root: Path = NOTIFY, above: tuple[str, ...] = ABOVE_LIFECYCLE) -> list[str]:
    lifecycle = f"{root.name}.lifecycle"
    return [
        f"{i.where}: {i.module} imports {i.target}"
        for i in imports(root)
        if node_of(i.module) == lifecycle
        and any(i.target == p or i.target.startswith(p + ".") for p in above)
    ]


# -- the rules, on notify/ ---------------------------------------------------------------------


def test_no_cycle_between_notifys_parts():
    report = cycle_report()
    assert not report, (
        "notify's subpackages and top-level modules import each other in a cycle; cut one edge of "
        "each (move the code that needs both above them):\n" + report
    )


def test_only_entry_points_import_the_app_factory():
    found = app_factory_imports()
    assert not found, (
        "only the entry points (" + ", ".join(sorted(ENTRY_POINTS)) + ") may import create_app from "
        "notify/__init__.py, the composition root; others get the app as current_app or an argument:\n"
        + "\n".join(found)
    )


def test_function_local_notify_imports_say_why():
    found = unexplained_local_imports()
    assert not found, (
        "a function-local import of a notify module needs a comment on its line or the line above "
        "saying why it cannot be at the top of the module (noqa and type: directives are no reason); "
        "else move it to the top:\n" + "\n".join(found)
    )


def test_lifecycle_imports_nothing_above_it():
    found = lifecycle_imports_above()
    assert not found, (
        "notify.lifecycle is domain: it must not import " + ", ".join(ABOVE_LIFECYCLE) + " (the use "
        "cases that drive the lifecycle call those):\n" + "\n".join(found)
    )


# -- the checkers, on synthetic packages ------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "notify"
    for name, text in {"__init__.py": "def create_app():\n    pass\n", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_checker_finds_a_cycle_and_says_where(tmp_path):
    root = _package(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/x.py": "from notify import b\n",
            "b.py": "import notify.c\n",
            "c/__init__.py": "",
            "c/y.py": "def f():\n    from ..a import x  # late\n",
        },
    )
    report = cycle_report(root)
    assert "cycle notify.a -> notify.b -> notify.c -> notify.a" in report
    assert "notify.a -> notify.b: notify/a/x.py:1" in report
    assert "notify.b -> notify.c: notify/b.py:1" in report
    assert "notify.c -> notify.a: notify/c/y.py:2 (in a function)" in report

    (root / "c/y.py").write_text("from notify.a import x  # noqa: F401\n", encoding="utf-8")
    assert "notify.c -> notify.a: notify/c/y.py:1\n" in cycle_report(root) + "\n"

    (root / "c/y.py").write_text("import json\n", encoding="utf-8")
    assert cycle_report(root) == ""


def test_checker_leaves_the_composition_root_out_of_the_graph(tmp_path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "def create_app():\n    from notify import a  # registers\n",
            "a.py": "from notify import b\n",
            "b.py": "from notify import clock\n",
            "clock.py": "",
        },
    )
    assert cycle_report(root) == ""
    assert app_factory_imports(root) == []


def test_checker_finds_imports_of_the_app_factory(tmp_path):
    root = _package(
        tmp_path,
        {
            "a.py": "def app():\n    from notify import create_app  # builds its own\n",
            "worker.py": "from notify import create_app\n",
            "b.py": "from notify import worker\n",
        },
    )
    found = app_factory_imports(root, entry_points=frozenset({"notify.worker"}))
    assert found == ["notify/a.py:2: notify.a imports create_app from the composition root"]


def test_checker_finds_local_imports_without_a_reason(tmp_path):
    root = _package(
        tmp_path,
        {
            "a.py": (
                "import json\n"
                "from notify import b\n"
                "\n"
                "\n"
                "def none():\n"
                "    from notify import b\n"
                "\n"
                "\n"
                "def directive_only():\n"
                "    from notify.b import f  # noqa: F401\n"
                "    import notify.b  # type: ignore[import]\n"
                "\n"
                "\n"
                "def stdlib_needs_no_reason():\n"
                "    import os\n"
                "\n"
                "\n"
                "def same_line():\n"
                "    from notify import b  # the SDK loads only when configured\n"
                "\n"
                "\n"
                "def line_above():\n"
                "    # the SDK loads only when configured\n"
                "    from notify.b import f\n"
                "\n"
                "\n"
                "def block_above():\n"
                "    # registered on the app only after its config is loaded\n"
                "    import os\n"
                "\n"
                "    from notify import b\n"
                "    from notify.b import f\n"
                "    x = 1\n"
                "    from notify.b import g\n"
                "\n"
                "\n"
                "def same_line_of_the_first():\n"
                "    from notify.b import f  # the SDK loads only when configured\n"
                "    from notify.b import g\n"
                "\n"
                "\n"
                "def comment_after_code_above():\n"
                "    x = 1  # one\n"
                "    from notify import b\n"
                "\n"
                "\n"
                "def nested():\n"
                "    if True:\n"
                "        from notify import b\n"
            ),
            "b.py": "def f():\n    pass\n\n\ndef g():\n    pass\n",
        },
    )
    assert unexplained_local_imports(root) == [
        "notify/a.py:6: notify.a imports notify.b inside a function",
        "notify/a.py:10: notify.a imports notify.b inside a function",
        "notify/a.py:11: notify.a imports notify.b inside a function",
        "notify/a.py:34: notify.a imports notify.b inside a function",
        "notify/a.py:44: notify.a imports notify.b inside a function",
        "notify/a.py:49: notify.a imports notify.b inside a function",
    ]


def test_checker_finds_the_lifecycle_importing_above_it(tmp_path):
    root = _package(
        tmp_path,
        {
            "lifecycle/__init__.py": "",
            "lifecycle/guard.py": (
                "from notify.models import Revision\n"
                "from notify import dispatch\n"
                "\n"
                "\n"
                "def f():\n"
                "    from notify.cap.identifiers import assign  # late\n"
            ),
            "lifecycle/snapshot.py": "from ..schools import registry\nfrom notify.schoolsx import y\n",
            "models.py": "",
            "dispatch/__init__.py": "",
            "cap/__init__.py": "",
            "cap/identifiers.py": "",
            "schools/__init__.py": "",
            "schools/registry.py": "",
            "schoolsx.py": "y = 1\n",
        },
    )
    assert sorted(lifecycle_imports_above(root)) == [
        "notify/lifecycle/guard.py:2: notify.lifecycle.guard imports notify.dispatch",
        "notify/lifecycle/guard.py:6: notify.lifecycle.guard imports notify.cap.identifiers",
        "notify/lifecycle/snapshot.py:1: notify.lifecycle.snapshot imports notify.schools.registry",
    ]


def test_checker_reads_every_module_of_notify():
    # A walk that silently found nothing would pass every rule above.
    found = list(imports())
    assert {node_of(i.module) for i in found} >= {"notify.lifecycle", "notify.dispatch", "notify.public"}
    assert any(i.local for i in found)
    assert any(i.target == "notify.clock" for i in found)  # `from notify import clock` is an edge
