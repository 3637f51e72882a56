"""Imports every feature package's tables so Alembic and the tests see the whole schema."""

from rarecare.accounts import models as accounts_models
from rarecare.audit import models as audit_models
from rarecare.care import models as care_models

__all__ = ["accounts_models", "audit_models", "care_models"]
