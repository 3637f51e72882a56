"""Request dependencies: settings, the database session, the current principal.

Authorization itself lives in ``rarecare.access``; these only turn a request into a principal,
with the session resolver the composition root hands in (``app.state.resolve_principal``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_authenticated, require_role
from rarecare.config import Settings
from rarecare.context import AUDIT_SESSIONS
from rarecare.knowledge import KnowledgeBase, load_knowledge
from rarecare.web.site import PrincipalResolver

SESSION_COOKIE = "rarecare_session"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


READING = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """One session (unit of work) per request: committed when the route returns, rolled back
    when it raises. On SQLite a reading request's transaction takes no lock (many read at once,
    even while a long import writes) and its audit events are written in short transactions of
    their own; a writing request takes the write lock when it begins."""
    reading = request.method in READING and request.app.state.read_sessionmaker is not None
    maker = request.app.state.read_sessionmaker if reading else request.app.state.sessionmaker
    session: Session = maker()
    if reading:
        session.info[AUDIT_SESSIONS] = request.app.state.sessionmaker
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


def get_principal(request: Request, session: DbSession) -> Principal | None:
    if not hasattr(request.state, "principal"):
        token = request.cookies.get(SESSION_COOKIE)
        resolve: PrincipalResolver = request.app.state.resolve_principal
        request.state.principal = resolve(session=session, token=token)
    principal: Principal | None = request.state.principal
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(get_principal)]


def principal_of(request: Request) -> Principal | None:
    """The principal resolved for this request (None when nobody is logged in)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


def get_user(principal: MaybePrincipal) -> Principal:
    return require_authenticated(principal)


CurrentUser = Annotated[Principal, Depends(get_user)]


def get_admin(principal: MaybePrincipal) -> Principal:
    return require_role(principal, Role.ADMIN)


Admin = Annotated[Principal, Depends(get_admin)]


def get_knowledge(settings: AppSettings) -> KnowledgeBase:
    """The knowledge base (loaded once per process; from the binary cache when current)."""
    return load_knowledge(settings.cache_dir)


Knowledge = Annotated[KnowledgeBase, Depends(get_knowledge)]

# optimistic locking on actions (approve, stop, disable…): the version the user decided on
ReadVersion = Annotated[
    int | None,
    Query(description="The record's version it was read at (changed since then: 409)"),
]
