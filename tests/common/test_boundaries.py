"""Import boundaries (architecture.md §3.3 and §3.6), checked on the source with the ast module.

- a service imports only itself and services.common (other services are reached over HTTP);
- services.common imports no service and not the gateway;
- the gateway never imports a service's code;
- python-jose is imported in services/common/auth.py only;
- the runtime (services, gateway, asn_cli) never imports tests/ (test helpers live in tests/support/);
- the app names are written once, in services/common/apps.py;
- packages import each other without cycles (a new cycle fails; the known ones are listed to be broken).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("kinerja_api", "pelatihan_api", "publik_api")
FIRST_PARTY = ("services", "gateway", "asn_cli", "migrations", "scripts", "tests", "bench")
JOSE_ALLOWED = {Path("services/common/auth.py")}


def _python_files(*dirs: str) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        files.extend(p for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(files)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) for every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            # `from services import kinerja_api` imports a service just as surely.
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _first_party(module: str) -> bool:
    return module.split(".")[0] in FIRST_PARTY


def _violations(files: list[Path], allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for path in files:
        for line, module in _imports(path):
            if not _first_party(module):
                continue
            if module in ("services",) or any(module == a or module.startswith(a + ".") for a in allowed):
                continue
            bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("service", SERVICES)
def test_service_imports_only_itself_and_common(service: str) -> None:
    files = _python_files(f"services/{service}")
    assert files
    bad = _violations(files, (f"services.{service}", "services.common"))
    assert not bad, "a service may import only itself and services.common:\n" + "\n".join(bad)


def _imports_of(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]


def test_common_imports_no_app() -> None:
    forbidden = (*(f"services.{s}" for s in SERVICES), "gateway", "asn_cli", "tests", "bench")
    bad = _imports_of(_python_files("services/common"), forbidden)
    assert not bad, "services.common is a kernel shared by everyone; it imports no app:\n" + "\n".join(bad)


def test_runtime_imports_no_test_code() -> None:
    bad = _imports_of(_python_files("services", "gateway", "asn_cli", "migrations"), ("tests", "bench"))
    assert not bad, "test helpers live in tests/support/, which the runtime never imports:\n" + "\n".join(bad)


def test_gateway_imports_no_service_code() -> None:
    bad = _imports_of(_python_files("gateway"), tuple(f"services.{s}" for s in SERVICES))
    assert not bad, "the gateway reaches services over HTTP only:\n" + "\n".join(bad)


def test_jose_is_imported_only_by_common_auth() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _python_files(*FIRST_PARTY)
        if path.relative_to(ROOT) not in JOSE_ALLOWED
        for line, module in _imports(path)
        if module == "jose" or module.startswith("jose.")
    ]
    assert not bad, (
        "python-jose is used through services.common.auth only (pinned algorithms):\n" + "\n".join(bad)
    )


def test_the_checker_sees_imports() -> None:
    """Guard against a checker that passes because it finds nothing."""
    assert any(m == "jose" for _, m in _imports(ROOT / "services/common/auth.py"))
    assert any(m.startswith("services.common") for _, m in _imports(ROOT / "services/kinerja_api/main.py"))


STATE_ACCESSOR = Path("services/common/state.py")


def _state_reads(path: Path) -> Iterator[int]:
    """Lines of ``<app>.state`` (``app.state``, ``request.app.state``, ``scope["app"].state``) and of
    ``getattr(<app>, "state")``: Starlette's untyped state, read only through services/common/state.py."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Attribute) and node.attr == "state" and "app" in ast.unparse(node.value)
        ) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "state"
        ):
            yield node.lineno


def test_app_state_is_read_only_through_the_typed_accessor() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _python_files(*FIRST_PARTY)
        if path.relative_to(ROOT) != STATE_ACCESSOR
        for line in _state_reads(path)
    ]
    assert not offenders, "read the app's typed state (services/common/state.py app_state):\n" + "\n".join(
        offenders
    )


def test_the_state_checker_sees_reads(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "x = request.app.state.settings\ny = getattr(app, 'state', None)\nz = scope['app'].state.upstreams\n"
        "ok = request.state.principal\n"
    )
    assert sorted(_state_reads(probe)) == [1, 2, 3]


APP_NAMES_HOME = Path("services/common/apps.py")


def _app_name_lists(path: Path) -> Iterator[tuple[int, str]]:
    """Tuples, lists and sets written out as every app name, or every service name: copies of
    services.common.apps.APP_NAMES / SERVICE_NAMES (in any order) that would not learn of a new app."""
    from services.common.apps import APP_NAMES, SERVICE_NAMES

    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts:
            values = sorted(
                e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
            if len(values) != len(node.elts):
                continue
            if values in (sorted(APP_NAMES), sorted(SERVICE_NAMES)):
                yield node.lineno, ast.unparse(node)


def test_app_names_are_written_once() -> None:
    bad = [
        f"{path.relative_to(ROOT)}:{line} {literal}"
        for path in _python_files(*FIRST_PARTY)
        if path.relative_to(ROOT) != APP_NAMES_HOME
        for line, literal in _app_name_lists(path)
    ]
    assert not bad, (
        "import APP_NAMES / SERVICE_NAMES from services.common.apps instead of listing the apps:\n"
        + "\n".join(bad)
    )


def test_the_app_name_check_sees_a_copy() -> None:
    """Guard against a check that passes because it finds nothing: the one list it allows is found."""
    found = [literal for _, literal in _app_name_lists(ROOT / APP_NAMES_HOME)]
    assert found == ["('kinerja', 'pelatihan', 'publik')"]


def _package(module: str) -> str:
    """The node of the package graph a module belongs to: services/<app>/<domain> (a top-level module of
    an app, e.g. services/pelatihan_api/events.py, is a node of its own), services/common/<part>,
    gateway/<domain>, tests/<dir>, and asn_cli, bench, scripts, migrations as wholes."""
    parts = module.split(".")
    if parts[0] == "services":
        return ".".join(parts[:3])
    if parts[0] in ("gateway", "tests"):
        return ".".join(parts[:2])
    return parts[0]


def _runtime_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Like _imports, but without ``if TYPE_CHECKING:`` blocks (annotations only: no import at run time)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]

    def visit(node: ast.AST) -> Iterator[tuple[int, str]]:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.orelse:
                yield from visit(statement)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(tree)


def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> where (``path:line``), first-party modules only."""
    files = _python_files(*FIRST_PARTY)
    modules = {_module_name(p) for p in files}
    graph: dict[str, dict[str, list[str]]] = {}
    for path in files:
        source = _package(_module_name(path))
        for line, imported in _runtime_imports(path):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            target = _package(imported) if imported else source
            if target != source:
                graph.setdefault(source, {}).setdefault(target, []).append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def import_cycles(graph: dict[str, dict[str, list[str]]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one package (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, {}))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def describe_cycle(graph: dict[str, dict[str, list[str]]], component: frozenset[str]) -> str:
    """One concrete cycle through the component (shortest from its first package back to it), with the
    import that makes each step."""
    start = min(component)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph.get(node, {})):
            if child not in component or child in previous:
                continue
            previous[child] = node
            if child == start:
                queue = []
                break
            queue.append(child)
    path = [start]
    while True:
        path.append(previous[path[-1]])
        if path[-1] == start:
            break
    path.reverse()
    steps = [f"  {a} -> {b} ({graph[a][b][0]})" for a, b in itertools.pairwise(path)]
    return f"{' -> '.join(path)}\n" + "\n".join(steps) + f"\n  (all of: {', '.join(sorted(component))})"


# Cycles that existed when this check was written, to be broken (issue 10 item 7 named them): all are broken
# now, so any cycle fails the check. Keep it empty: move the shared piece down instead of listing a cycle here.
KNOWN_CYCLES: set[frozenset[str]] = set()


def test_no_new_import_cycle_between_packages() -> None:
    graph = package_graph()
    cycles = set(import_cycles(graph))
    new = [describe_cycle(graph, c) for c in sorted(cycles - KNOWN_CYCLES, key=sorted)]
    assert not new, "packages import each other in a circle; move the shared piece down:\n" + "\n".join(new)
    gone = [", ".join(sorted(c)) for c in KNOWN_CYCLES - cycles]
    assert not gone, "a known cycle changed or is broken: remove it from KNOWN_CYCLES:\n" + "\n".join(gone)


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b": ["a.py:1"]}, "b": {"c": ["b.py:2"]}, "c": {"a": ["c.py:3"], "d": ["c.py:4"]}}
    assert import_cycles(graph) == [frozenset({"a", "b", "c"})]
    assert describe_cycle(graph, frozenset({"a", "b", "c"})).startswith("a -> b -> c -> a\n  a -> b (a.py:1)")
    assert _package("services.kinerja_api.evaluations.service") == "services.kinerja_api.evaluations"
    assert _package("tests.e2e.conftest") == "tests.e2e"


# The floor the kinerja circle was broken onto: shared tables and enums, the employee reads and penilai check
# that evaluations and skp call, and the predikat rules import no domain package, or the circle comes back.
KINERJA_FLOOR = {
    "services.kinerja_api.tables": {"services.kinerja_api.db"},
    "services.kinerja_api.staff": {"services.kinerja_api.tables"},
    "services.kinerja_api.predikat": {"services.kinerja_api.tables"},
}


@pytest.mark.parametrize("package", sorted(KINERJA_FLOOR))
def test_the_kinerja_floor_imports_no_domain_package(package: str) -> None:
    graph = package_graph()
    assert package in graph, f"{package} imports nothing first-party: is the check looking at the right node?"
    above = {
        target: where[0]
        for target, where in graph[package].items()
        if not target.startswith("services.common.") and target not in KINERJA_FLOOR[package]
    }
    assert not above, f"{package} imports a package above it: {above}"
