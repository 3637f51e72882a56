"""The catalogue: knowledge-base search and disease pages, joined with the national lists,
the rare drug list, guidelines and any imported official ICD mappings."""

from __future__ import annotations

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.catalogue.models import OfficialMapping
from rarecare.catalogue.orphadata import parse_product1
from rarecare.catalogue.schemas import (
    DiseaseDetailOut,
    DiseaseHitOut,
    FeatureOut,
    GeneOut,
    ListStatusOut,
    NamedFeatureOut,
    OfficialImportOut,
    TermHitOut,
    XrefOut,
)
from rarecare.errors import NotFound
from rarecare.guidelines import service as guidelines
from rarecare.i18n import _
from rarecare.knowledge import Disease, KnowledgeBase, Xref
from rarecare.knowledge.frequency import frequency_label
from rarecare.knowledge.search import SCORE_EXACT_SYNONYM
from rarecare.lists import service as lists

ORPHANET_CREDIT = "Orphanet, www.orpha.net (CC BY 4.0)"
_RELATION_ORDER = {"exact": 0, "narrower": 1, "broader": 2, "derived": 3}


def _xrefs(
    kb: KnowledgeBase, xrefs: tuple[Xref, ...] | list[Xref], icd10: bool = False
) -> list[XrefOut]:
    out = [
        XrefOut(
            code=x.code,
            relation=x.relation,
            provenance=x.provenance,
            title=kb.icd10_title(x.code) if icd10 else _name_of(kb, x.code),
        )
        for x in xrefs
    ]
    return sorted(out, key=lambda x: (_RELATION_ORDER.get(x.relation, 9), x.code))


def _name_of(kb: KnowledgeBase, code: str) -> str | None:
    disease = kb.diseases.get(code)
    return disease.name if disease else None


def _hit(
    kb: KnowledgeBase, disease: Disease, matched: str, kind: str, score: int, name_vi: str | None
) -> DiseaseHitOut:
    return DiseaseHitOut(
        code=disease.code,
        name=disease.name,
        name_vi=name_vi,
        source=disease.source,
        disorder_type=disease.disorder_type,
        matched=matched,
        match_kind=kind,
        score=score,
        equivalents=_xrefs(kb, disease.equivalents),
        icd10=_xrefs(kb, disease.icd10, icd10=True),
        genes=sorted({g.symbol for g in disease.genes}),
    )


def search(
    *, kb: KnowledgeBase, query: str, limit: int = 20, session: Session | None = None
) -> list[DiseaseHitOut]:
    """Ranked diseases for a name, synonym, code (ORPHA, OMIM, ICD-10) or gene symbol; with a
    database session, Vietnamese names of the approved national list match too."""
    hits = kb.search_diseases(query, limit=limit)
    vi_names: dict[str, str] = {}
    extra: list[DiseaseHitOut] = []
    if session is not None:
        for entry in lists.search_vietnamese_names(session=session, query=query, limit=limit):
            vi_names[entry.orpha_code] = entry.name_vi
            disease = kb.diseases.get(entry.orpha_code)
            if disease is not None and all(h.code != entry.orpha_code for h in hits):
                extra.append(
                    _hit(kb, disease, entry.name_vi, "name_vi", SCORE_EXACT_SYNONYM, entry.name_vi)
                )
    results = [
        _hit(kb, kb.diseases[h.code], h.matched, h.match_kind, h.score, vi_names.get(h.code))
        for h in hits
    ]
    merged = sorted(results + extra, key=lambda r: -r.score)
    return merged[:limit]


def search_terms(*, kb: KnowledgeBase, query: str, limit: int = 20) -> list[TermHitOut]:
    out = []
    for hit in kb.search_terms(query, limit=limit):
        term = kb.ontology.terms[hit.code]
        out.append(
            TermHitOut(
                id=term.id,
                name=term.name,
                matched=hit.matched,
                match_kind=hit.match_kind,
                definition=term.definition,
                replaced=hit.match_kind == "replaced",
            )
        )
    return out


def disease_detail(
    *,
    kb: KnowledgeBase,
    code: str,
    session: Session | None = None,
    principal: Principal | None = None,
    feature_limit: int = 40,
) -> DiseaseDetailOut:
    disease = kb.disease(code)
    if disease is None:
        raise NotFound(_("No disease with this code in the catalogue."))
    features = sorted(
        (a for a in disease.phenotypes if a.hpo_id in kb.ontology.terms),
        key=lambda a: (a.negated, -(a.frequency if a.frequency is not None else 0.3)),
    )
    seen: set[str] = set()
    feature_out = []
    for a in features:
        if a.hpo_id in seen:
            continue
        seen.add(a.hpo_id)
        feature_out.append(
            FeatureOut(
                hpo_id=a.hpo_id,
                name=kb.ontology.terms[a.hpo_id].name,
                frequency=a.frequency,
                frequency_label=frequency_label(a.frequency_raw),
                negated=a.negated,
            )
        )
    icd10 = list(disease.icd10)
    icd11 = list(disease.icd11)
    national = None
    drugs: list[dict[str, object]] = []
    docs: list[dict[str, object]] = []
    if session is not None:
        for row in session.scalars(
            select(OfficialMapping).where(OfficialMapping.orpha_code == disease.code)
        ):
            target = icd10 if row.system == "ICD-10" else icd11
            target.append(
                Xref(
                    row.code,
                    row.relation,
                    f"Orphanet official mapping ({row.source_version}; "
                    f"{row.validation or 'status unknown'})",
                )
            )
        found = lists.approved_disease_entry(session=session, orpha_code=disease.code)
        if found is not None:
            version, entry = found
            national = ListStatusOut(
                version_id=version.id,
                version_title=version.title,
                decision_number=version.decision_number,
                name_vi=entry.name_vi,
                full_coverage=entry.full_coverage,
                newborn_screening=entry.newborn_screening,
                is_demo=version.is_demo,
            )
        drugs = [
            {
                "inn": d.inn,
                "brand_names": d.brand_names,
                "dose": d.dose,
                "dose_unit": d.dose_unit,
                "dose_basis": d.dose_basis,
                "interval_days": d.interval_days,
                "reimbursement": d.reimbursement,
                "coverage_rate": d.coverage_rate,
            }
            for d in lists.approved_drugs_for(session=session, orpha_code=disease.code)
        ]
        docs = [
            {
                "id": g.id,
                "title": g.title,
                "version": g.version,
                "status": g.status.value,
                "decision_number": g.decision_number,
                "issued_on": g.issued_on,
                "summary": g.summary,
                "link_url": g.link_url,
                "has_file": bool(g.file_sha256),
            }
            for g in guidelines.for_disease(
                session=session, principal=principal, orpha_code=disease.code
            )
        ]
    return DiseaseDetailOut(
        code=disease.code,
        name=disease.name,
        source=disease.source,
        disorder_type=disease.disorder_type,
        synonyms=list(disease.synonyms),
        definition=disease.definition,
        classification=[
            [{"code": d.code, "name": d.name} for d in path]
            for path in kb.classification_paths(disease.code)
        ],
        prevalence=[
            {"kind": p.kind, "class": p.klass, "geographic": p.geographic, "source": p.source}
            for p in disease.prevalence
        ],
        onset=list(disease.onset),
        inheritance=list(disease.inheritance),
        features=feature_out[:feature_limit],
        named_features=[
            NamedFeatureOut(
                hpo_id=a.hpo_id,
                name=kb.ontology.terms[a.hpo_id].name,
                source=a.references[0],
                variable=a.frequency_raw == "variable",
            )
            for a in disease.derived
            if a.hpo_id in kb.ontology.terms and a.hpo_id not in seen
        ],
        provisional=disease.provisional,
        genes=[GeneOut(symbol=g.symbol, name=g.name, hgnc=g.hgnc) for g in disease.genes],
        equivalents=_xrefs(kb, disease.equivalents),
        icd10=_xrefs(kb, icd10, icd10=True),
        icd11=_xrefs(kb, icd11),
        national_list=national,
        drugs=drugs,
        guidelines=docs,
        credit=ORPHANET_CREDIT
        if disease.source == "ORPHA"
        else "Name from the Mondo Disease Ontology (CC0)"
        if disease.provisional
        else "HPO annotations (phenotype.hpoa 2025-01-16)",
    )


def official_mappings_status(*, session: Session) -> OfficialImportOut | None:
    """The Orphadata release the official ORPHA–ICD mappings come from and how many there are
    (None before any import: the packaged alignment is used alone)."""
    row = session.execute(
        select(
            func.max(OfficialMapping.source_version),
            func.count(),
            func.count(distinct(OfficialMapping.orpha_code)),
        )
    ).one()
    if not row[1]:
        return None
    return OfficialImportOut(source_version=row[0] or "", rows=row[1], orpha_codes=row[2])


def import_official_mappings(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase, content: bytes
) -> OfficialImportOut:
    """Replace the official ORPHA–ICD mappings with an Orphadata product 1 file."""
    actor = require_role(principal, Role.ADMIN, Role.MINISTRY)
    version, rows = parse_product1(content)
    known = [r for r in rows if r.orpha_code in kb.diseases]
    session.execute(delete(OfficialMapping))
    session.add_all(
        OfficialMapping(
            orpha_code=r.orpha_code,
            system=r.system,
            code=r.code,
            relation=r.relation,
            icd_relation=r.icd_relation,
            validation=r.validation,
            source_version=version,
        )
        for r in known
    )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="import",
        object_type="official_icd_mappings",
        detail={"source_version": version, "rows": len(known)},
    )
    return OfficialImportOut(
        source_version=version, rows=len(known), orpha_codes=len({r.orpha_code for r in known})
    )
