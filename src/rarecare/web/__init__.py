"""The web application: ``create_app(settings)``, auth and scoping dependencies, error pages."""

from rarecare.web.app import create_app

__all__ = ["create_app"]
