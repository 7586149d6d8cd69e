"""The import graph of ``src/ksbb``, read from the source (ast, nothing imported): no
cycles between modules, base apps (core, areas, accounts, regions) import no domain or
interface app, and domain apps import no interface app (web, api).

Every ``import`` counts, also one inside a function: an import moved into a function to
dodge a cycle still makes one. Only imports under ``if TYPE_CHECKING:`` are left out (they
never run). A function-local import needs a reason that is not a cycle (Django's app
loading, an optional heavy dependency, start-up time of a command) and says so in a
comment on the line above (see ``test_function_local_imports_say_why``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
# ``regions`` knows areas and organisations only (a region's programmes are kept by
# donations: RegionProgram), so every domain, and accounts, may ask where someone acts.
BASE_APPS = {"core", "areas", "accounts", "regions"}
INTERFACE_APPS = {"web", "api"}
KNOWN_CYCLES: list[set[str]] = []
KNOWN_SILENT_LOCAL_IMPORTS: set[tuple[str, str]] = set()  # (module, what it imports)
DJANGO_APPS = {"auth", "contenttypes", "sessions", "admin", "otp_totp", "otp_static"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "ksbb").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module that ``import name`` loads (a package's ``__init__`` for
    ``from ksbb.stats import ledger`` is reached through ``ksbb.stats.ledger``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> Iterator[tuple[str, int, bool]]:
    """(imported project module, line, inside a function) for each import of ``module``."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]

    def walk(node: ast.AST, local: bool) -> Iterator[tuple[str, int, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    yield from walk(other, local)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, local
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package[:len(package) - child.level + 1]
                    base = ".".join(up + ([child.module] if child.module else []))
                for alias in child.names:
                    yield f"{base}.{alias.name}", child.lineno, local
                    yield base, child.lineno, local
            yield from walk(child, local or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    seen = set()
    for name, line, local in walk(ast.parse(path.read_text(encoding="utf-8")), False):
        target = _resolve(name) if name.startswith("ksbb") else None
        if target and target != module and (target, local) not in seen:
            seen.add((target, local))
            yield target, line, local


GRAPH = {module: list(_imports(module)) for module in MODULES}


def _app(module: str) -> str:
    """The app a module belongs to; "" for the project's own modules (settings, urls, cli)."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and MODULES[module].name == "__init__.py"):
        return parts[1]
    return ""


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(GRAPH):
        if root in index:
            continue
        work = [(root, iter(sorted({t for t, _l, _f in GRAPH[root]})))]
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
                    work.append((child, iter(sorted({t for t, _l, _f in GRAPH[child]}))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_sees_imports() -> None:
    assert ("ksbb.core.domain", 3) in {(t, 3) for t, _l, _f in GRAPH["ksbb.needs.services"]}
    assert len(MODULES) > 200


def test_no_import_cycles() -> None:
    report = []
    for component in _cycles():
        members = set(component)
        if any(members <= known for known in KNOWN_CYCLES):
            continue
        report.append(" <-> ".join(component) + ": " + "; ".join(
            f"{m}:{line} imports {t}{' (in a function)' if local else ''}"
            for m in component for t, line, local in GRAPH[m] if t in members))
    assert not report, "import cycles:\n" + "\n".join(report)


def _upward(apps: set[str], allowed: set[str]) -> list[str]:
    return [f"{m}:{line} imports {t}" for m, edges in GRAPH.items() if _app(m) in apps
            for t, line, _local in edges if _app(t) not in allowed | apps]


def test_base_apps_import_only_base_apps() -> None:
    wrong = _upward(BASE_APPS, {""})
    assert not wrong, "a base app imports a domain or interface app:\n" + "\n".join(wrong)


def test_domain_apps_import_no_interface_app() -> None:
    above = INTERFACE_APPS | {"ops"}
    domain = {_app(m) for m in MODULES} - BASE_APPS - above - {""}
    wrong = [f"{m}:{line} imports {t}" for m, edges in GRAPH.items() if _app(m) in domain
             for t, line, _local in edges if _app(t) in above]
    assert not wrong, "a domain app imports an interface app:\n" + "\n".join(wrong)


def _local_import_runs(tree: ast.AST) -> Iterator[list[ast.stmt]]:
    """Runs of consecutive import statements inside functions."""
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            for body in (getattr(node, f, None) for f in ("body", "orelse", "finalbody")):
                if not isinstance(body, list):
                    continue
                run: list[ast.stmt] = []
                for stmt in [*body, None]:
                    if isinstance(stmt, ast.Import | ast.ImportFrom):
                        run.append(stmt)
                    elif run:
                        yield run
                        run = []


def test_function_local_imports_say_why() -> None:
    """A project module imported inside a function has a comment saying why (start-up
    time, Django's app loading, an optional dependency), in or just above its imports."""
    silent = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for run in _local_import_runs(ast.parse(text)):
            project = [s for s in run if any(
                name.startswith("ksbb") or (isinstance(s, ast.ImportFrom) and s.level)
                for name in ([a.name for a in s.names] if isinstance(s, ast.Import)
                             else [s.module or ""]))]
            if not project:
                continue
            said = lines[run[0].lineno - 2:run[-1].end_lineno or run[-1].lineno]
            known = all((module, s.module if isinstance(s, ast.ImportFrom) else
                         s.names[0].name) in KNOWN_SILENT_LOCAL_IMPORTS for s in project)
            if not known and not any(line.strip().startswith("#") for line in said):
                silent.append(f"{module}:{project[0].lineno}")
    assert not silent, ("function-local imports with no reason given (move them to the "
                        "top, or say why in a comment):\n" + "\n".join(sorted(set(silent))))


def test_base_app_models_point_only_at_base_apps(db: None) -> None:
    """A foreign key is a dependency too, even written as a string ("needs.Recipient")."""
    from django.apps import apps

    wrong = [f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
             for model in apps.get_models() if model._meta.app_label in BASE_APPS
             for field in model._meta.get_fields()
             if field.is_relation and field.concrete and field.related_model is not None
             and field.related_model._meta.app_label not in BASE_APPS | DJANGO_APPS]
    assert not wrong, "a base app's model points at a domain app:\n" + "\n".join(wrong)
