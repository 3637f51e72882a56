"""Similar patients: registered patients whose phenotypes share the most information with a
patient's, shown as pseudonym, centre and shared features only. Records of the patient's own
centres are all compared; another centre's only while its patient consents to research reuse.

Each patient is the set of its observed terms and their ancestors, each weighted by its
information content (-ln of its background frequency among diseases); similarity is the
weighted cosine of two such sets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, require_authenticated
from rarecare.audit import service as audit
from rarecare.diagnosis import DiagnosisEngine
from rarecare.registry import service
from rarecare.registry.consent import current_clause
from rarecare.registry.models import ConsentPurpose, Patient, PhenotypeObservation


@dataclass(frozen=True)
class SimilarPatient:
    patient_id: int
    pseudonym: str
    centre_id: int
    score: float
    shared: list[tuple[str, str]]  # (HPO id, label), most informative first


def _profile(engine: DiagnosisEngine, terms: set[str]) -> set[int]:
    index = engine.index
    out: set[int] = set()
    for term in terms:
        t = index.term_index.get(term)
        if t is not None:
            out.update(int(a) for a in index.ancestors(t))
    return out


def similar(
    *,
    session: Session,
    principal: Principal | None,
    engine: DiagnosisEngine,
    patient_id: int,
    top: int = 10,
) -> list[SimilarPatient]:
    actor = require_authenticated(principal)
    patient = service.get(session=session, principal=actor, patient_id=patient_id, action="similar")
    own_terms = {p.hpo_id for p in patient.phenotypes if not p.excluded}
    if not own_terms:
        return []
    ic = -np.log(np.maximum(engine.index.background, 1e-6)).astype(np.float32)
    # the centre's own records are care use; another centre's record is matched only while
    # its patient consents to research reuse
    own_centres = sorted({patient.centre_id, *(s.centre_id for s in patient.shared_with)})
    rows = session.execute(
        select(PhenotypeObservation.patient_id, PhenotypeObservation.hpo_id)
        .join(Patient, Patient.id == PhenotypeObservation.patient_id)
        .where(
            PhenotypeObservation.excluded.is_(False),
            PhenotypeObservation.patient_id != patient.id,
            or_(
                Patient.centre_id.in_(own_centres),
                current_clause(ConsentPurpose.RESEARCH, PhenotypeObservation.patient_id),
            ),
        )
    )
    by_patient: dict[int, set[str]] = defaultdict(set)
    for other_id, hpo_id in rows:
        by_patient[other_id].add(hpo_id)
    if not by_patient:
        return []
    ids = list(by_patient)
    data_rows, data_cols = [], []
    for r, other in enumerate(ids):
        for t in _profile(engine, by_patient[other]):
            data_rows.append(r)
            data_cols.append(t)
    matrix = sparse.csr_matrix((ic[data_cols], (data_rows, data_cols)), shape=(len(ids), len(ic)))
    query = np.zeros(len(ic), dtype=np.float32)
    own = sorted(_profile(engine, own_terms))
    query[own] = ic[own]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()) * float(
        np.linalg.norm(query)
    )
    scores = np.asarray(matrix @ query).ravel() / np.maximum(norms, 1e-9)
    best = np.argsort(-scores)[:top]
    names = engine.kb.ontology.terms
    chosen = [ids[i] for i in best if scores[i] > 0]
    centres = dict(
        session.execute(select(Patient.id, Patient.pseudonym).where(Patient.id.in_(chosen))).all()
    )
    centre_of = dict(
        session.execute(select(Patient.id, Patient.centre_id).where(Patient.id.in_(chosen))).all()
    )
    result = []
    own_set = set(own)
    for i in best:
        if scores[i] <= 0:
            continue
        other = ids[i]
        shared = sorted(own_set & _profile(engine, by_patient[other]), key=lambda t: -ic[t])[:6]
        result.append(
            SimilarPatient(
                patient_id=other,
                pseudonym=centres[other],
                centre_id=centre_of[other],
                score=round(float(scores[i]), 3),
                shared=[(engine.index.terms[t], names[engine.index.terms[t]].name) for t in shared],
            )
        )
    audit.record(
        session=session,
        actor=actor,
        action="similar_patients",
        object_type="patient",
        object_id=patient.pseudonym,
        centre_id=patient.centre_id,
        detail={"returned": [r.pseudonym for r in result]},
    )
    return result
