"""Registry services. Every read and write of a patient record is scoped (``rarecare.access``)
and audited (``rarecare.audit``); identities are only ever stored encrypted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from rarecare.access import (
    CENTRE_ROLES,
    Principal,
    Role,
    centre_scope,
    ensure_centre_access,
    require_authenticated,
    require_role,
)
from rarecare.audit import service as audit
from rarecare.centres import service as centres
from rarecare.errors import (
    Conflict,
    FieldError,
    NeedsConfirmation,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase, normalise_orpha
from rarecare.registry import consent
from rarecare.registry.models import (
    AgeKind,
    DiagnosisRecord,
    DiagnosticStatus,
    Encounter,
    IdentityKey,
    Patient,
    PatientCentre,
    PhenotypeObservation,
    VitalStatus,
)
from rarecare.registry.models import (
    Identity as IdentityRow,
)
from rarecare.registry.plausible import (
    body_measures,
    check_identity,
    check_record,
    record_warnings,
)
from rarecare.registry.schemas import (
    DiagnosisIn,
    EncounterIn,
    PatientIn,
    PhenotypeIn,
    RecordFields,
)
from rarecare.registry.vault import Identity, IdentityVault
from rarecare.storage import in_chunks
from rarecare.storage.versioning import check_version

UNDIAGNOSED_ORPHA = "ORPHA:616874"
WRITERS = (Role.CLINICIAN, Role.DATA_MANAGER)


# ------------------------------------------------------------------------------- access
def _centres_of(patient: Patient) -> set[int]:
    return {patient.centre_id, *(link.centre_id for link in patient.shared_with)}


def get(
    *, session: Session, principal: Principal | None, patient_id: int, action: str = "read"
) -> Patient:
    """A patient the principal may see (another centre's answers "not found"); audited."""
    actor = require_authenticated(principal)
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(_("No such patient."))
    ensure_centre_access(actor, _centres_of(patient))
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="patient",
        object_id=patient.pseudonym,
        centre_id=patient.centre_id,
    )
    return patient


@dataclass(frozen=True)
class PatientRecord:
    """A patient record resolved for one actor: access checked and the read audited once per
    request. Services that read more of the same record (plans, doses, costs) take it instead
    of checking and auditing again."""

    actor: Principal
    patient: Patient

    @property
    def id(self) -> int:
        return self.patient.id


def open_record(
    *, session: Session, principal: Principal | None, patient_id: int, action: str = "read"
) -> PatientRecord:
    """The scoped, audited handle of a patient record (another centre's: "not found")."""
    patient = get(session=session, principal=principal, patient_id=patient_id, action=action)
    return PatientRecord(require_authenticated(principal), patient)


def scoped(query: Select[Patient], actor: Principal) -> Select[Patient]:
    """Restrict a patient query to what ``actor`` may see (the one place registry scoping is
    done)."""
    scope = centre_scope(actor)
    if scope is None:
        return query
    shared = select(PatientCentre.patient_id).where(PatientCentre.centre_id == scope)
    return query.where(or_(Patient.centre_id == scope, Patient.id.in_(shared)))


def visible(
    *, session: Session, principal: Principal | None, action: str, batch: int = 2000
) -> Iterator[list[Patient]]:
    """Every patient the principal may see (exports), in id order, a batch at a time with their
    phenotypes and diagnoses loaded; each batch leaves the session once the caller has it, so a
    million records never sit in memory at once. Audited once, after the last batch, naming
    every record returned."""
    actor = require_authenticated(principal)
    returned: list[str] = []
    last_id = 0
    while True:
        patients = list(
            session.scalars(
                scoped(
                    select(Patient)
                    .where(Patient.id > last_id)
                    .order_by(Patient.id)
                    .limit(batch)
                    .options(selectinload(Patient.phenotypes), selectinload(Patient.diagnoses)),
                    actor,
                )
            )
        )
        if not patients:
            break
        returned.extend(p.pseudonym for p in patients)
        last_id = patients[-1].id
        yield patients
        for patient in patients:
            session.expunge(patient)
    audit.record(
        session=session,
        actor=actor,
        action=action,
        object_type="patient",
        detail={"returned": returned},
    )


def search(
    *,
    session: Session,
    principal: Principal | None,
    pseudonym: str | None = None,
    province_code: str | None = None,
    orpha_code: str | None = None,
    status: DiagnosticStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Sequence[Patient]:
    actor = require_authenticated(principal)
    query = scoped(
        select(Patient).order_by(Patient.id).limit(min(limit, 500)).offset(offset), actor
    )
    if pseudonym:
        query = query.where(Patient.pseudonym == pseudonym.strip().upper())
    if province_code:
        query = query.where(Patient.province_code == province_code)
    if orpha_code:
        query = query.where(Patient.orpha_code == (normalise_orpha(orpha_code) or orpha_code))
    if status is not None:
        query = query.where(Patient.diagnostic_status == status)
    patients = session.scalars(query).all()
    audit.record(
        session=session,
        actor=actor,
        action="search",
        object_type="patient",
        detail={
            "filters": {
                "pseudonym": pseudonym,
                "province": province_code,
                "orpha": orpha_code,
                "status": status.value if status else None,
            },
            "returned": [p.pseudonym for p in patients],
        },
    )
    return patients


# ------------------------------------------------------------------------------ writing
def register(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    vault: IdentityVault,
    data: PatientIn,
    today: date | None = None,
) -> Patient:
    """Register a patient at the user's centre. The same person already registered at another
    centre is flagged as a possible duplicate; at the same centre it is refused."""
    actor = require_role(principal, *WRITERS, Role.ADMIN)
    today = today or date.today()
    if actor.role in CENTRE_ROLES:
        centre_id = centre_scope(actor)
        if (
            data.centre_code
            and centres.get_centre_by_code(session=session, code=data.centre_code).id != centre_id
        ):
            raise PermissionDenied(_("You can only register patients at your own centre."))
    elif data.centre_code:
        centre_id = centres.get_centre_by_code(session=session, code=data.centre_code).id
    else:
        raise ValidationFailed(
            _("Invalid patient."), [FieldError("centre_code", N_("required for a national user"))]
        )
    errors = check_record(data, kb=kb, birth_date=data.identity.birth_date, today=today)
    errors += check_identity(data.identity)
    if errors:
        raise ValidationFailed(_("Invalid patient."), errors)
    confirmed = _confirmed(data, data.confirm_warnings)
    identity = Identity(**data.identity.model_dump())
    pseudonym = vault.pseudonym(identity)
    match_key = vault.match_key(identity)
    existing = session.scalars(select(Patient).where(Patient.pseudonym == pseudonym)).all()
    if any(p.centre_id == centre_id for p in existing):
        raise Conflict(
            _("This person is already registered at your centre."),
            [FieldError("identity", N_("pseudonym %(value)s"), params={"value": pseudonym})],
        )
    if not existing:  # near-homonyms, or a record registered under the folded-name pseudonym
        legacy = vault.legacy_pseudonym(identity)
        existing = session.scalars(
            select(Patient)
            .where(or_(Patient.match_key == match_key, Patient.pseudonym == legacy))
            .order_by(Patient.id)
            .limit(1)
        ).all()
    fields = data.model_dump(exclude={"identity", "centre_code", "confirm_warnings"})
    fields["orpha_code"] = normalise_orpha(data.orpha_code) if data.orpha_code else None
    if data.diagnostic_status is DiagnosticStatus.UNDIAGNOSED and not fields["orpha_code"]:
        fields["orpha_code"] = UNDIAGNOSED_ORPHA
    patient = Patient(
        pseudonym=pseudonym,
        match_key=match_key,
        centre_id=centre_id,
        birth_month=identity.birth_date.replace(day=1),
        possible_duplicate_of=existing[0].id if existing else None,
        **fields,
    )
    try:
        with session.begin_nested():
            session.add(patient)
            session.flush()
    except IntegrityError:  # the same person registered at this centre a moment ago
        raise Conflict(_("This person is already registered at your centre.")) from None
    store_identity(session, vault, patient.id, identity)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="patient",
        object_id=pseudonym,
        centre_id=centre_id,
        detail={"possible_duplicate_of": patient.possible_duplicate_of, "confirmed": confirmed},
    )
    consent.follow_flags(session=session, actor=actor, patient=patient, on=today)
    return patient


def _confirmed(data: RecordFields, confirm: bool) -> list[str]:
    """The unusual dates the user confirmed (refused until they do)."""
    warnings = record_warnings(data)
    if warnings and not confirm:
        raise NeedsConfirmation(
            _("These dates are unusual, though possible: check them and confirm to save."),
            warnings,
        )
    return [w.field for w in warnings]


def update(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    patient_id: int,
    data: RecordFields,
    vault: IdentityVault,
    today: date | None = None,
) -> Patient:
    """Change a record's elements. With ``data.version`` (the version the change was made
    from), a record changed since is refused (409) naming each element that now differs from
    what was submitted, so a stale form never silently undoes a colleague's change."""
    actor = require_role(principal, *WRITERS)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="update")
    submitted = data.model_dump(exclude={"version", "confirm_warnings"})
    check_version(patient, getattr(data, "version", None), submitted)
    birth = stored_identity(session, vault, patient).birth_date
    errors = check_record(data, kb=kb, birth_date=birth, today=today or date.today())
    if errors:
        raise ValidationFailed(_("Invalid patient."), errors)
    confirmed = _confirmed(data, getattr(data, "confirm_warnings", False))
    if confirmed:
        audit.record(
            session=session,
            actor=actor,
            action="confirm_warnings",
            object_type="patient",
            object_id=patient.pseudonym,
            centre_id=patient.centre_id,
            detail={"confirmed": confirmed},
        )
    for field, value in submitted.items():
        setattr(patient, field, value)
    patient.orpha_code = normalise_orpha(data.orpha_code) if data.orpha_code else None
    session.flush()  # a concurrent save of the same version fails here (version_id_col)
    consent.follow_flags(session=session, actor=actor, patient=patient, on=today or date.today())
    return patient


def add_phenotype(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    patient_id: int,
    data: PhenotypeIn,
) -> PhenotypeObservation:
    actor = require_role(principal, *WRITERS)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="add_phenotype")
    resolution = kb.resolve_term(data.hpo_id)
    if resolution is None or not kb.ontology.is_phenotypic(resolution.term.id):
        raise ValidationFailed(
            _("Invalid phenotype."),
            [
                FieldError(
                    "hpo_id",
                    N_("%(term)s is not a phenotypic abnormality HPO term"),
                    params={"term": data.hpo_id},
                )
            ],
        )
    observation = PhenotypeObservation(
        patient_id=patient.id,
        recorded_by=actor.username,
        **{**data.model_dump(), "hpo_id": resolution.term.id},
    )
    session.add(observation)
    session.flush()
    return observation


def add_diagnosis(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    patient_id: int,
    data: DiagnosisIn,
    today: date | None = None,
) -> DiagnosisRecord:
    """Record a diagnosis; a confirmed one becomes the patient's diagnosis (and its date)."""
    actor = require_role(principal, *WRITERS)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="add_diagnosis")
    code = normalise_orpha(data.orpha_code)
    disease = kb.disease(code) if code else None
    if disease is None:
        raise ValidationFailed(
            _("Invalid diagnosis."),
            [
                FieldError(
                    "orpha_code",
                    N_("%(code)s is not an ORPHAcode"),
                    params={"code": data.orpha_code},
                )
            ],
        )
    when = data.diagnosed_on or today or date.today()
    if when > (today or date.today()):
        raise ValidationFailed(
            _("Invalid diagnosis."), [FieldError("diagnosed_on", N_("is in the future"))]
        )
    icd10 = next((x.code for x in disease.icd10 if x.relation in ("exact", "narrower")), "")
    omim = next((x.code for x in disease.equivalents if x.relation == "exact"), "")
    record = DiagnosisRecord(
        patient_id=patient.id,
        recorded_by=actor.username,
        icd10_code=icd10,
        omim_code=omim,
        **{**data.model_dump(), "orpha_code": disease.code, "diagnosed_on": when},
    )
    session.add(record)
    if data.status in (
        DiagnosticStatus.CONFIRMED,
        DiagnosticStatus.PROBABLE,
    ) or patient.orpha_code in (None, UNDIAGNOSED_ORPHA):
        patient.orpha_code = disease.code
        patient.diagnostic_status = data.status
    if data.status is DiagnosticStatus.CONFIRMED and patient.diagnosis_date is None:
        patient.diagnosis_date = when
        patient.diagnosis_kind = AgeKind.DATE
    session.flush()
    return record


def share_with(
    *, session: Session, principal: Principal | None, patient_id: int, centre_code: str
) -> Patient:
    """Share a patient's record with another centre, whose staff then see it (the care
    network's referrals do this through :func:`grant_access`)."""
    actor = require_role(principal, *WRITERS)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="refer")
    centre = centres.get_centre_by_code(session=session, code=centre_code)
    grant_access(session=session, patient=patient, centre_id=centre.id)
    return patient


def grant_access(*, session: Session, patient: Patient, centre_id: int) -> None:
    """Let another centre's staff see an (already opened) record."""
    if centre_id not in _centres_of(patient):
        patient.shared_with.append(PatientCentre(centre_id=centre_id))
        session.flush()


def revoke_access(*, session: Session, patient_id: int, centre_id: int) -> None:
    """Take back a centre's access to a record it was shared with (never its own centre's)."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        return
    for link in list(patient.shared_with):
        if link.centre_id == centre_id and centre_id != patient.centre_id:
            patient.shared_with.remove(link)
    session.flush()


# ------------------------------------------------------------------- for other services
def living_diagnosed(*, session: Session, orpha_codes: Sequence[str]) -> list[Patient]:
    """Living patients with a confirmed or probable diagnosis of one of these diseases (national
    planning, e.g. budget impact: pseudonymised records, no centre scope)."""
    if not orpha_codes:
        return []
    return list(
        session.scalars(
            select(Patient).where(
                Patient.orpha_code.in_(list(orpha_codes)),
                Patient.vital_status == VitalStatus.ALIVE,
                Patient.diagnostic_status.in_(
                    [DiagnosticStatus.CONFIRMED, DiagnosticStatus.PROBABLE]
                ),
            )
        )
    )


def places(*, session: Session, patient_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Pseudonym and home province of each patient, in bulk (schedules, travel)."""
    out: dict[int, tuple[str, str]] = {}
    for chunk in in_chunks(patient_ids):
        for pid, pseudonym, province in session.execute(
            select(Patient.id, Patient.pseudonym, Patient.province_code).where(
                Patient.id.in_(chunk)
            )
        ):
            out[pid] = (pseudonym, province)
    return out


# ------------------------------------------------------------------------------ identity
def pseudonyms(*, session: Session, patient_ids: Sequence[int]) -> dict[int, str]:
    """Record id → pseudonym (for national views that name records; no access check)."""
    found: dict[int, str] = {}
    for chunk in in_chunks(list(patient_ids)):
        found.update(
            session.execute(
                select(Patient.id, Patient.pseudonym).where(Patient.id.in_(chunk))
            ).tuples()
        )
    return found


def store_identity(
    session: Session,
    vault: IdentityVault,
    patient_id: int,
    identity: Identity,
    row: IdentityRow | None = None,
) -> None:
    """Encrypt an identity under the key in force — into a new row, or into ``row`` whose
    blind index it then replaces — and write its blind index."""
    blob = vault.encrypt(identity, associated=str(patient_id).encode())
    if row is None:
        session.add(IdentityRow(patient_id=patient_id, key_version=vault.version, blob=blob))
    else:
        row.key_version, row.blob = vault.version, blob
        session.execute(delete(IdentityKey).where(IdentityKey.patient_id == patient_id))
    session.add_all(
        IdentityKey(patient_id=patient_id, kind=kind, digest=digest)
        for kind, digest in vault.blind_keys(identity)
    )


def stored_identity(session: Session, vault: IdentityVault, patient: Patient) -> Identity:
    """The patient's decrypted identity (for checks; never shown without reveal_identity)."""
    row = session.scalar(select(IdentityRow).where(IdentityRow.patient_id == patient.id))
    if row is None:
        raise NotFound(_("No identity is stored for this patient."))
    return vault.decrypt(row.blob, str(patient.id).encode(), row.key_version)


# --------------------------------------------------------------------------- suggestions
def add_encounter(
    *,
    session: Session,
    principal: Principal | None,
    patient_id: int,
    data: EncounterIn,
    today: date | None = None,
) -> Encounter:
    """A visit, admission or infusion at the user's centre, with weight and height."""
    actor = require_role(principal, *WRITERS)
    patient = get(session=session, principal=actor, patient_id=patient_id, action="add_encounter")
    if data.date > (today or date.today()):
        raise ValidationFailed(
            _("Invalid encounter."), [FieldError("date", N_("is in the future"))]
        )
    if data.date < patient.birth_month:
        raise ValidationFailed(
            _("Invalid encounter."), [FieldError("date", N_("is before the date of birth"))]
        )
    implausible = body_measures(patient.birth_month, data.date, data.weight_kg, data.height_cm)
    if implausible:
        raise ValidationFailed(_("Invalid encounter."), implausible)
    encounter = Encounter(
        patient_id=patient.id,
        centre_id=centre_scope(actor) or patient.centre_id,
        recorded_by=actor.username,
        **data.model_dump(),
    )
    session.add(encounter)
    session.flush()
    return encounter


def latest_weight(patient: Patient) -> float | None:
    """The most recent recorded weight (the dose of weight-based therapies follows it)."""
    weighed = [e for e in patient.encounters if e.weight_kg is not None]
    return max(weighed, key=lambda e: (e.date, e.id)).weight_kg if weighed else None


def latest_weights(*, session: Session, patient_ids: Sequence[int]) -> dict[int, float]:
    """The most recent recorded weight of each patient that has one (bulk :func:`latest_weight`;
    internal, for computations over patients already access-checked or aggregated)."""
    latest: dict[int, tuple[date, int]] = {}
    weights: dict[int, float] = {}
    for chunk in in_chunks(patient_ids):
        for pid, day, eid, kg in session.execute(
            select(Encounter.patient_id, Encounter.date, Encounter.id, Encounter.weight_kg).where(
                Encounter.patient_id.in_(chunk), Encounter.weight_kg.is_not(None)
            )
        ):
            if kg is not None and (pid not in latest or (day, eid) > latest[pid]):
                latest[pid], weights[pid] = (day, eid), kg
    return weights
