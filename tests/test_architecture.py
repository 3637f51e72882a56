"""The layering rules of the brief, checked on the source."""

import ast
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
FACES = {"routes.py", "cli.py"}  # the web and command-line faces of a package


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_knowledge_and_diagnosis_engines_import_no_web_or_database_code() -> None:
    offenders = []
    for package in ("knowledge", "diagnosis"):
        for path in (SRC / package).glob("*.py"):
            if path.name in FACES:
                continue
            bad = [n for n in _imports(path) if n.startswith(FORBIDDEN_IN_ENGINES)]
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


def test_modules_stay_small() -> None:
    large = [
        f"{p.relative_to(SRC)} ({n} lines)"
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 600
    ]
    assert large == []
