"""A GA4GH Beacon v2 (framework v2.0.0) over the registry: "do you have patients with X?"
answered at boolean or count granularity, never with records.

Only records whose research-reuse consent is current are counted or offered as filtering terms.
Filters: an Orphanet disease (``ORPHA:365``, ``Orphanet:365``, ``Orphanet_365``; with its
subtypes), an OMIM disease (the ORPHA entities mapped exactly to it), an HPO phenotype (with
its descendants; excluded phenotypes never match) and sex (NCIT ``C16576`` female, ``C20197``
male). All filters must hold. A count of 1 to 4 is never returned: the answer is then a
boolean. What anonymous and logged-in callers get is configured (``beacon_*_granularity``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from rarecare import __version__
from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase
from rarecare.registry import cohort as cohorts
from rarecare.registry.models import ConsentPurpose, Sex
from rarecare.suppression import SMALL

API_VERSION = "v2.0.0"
BEACON_ID = "vn.rarecare.registry"
INDIVIDUAL_SCHEMA = {"entityType": "individual", "schema": "beacon-individual-v2.0.0"}
PURPOSES = (ConsentPurpose.RESEARCH,)
SEXES: dict[str, tuple[Sex, str]] = {
    "NCIT:C16576": (Sex.FEMALE, "female"),
    "NCIT:C20197": (Sex.MALE, "male"),
}
GRANULARITIES = ("boolean", "count", "record")


@dataclass(frozen=True)
class Filters:
    orpha_codes: tuple[str, ...] = ()  # each an alternative set (a disease and its subtypes)
    hpo_ids: tuple[str, ...] = ()
    sexes: tuple[Sex, ...] = ()


def _orpha(kb: KnowledgeBase, raw: str) -> str | None:
    for prefix in ("ORPHA:", "Orphanet:", "Orphanet_", "ORDO:Orphanet_"):
        if raw.startswith(prefix):
            code = f"ORPHA:{raw[len(prefix) :]}"
            return code if code in kb.diseases else None
    return None


def parse_filters(kb: KnowledgeBase, ids: Sequence[str]) -> Filters:
    """The filters of a query, or ValidationFailed naming every id this beacon does not know."""
    orpha: list[str] = []
    hpo: list[str] = []
    sexes: list[Sex] = []
    problems: list[FieldError] = []
    for raw in (i.strip() for i in ids if i.strip()):
        if raw in SEXES:
            sexes.append(SEXES[raw][0])
        elif raw.startswith("HP:") and kb.term(raw) is not None:
            hpo.append(raw)
        elif raw.startswith("OMIM:") and kb.exact_orpha_for(raw):
            orpha.extend(kb.exact_orpha_for(raw))
        elif (code := _orpha(kb, raw)) is not None:
            orpha.append(code)
        else:
            problems.append(
                FieldError(
                    "filters",
                    N_("%(code)s is not a filtering term of this beacon"),
                    params={"code": raw},
                )
            )
    if problems:
        raise ValidationFailed(_("Invalid Beacon query."), problems)
    return Filters(tuple(orpha), tuple(hpo), tuple(sexes))


# ----------------------------------------------------------------------------- responses
def _informational_meta(schemas: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"beaconId": BEACON_ID, "apiVersion": API_VERSION, "returnedSchemas": schemas or []}


def info(base_url: str) -> dict[str, Any]:
    return {
        "meta": _informational_meta([{"entityType": "info", "schema": "beacon-info-v2.0.0"}]),
        "response": {
            "id": BEACON_ID,
            "name": "RareCare — Vietnam rare disease registry beacon",
            "apiVersion": API_VERSION,
            "environment": "prod",
            "organization": {
                "id": "vn.rarecare",
                "name": "RareCare national rare disease registry",
                "welcomeUrl": base_url,
            },
            "description": (
                "Counts of pseudonymised registry patients who consent to research reuse, by "
                "rare disease (ORPHA, OMIM), HPO phenotype and sex. Counts below 5 are answered "
                "as yes/no only; no record ever leaves."
            ),
            "version": __version__,
            "welcomeUrl": base_url,
        },
    }


def _entry_type() -> dict[str, Any]:
    return {
        "id": "individual",
        "name": "Individual",
        "ontologyTermForThisType": {"id": "NCIT:C25190", "label": "Person"},
        "partOfSpecification": "Beacon v2.0.0",
        "description": "A person registered in the rare disease registry (pseudonymised).",
        "defaultSchema": {
            "id": "beacon-individual-v2.0.0",
            "name": "Default schema for an individual",
            "referenceToSchemaDefinition": (
                "https://github.com/ga4gh-beacon/beacon-v2/blob/main/models/json/"
                "beacon-v2-default-schemas/individuals/defaultSchema.json"
            ),
            "schemaVersion": "v2.0.0",
        },
        "nonFilteredQueriesAllowed": True,
    }


def configuration(*, public: str) -> dict[str, Any]:
    return {
        "meta": _informational_meta(
            [{"entityType": "configuration", "schema": "beacon-configuration-v2.0.0"}]
        ),
        "response": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "maturityAttributes": {"productionStatus": "PROD"},
            "securityAttributes": {
                "defaultGranularity": public if public != "none" else "boolean",
                "securityLevels": ["PUBLIC", "REGISTERED"] if public != "none" else ["REGISTERED"],
            },
            "entryTypes": {"individual": _entry_type()},
        },
    }


def entry_types() -> dict[str, Any]:
    return {
        "meta": _informational_meta(
            [{"entityType": "entryType", "schema": "beacon-entrytype-v2.0.0"}]
        ),
        "response": {"entryTypes": {"individual": _entry_type()}},
    }


def beacon_map(base_url: str) -> dict[str, Any]:
    root = base_url.rstrip("/") + "/api/beacon/v2"
    return {
        "meta": _informational_meta([{"entityType": "map", "schema": "beacon-map-v2.0.0"}]),
        "response": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "endpointSets": {
                "individual": {
                    "entryType": "individual",
                    "rootUrl": f"{root}/individuals",
                    "filteringTermsUrl": f"{root}/individuals/filtering_terms",
                }
            },
        },
    }


def filtering_terms(*, session: Session, kb: KnowledgeBase) -> dict[str, Any]:
    """The ontology terms actually present among consenting records."""
    diseases, terms, sexes = cohorts.present_terms(session=session, purposes=PURPOSES)
    items: list[dict[str, str]] = []
    for code, _n in diseases:
        disease = kb.diseases.get(code)
        if disease is not None and disease.source == "ORPHA":
            items.append(_term(code, disease.name))
            for twin in disease.equivalents:
                if twin.relation == "exact" and twin.code.startswith("OMIM:"):
                    items.append(
                        _term(
                            twin.code,
                            kb.diseases[twin.code].name
                            if twin.code in kb.diseases
                            else disease.name,
                        )
                    )
    for term, _n in terms:
        hpo = kb.term(term)
        if hpo is not None:
            items.append(_term(term, hpo.name))
    present = {s for s, _n in sexes}
    for curie, (sex, label) in SEXES.items():
        if sex.value in present:
            items.append(_term(curie, label))
    unique = {i["id"]: i for i in items}
    return {
        "meta": _informational_meta(
            [{"entityType": "filteringTerm", "schema": "beacon-filteringterms-v2.0.0"}]
        ),
        "response": {
            "filteringTerms": sorted(unique.values(), key=lambda i: i["id"]),
            "resources": [
                {
                    "id": "ORPHA",
                    "name": "Orphanet Rare Disease Ontology",
                    "url": "https://www.orpha.net",
                    "namespacePrefix": "ORPHA",
                },
                {
                    "id": "OMIM",
                    "name": "Online Mendelian Inheritance in Man",
                    "url": "https://omim.org",
                    "namespacePrefix": "OMIM",
                },
                {
                    "id": "HP",
                    "name": "Human Phenotype Ontology",
                    "url": "https://hpo.jax.org",
                    "namespacePrefix": "HP",
                    "version": "2025-01-16",
                },
                {
                    "id": "NCIT",
                    "name": "NCI Thesaurus",
                    "url": "https://ncit.nci.nih.gov",
                    "namespacePrefix": "NCIT",
                },
            ],
        },
    }


def _term(curie: str, label: str) -> dict[str, str]:
    return {"type": "ontologyTerm", "id": curie, "label": label, "scope": "individual"}


def individuals(
    *,
    session: Session,
    kb: KnowledgeBase,
    filter_ids: Sequence[str],
    requested: str,
    allowed: str,
) -> dict[str, Any]:
    """A boolean or count answer about consenting individuals matching every filter: the
    granularity asked for, at most the one ``allowed``; a count of 1–4 is answered boolean."""
    filters = parse_filters(kb, filter_ids)
    cohort = cohorts.Cohort(purposes=PURPOSES, hpo_ids=filters.hpo_ids, sexes=filters.sexes)
    # each disease filter with its subtypes must hold: one count per combination is a join of
    # conditions, so several disease filters intersect
    conditions = cohorts.conditions(kb, cohort)
    for code in filters.orpha_codes:
        conditions += cohorts.conditions(kb, cohorts.Cohort(purposes=(), orpha_codes=(code,)))
    n = cohorts.count_where(session=session, where=conditions)
    granted = "count" if allowed == "count" and requested in ("count", "record") else "boolean"
    if n in SMALL:
        granted = "boolean"
    summary: dict[str, Any] = {"exists": n > 0}
    if granted == "count":
        summary["numTotalResults"] = n
    return {
        "meta": {
            "beaconId": BEACON_ID,
            "apiVersion": API_VERSION,
            "returnedGranularity": granted,
            "returnedSchemas": [INDIVIDUAL_SCHEMA],
            "receivedRequestSummary": {
                "apiVersion": API_VERSION,
                "requestedSchemas": [INDIVIDUAL_SCHEMA],
                "pagination": {"skip": 0, "limit": 0},
                "requestedGranularity": requested,
                "filters": list(filter_ids),
            },
        },
        "responseSummary": summary,
    }


def error(code: int, message: str, requested: str = "boolean") -> dict[str, Any]:
    return {
        "meta": {
            "beaconId": BEACON_ID,
            "apiVersion": API_VERSION,
            "returnedGranularity": "boolean",
            "returnedSchemas": [],
            "receivedRequestSummary": {
                "apiVersion": API_VERSION,
                "requestedSchemas": [INDIVIDUAL_SCHEMA],
                "pagination": {"skip": 0, "limit": 0},
                "requestedGranularity": requested,
            },
        },
        "error": {"errorCode": code, "errorMessage": message},
    }
