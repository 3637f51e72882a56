"""Database plumbing: declarative base, engine/session factories, Alembic migrations."""

from rarecare.storage.base import Base, utcnow
from rarecare.storage.engine import make_engine, make_sessionmaker

__all__ = ["Base", "make_engine", "make_sessionmaker", "utcnow"]
