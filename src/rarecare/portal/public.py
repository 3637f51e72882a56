"""What the public portal shows, composed from the other packages' services: a disease page
that joins Orphanet's catalogue with what only RareCare knows (the national list, the coverage
rules in force, the rare drug list, guidelines, centres, patient organisations, the ministry's
plain-language summary), the centres directory and the sitemap. Nothing about any patient."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from rarecare.catalogue import service as catalogue
from rarecare.catalogue.schemas import DiseaseDetailOut, DiseaseHitOut
from rarecare.centres import service as centres
from rarecare.centres.models import Centre, CentreLevel
from rarecare.finance import service as finance
from rarecare.geo import get_province
from rarecare.geo.svg import xy
from rarecare.i18n import _
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service as lists
from rarecare.lists.models import ListKind
from rarecare.monitoring import service as monitoring
from rarecare.monitoring.models import OrgKind
from rarecare.portal import service as articles
from rarecare.portal.models import ArticleKind
from rarecare.portal.schemas import PublishedOut

SPECIALISED = (CentreLevel.NATIONAL, CentreLevel.REGIONAL)


@dataclass
class Coverage:
    """Health insurance for the disease, from the coverage rules in force (not hard-coded)."""

    listed: bool
    rate: float  # % at a specialised level
    levels: list[str]
    default_rate: float
    rules_version: int
    in_force_since: date | None


@dataclass
class CentrePoint:
    centre: Centre
    province: str
    treats: list[str]  # the disease's listed drugs the centre gives
    xy: tuple[float, float]


@dataclass
class DiseasePage:
    detail: DiseaseDetailOut
    name_vi: str
    summary: PublishedOut | None
    coverage: Coverage
    centres: list[CentrePoint]
    organisations: list[Any] = field(default_factory=list)


def coverage_for(*, session: Session, listed: bool, today: date | None = None) -> Coverage:
    version, rules = finance.current_rules(session=session, on=today)
    in_force = next(
        (r.effective_from for r in finance.rule_versions(session=session) if r.version == version),
        None,
    )
    return Coverage(
        listed=listed,
        rate=rules.national_list_rate if listed else rules.default_rate,
        levels=[str(level) for level in rules.national_list_levels],
        default_rate=rules.default_rate,
        rules_version=version,
        in_force_since=in_force,
    )


def _points(all_centres: list[Centre], drugs: set[str]) -> list[CentrePoint]:
    out: list[CentrePoint] = []
    seen: dict[str, int] = {}
    for centre in sorted(all_centres, key=lambda c: (c.level != CentreLevel.NATIONAL, c.name)):
        treats = sorted(drugs & set(centre.therapies or []))
        if not treats and centre.level not in SPECIALISED:
            continue
        province = get_province(centre.province_code)
        if province is None:
            continue
        n = seen.get(centre.province_code, 0)  # several centres in a city: side by side
        seen[centre.province_code] = n + 1
        x, y = xy(province.lat, province.lon)
        out.append(CentrePoint(centre, province.name, treats, (round(x + 7 * n, 1), y)))
    return out


def disease_page(
    *, session: Session, kb: KnowledgeBase, code: str, lang: str, today: date | None = None
) -> DiseasePage:
    detail = catalogue.disease_detail(kb=kb, code=code, session=session, principal=None)
    listed = detail.national_list is not None
    drugs = {str(d["inn"]) for d in detail.drugs}
    return DiseasePage(
        detail=detail,
        name_vi=detail.national_list.name_vi if detail.national_list else "",
        summary=articles.disease_summary(session=session, orpha_code=detail.code, lang=lang),
        coverage=coverage_for(session=session, listed=listed, today=today),
        centres=_points(centres.list_centres(session=session), drugs),
        organisations=[
            org
            for org in monitoring.organisations(session=session)
            if org.kind == OrgKind.PATIENT_ORGANISATION
        ],
    )


def search(*, session: Session, kb: KnowledgeBase, query: str) -> list[DiseaseHitOut]:
    """Diseases by name in Vietnamese or English, with or without diacritics, or by code;
    rare diseases only (the catalogue's ORPHA entries), listed diseases first."""
    if not query.strip():
        return []
    hits = catalogue.search(kb=kb, query=query, session=session, limit=30)
    return sorted(hits, key=lambda h: (not h.name_vi, -h.score))[:20]


def listed_diseases(*, session: Session) -> list[dict[str, str]]:
    version = lists.current_version(session=session, kind=ListKind.DISEASES)
    if version is None:
        return []
    return sorted(
        (
            {"code": e.orpha_code, "name_vi": e.name_vi, "name_en": e.name_en}
            for e in version.disease_entries
        ),
        key=lambda d: d["name_vi"] or d["name_en"],
    )


def centres_directory(*, session: Session) -> list[CentrePoint]:
    everyone = centres.list_centres(session=session)
    return _points(everyone, {drug for centre in everyone for drug in centre.therapies or []})


def sitemap_paths(*, session: Session) -> list[str]:
    paths = ["/public", "/public/centres", "/public/guides", "/public/news", "/public/statistics"]
    paths += [f"/public/diseases/{d['code']}" for d in listed_diseases(session=session)]
    for kind in (ArticleKind.HOWTO, ArticleKind.POST):
        paths += [f"/public/pages/{a.slug}" for a in articles.published(session=session, kind=kind)]
    return sorted(set(paths))


def level_label(level: str) -> str:
    return {
        "national": _("national"),
        "regional": _("regional"),
        "provincial": _("provincial"),
    }.get(level, level)
