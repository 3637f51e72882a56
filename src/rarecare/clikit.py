"""What every command-line group shares: settings, a database session, the operator
principal, JSON output and error reporting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from pydantic import BaseModel, ValidationError

from rarecare.access import Principal, Role
from rarecare.errors import ConfigurationError, RareCareError

if TYPE_CHECKING:  # imported when used: ``rarecare --help`` stays fast
    from sqlalchemy.orm import Session

    from rarecare.config import Settings
    from rarecare.knowledge import KnowledgeBase

# Commands run by an operator on the server act as this principal in the audit log.
OPERATOR = Principal(user_id=0, username="cli", role=Role.ADMIN, display_name="Command line")


def load_settings(*, need_secrets: bool = True) -> Settings:
    """The settings; commands that touch no secret (knowledge look-ups) also run without them."""
    from rarecare.config import Settings

    try:
        return Settings()
    except ConfigurationError as exc:
        if not need_secrets:
            return Settings(demo=True)
        fail(exc, code=2)
    except ValidationError as exc:
        fail(ConfigurationError(f"invalid settings: {exc}"), code=2)


def knowledge(settings: Settings | None = None) -> KnowledgeBase:
    from rarecare.knowledge import load_knowledge

    settings = settings or load_settings(need_secrets=False)
    return load_knowledge(settings.cache_dir)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session committed at the end; a RareCareError is printed (with every detail) and
    exits 1 after a rollback, so nothing is half-written."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from rarecare.storage import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    session = make_sessionmaker(engine)()
    try:
        yield session
        session.commit()
    except RareCareError as exc:
        session.rollback()
        fail(exc)
    except (OperationalError, ProgrammingError) as exc:
        session.rollback()
        text = str(exc.orig).lower()
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            fail("the database has no RareCare tables yet: run `rarecare db upgrade`", code=1)
        fail(f"the database refused the command: {str(exc.orig).strip()}")
    finally:
        session.close()
        engine.dispose()


def fail(problem: RareCareError | Exception | str, *, code: int = 1) -> NoReturn:
    """The one way a command exits with an error: ``Error: ...`` on stderr, then exit ``code``
    (1: the request failed; 2: the command was used wrongly)."""
    typer.echo(f"Error: {problem}", err=True)
    if isinstance(problem, BaseException):
        raise typer.Exit(code) from problem
    raise typer.Exit(code)


def echo_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        typer.echo(
            json.dumps([v.model_dump(mode="json") for v in value], indent=2, ensure_ascii=False)
        )
    else:
        typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))
