"""Imports every feature package's tables so Alembic and the tests see the whole schema."""

from rarecare.accounts import models as accounts_models
from rarecare.audit import models as audit_models
from rarecare.care import models as care_models
from rarecare.catalogue import models as catalogue_models
from rarecare.centres import models as centres_models
from rarecare.finance import models as finance_models
from rarecare.guidelines import models as guidelines_models
from rarecare.jobs import models as jobs_models
from rarecare.lists import models as lists_models
from rarecare.monitoring import models as monitoring_models
from rarecare.network import models as network_models
from rarecare.portal import models as portal_models
from rarecare.registry import models as registry_models
from rarecare.research import models as research_models

__all__ = [
    "accounts_models",
    "audit_models",
    "care_models",
    "catalogue_models",
    "centres_models",
    "finance_models",
    "guidelines_models",
    "jobs_models",
    "lists_models",
    "monitoring_models",
    "network_models",
    "portal_models",
    "registry_models",
    "research_models",
]
