"""Imports between CityPocket's modules go one way, and every import made inside a function says why.

What counts, for the cycle test:

- The modules are those of the `citypocket` package except tests, migrations and `conftest`
  (test code may import anything). The graph is grimp's (the engine of import-linter): every
  `import`/`from … import` statement, at the top of a module or inside a function, and those
  under `if TYPE_CHECKING:` too (they do not run, but they are the same dependency).
- A cycle is a chain of imports that leads from a module back to itself, however long. Importing
  inside a function does not hide one: the test sees those imports as well.
- Packages: an `__init__` that imports its own submodules to re-export them is an ordinary edge
  (parent → child); merely being a submodule is not an edge back to the parent. So
  `participation/models/__init__.py` re-exporting `models/budgets.py` is fine, and
  `models/accountability.py` importing `citypocket.participation.models.budgets` by its full path
  is fine; but a submodule importing through its own package (`from citypocket.participation.models
  import Process` inside `models/budgets.py`) is a cycle (`__init__` → budgets → `__init__`) and fails.

What counts, for the function-local import test: an import of a project module inside a function
(or a method) must be directly below a comment line giving the reason — the real reason there is
one: an `AppConfig` module is imported while the app registry loads, before models can be. Several
consecutive imports may share one comment.
"""

import ast
import itertools
import textwrap
from pathlib import Path

import grimp

import citypocket

PACKAGE = "citypocket"
ROOT = Path(citypocket.__file__).parent


def in_scope(module: str) -> bool:
    """Runtime code: not a test, a migration or a pytest conftest."""
    parts = module.split(".")
    return not {"tests", "migrations", "conftest"} & set(parts)


def runtime_graph() -> grimp.ImportGraph:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    for module in [m for m in graph.modules if not in_scope(m)]:
        graph.remove_module(module)
    return graph


def find_cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each import cycle once, as (a, b, …, a): for every import a → b, the shortest way back from b to a."""
    cycles: dict[frozenset[str], tuple[str, ...]] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.setdefault(frozenset(back), (importer, *back))
    return list(cycles.values())


def describe(graph: grimp.ImportGraph, cycle: tuple[str, ...]) -> str:
    steps = []
    for importer, imported in itertools.pairwise(cycle):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = ", ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details)
        steps.append(f"  {importer} -> {imported} ({where})")
    return "\n".join(steps)


def _is_project_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == PACKAGE
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == PACKAGE for alias in node.names)
    return False


def _statement_lists(node: ast.AST):
    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for holder in [*getattr(node, "handlers", []), *getattr(node, "cases", [])]:
        yield holder.body


def unexplained_local_imports(source: str, name: str = "<source>") -> list[str]:
    """`name:line` of each function-local project import with no reason comment directly above its block."""
    lines = source.splitlines()
    found = []

    def explained(statements: list[ast.stmt], index: int) -> bool:
        """A comment line sits directly above this import or above one of the imports just before it."""
        while True:
            above = statements[index].lineno - 2  # the physical line above, 0-based
            if above >= 0 and lines[above].strip().startswith("#"):
                return True
            if index == 0 or not isinstance(statements[index - 1], (ast.Import, ast.ImportFrom)):
                return False
            index -= 1

    def visit(node: ast.AST, in_function: bool) -> None:
        for statements in _statement_lists(node):
            for index, statement in enumerate(statements):
                if in_function and _is_project_import(statement) and not explained(statements, index):
                    found.append(f"{name}:{statement.lineno}")
                visit(statement, in_function or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(ast.parse(source), False)
    return found


def runtime_sources() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.py")
        if in_scope(".".join(path.relative_to(ROOT.parent).with_suffix("").parts))
    )


# --- The project ----------------------------------------------------------------------------------


def test_runtime_modules_never_import_test_code():
    """Test helpers live outside the runtime package (testsupport/, <app>/tests/): no runtime module
    imports them, so production never loads factory_boy, fixtures or a pinned clock."""
    offenders = []
    for path in runtime_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT.parent)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] == "testsupport" or ".tests" in f".{name}"
            ]
    assert not offenders, "runtime modules importing test code: " + ", ".join(offenders)


def test_project_modules_import_each_other_without_cycles():
    """No chain of imports between runtime modules leads back to where it started."""
    graph = runtime_graph()
    assert "citypocket.air.services" in graph.modules and "citypocket.air.tests" not in graph.modules
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n\n".join(describe(graph, cycle) for cycle in cycles)


def test_every_function_local_project_import_gives_its_reason():
    """An import of a project module inside a function sits under a comment that says why."""
    sources = runtime_sources()
    assert ROOT / "air" / "apps.py" in sources and not any("tests" in path.parts for path in sources)
    missing = []
    for path in sources:
        missing += unexplained_local_imports(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT.parent)))
    assert not missing, "function-local imports without a reason comment above them: " + ", ".join(missing)


# --- The checks themselves ------------------------------------------------------------------------


def test_find_cycles_reports_a_cycle_hidden_in_a_longer_chain_once():
    """services → alerts → tasks → services is one cycle; a one-way import next to it is none."""
    graph = grimp.ImportGraph()
    for importer, imported in [("p.services", "p.alerts"), ("p.alerts", "p.tasks"), ("p.tasks", "p.services"),
                               ("p.views", "p.services"), ("p.models", "p.base")]:
        graph.add_import(importer=importer, imported=imported)
    cycles = find_cycles(graph)
    assert len(cycles) == 1
    assert set(cycles[0]) == {"p.services", "p.alerts", "p.tasks"} and cycles[0][0] == cycles[0][-1]


def test_find_cycles_counts_a_submodule_importing_through_its_own_package():
    """A package re-exporting its children is fine; a child importing from the package is a cycle."""
    graph = grimp.ImportGraph()
    graph.add_import(importer="p.models", imported="p.models.budgets")
    graph.add_import(importer="p.models", imported="p.models.accountability")
    graph.add_import(importer="p.models.accountability", imported="p.models.budgets")
    assert find_cycles(graph) == []
    graph.add_import(importer="p.models.budgets", imported="p.models")
    cycles = find_cycles(graph)
    assert cycles and all("p.models.budgets" in cycle and cycle[0] == cycle[-1] for cycle in cycles)


def test_local_import_check_wants_a_comment_directly_above_the_block():
    """A commented block passes (one comment for consecutive imports); a bare or a distant comment fails."""
    source = textwrap.dedent('''
        from citypocket.core import demo


        def ready():
            # Models cannot be imported before the app registry is ready.
            from citypocket.air.demo import load_demo
            from django.urls import reverse
            from citypocket.air.views import tile_context


        def bare():
            from citypocket.air import services


        def distant():
            # A comment, then something else.
            value = 1
            from citypocket.air import services


        class Config:
            def method(self):
                if True:
                    from . import sibling


        def stdlib_only():
            import json
    ''')
    assert unexplained_local_imports(source) == ["<source>:13", "<source>:19", "<source>:25"]
