"""The layering rules of the brief, checked on the source.

Arrows point one way: the entry points (``rarecare.app``, ``rarecare.cli``) → feature packages
→ the ground floor (centres, accounts, audit) and the shared web layer → the foundation
(settings, errors, access, storage, ...) → the engines (knowledge, diagnosis)."""

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "rarecare"
FORBIDDEN_IN_ENGINES = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "rarecare.web",
    "rarecare.storage",
    "jinja2",
)
# the web, command-line and dependency faces of an engine package
FACES = {"routes.py", "pages.py", "deps.py", "cli.py"}
ENTRY_POINTS = {"app", "cli"}
ENGINES = {"knowledge", "diagnosis"}
FOUNDATION = {
    "access",
    "cachefile",
    "clikit",
    "config",
    "context",
    "errors",
    "gcpause",
    "geo",
    "i18n",
    "interop",
    "outputs",  # approved outputs, announced to whoever listens (the action plan)
    "models",  # every package's tables, for Alembic and the tests
    "pdf",  # the PDF page, fonts and tables the documents share
    "storage",
    "suppression",  # small counts never published (portal, exports, research, Beacon)
}
GROUND_FLOOR = {"centres", "accounts", "audit", "jobs"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _unit(module: str) -> str | None:
    """The top-level package (or module) of ``rarecare`` a dotted name belongs to."""
    parts = module.split(".")
    return parts[1] if parts[0] == "rarecare" and len(parts) > 1 else None


def _units() -> set[str]:
    return {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"} | {
        p.name for p in SRC.iterdir() if (p / "__init__.py").exists()
    }


def _files(unit: str) -> Iterator[Path]:
    package = SRC / unit
    yield from package.rglob("*.py") if package.is_dir() else [SRC / f"{unit}.py"]


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for unit in _units():
        for path in _files(unit):
            if "migrations" in path.parts:
                continue
            for name in _imports(path):
                target = _unit(name)
                if target and target != unit:
                    edges.setdefault(unit, set()).add(target)
    return edges


FEATURES = _units() - ENTRY_POINTS - ENGINES - FOUNDATION - GROUND_FLOOR - {"web"}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_two_packages_import_each_other() -> None:
    # models.py gathers every package's tables for Alembic; storage's migrations read it
    edges = {u: t - {"models"} for u, t in _edges().items()}
    assert _cycles(edges) == []


def test_nothing_but_the_entry_points_imports_the_composition_root() -> None:
    offenders = sorted(u for u, t in _edges().items() if "app" in t and u not in ENTRY_POINTS)
    assert offenders == []


def test_the_web_layer_imports_no_feature() -> None:
    imported = _edges().get("web", set())
    assert sorted(imported & (FEATURES | GROUND_FLOOR | ENTRY_POINTS)) == []


def test_the_ground_floor_imports_no_feature_above_it() -> None:
    edges = _edges()
    offenders = {u: sorted(edges.get(u, set()) & (FEATURES | ENTRY_POINTS)) for u in GROUND_FLOOR}
    assert {u: f for u, f in offenders.items() if f} == {}


def test_the_foundation_imports_no_feature_and_no_web() -> None:
    edges = _edges()
    above = FEATURES | GROUND_FLOOR | ENTRY_POINTS | {"web"}
    offenders = {u: sorted(edges.get(u, set()) & above) for u in FOUNDATION - {"models"}}
    assert {u: f for u, f in offenders.items() if f} == {}


def test_the_knowledge_and_diagnosis_engines_import_no_web_or_database_code() -> None:
    offenders = []
    above = FEATURES | GROUND_FLOOR | ENTRY_POINTS
    for package in sorted(ENGINES):
        for path in (SRC / package).glob("*.py"):
            if path.name in FACES:
                continue
            bad = [
                n for n in _imports(path) if n.startswith(FORBIDDEN_IN_ENGINES) or _unit(n) in above
            ]
            if bad:
                offenders.append(f"{path.relative_to(SRC)}: {bad}")
    assert offenders == []


def test_services_do_not_import_the_web_layer() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.glob("*/service.py")
        if any(n.startswith(("rarecare.web", "fastapi")) for n in _imports(p))
    ]
    assert offenders == []


def test_route_modules_provide_no_dependencies_to_other_packages() -> None:
    """Other packages take shared dependencies (the engine, the vault) from a ``deps`` module,
    never from another package's routes or pages."""
    offenders = []
    for unit in _units():
        for path in _files(unit):
            for name in _imports(path):
                target = _unit(name)
                if target and target != unit and name.endswith((".routes", ".pages")):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    offenders = [o for o in offenders if not o.startswith(("app.py", "cli.py"))]
    assert offenders == []


def test_modules_stay_small() -> None:
    large = [
        f"{p.relative_to(SRC)} ({n} lines)"
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 600
    ]
    assert large == []
