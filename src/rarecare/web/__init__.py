"""The web application: ``create_app(settings)``, auth and scoping dependencies, error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from rarecare.config import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the application (imported lazily, so feature routes may import ``rarecare.web.deps``
    without importing every router)."""
    from rarecare.web.app import create_app as build

    return build(settings)


__all__ = ["create_app"]
