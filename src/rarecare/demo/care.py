"""Demo care data: centre capabilities, coverage rules, stock, a few named therapy cases and
therapy plans (with a history of doses) for synthetic patients who have a treatable disease.

Everything goes through the services (scoped, validated, audited) and is idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.care import logistics, therapy
from rarecare.care.models import TherapyPlan
from rarecare.care.schemas import AdministrationIn, PlanIn, StockIn
from rarecare.centres import service as centre_service
from rarecare.centres.models import Centre
from rarecare.centres.schemas import CentreCareIn
from rarecare.errors import RareCareError
from rarecare.finance import service as finance
from rarecare.finance.coverage import demo_rules
from rarecare.finance.schemas import RuleSetIn
from rarecare.geo import get_province, great_circle_km
from rarecare.knowledge import KnowledgeBase
from rarecare.lists.models import DrugEntry
from rarecare.registry import service as registry
from rarecare.registry.models import DiagnosticStatus, Patient, VitalStatus
from rarecare.registry.schemas import EncounterIn, IdentityIn, PatientIn
from rarecare.registry.vault import IdentityVault

ERT = ["alglucosidase alfa", "laronidase", "idursulfase", "galsulfase", "imiglucerase"]
# Illustrative capabilities: national and regional hospitals give enzyme therapies today.
CAPABILITIES: dict[str, CentreCareIn] = {
    "NCH": CentreCareIn(
        therapies=[*ERT, "elosulfase alfa", "nusinersen", "sapropterin"],
        chairs=10,
        opening_days="1111110",
        vial_sharing=True,
        contact="Khoa Nội tiết - Chuyển hóa - Di truyền, 18/879 La Thành, Hà Nội",
    ),
    "BACHMAI": CentreCareIn(
        therapies=["agalsidase beta", "imiglucerase", "alglucosidase alfa"],
        chairs=6,
        contact="Trung tâm Y học hạt nhân và Ung bướu, 78 Giải Phóng, Hà Nội",
    ),
    "CH1": CentreCareIn(
        therapies=[*ERT, "nusinersen", "sapropterin"],
        chairs=6,
        opening_days="1111110",
        vial_sharing=True,
        contact="341 Sư Vạn Hạnh, Quận 10, TP Hồ Chí Minh",
    ),
    "CH2": CentreCareIn(
        therapies=["alglucosidase alfa", "imiglucerase", "sapropterin"],
        chairs=4,
        contact="14 Lý Tự Trọng, Quận 1, TP Hồ Chí Minh",
    ),
    "HUECH": CentreCareIn(
        therapies=["alglucosidase alfa", "imiglucerase"],
        chairs=3,
        contact="16 Lê Lợi, TP Huế",
    ),
    "HPCH": CentreCareIn(chairs=2, contact="Hải Phòng"),
    "NASN": CentreCareIn(chairs=2, contact="Nghệ An"),
    "DNWC": CentreCareIn(chairs=3, contact="Đà Nẵng"),
    "CTCH": CentreCareIn(chairs=2, contact="Cần Thơ"),
}
STOCK: dict[tuple[str, str], int] = {
    ("NCH", "alglucosidase alfa"): 240,
    ("NCH", "idursulfase"): 20,
    ("CH1", "alglucosidase alfa"): 60,
    ("CH1", "imiglucerase"): 30,
}
# Named demo cases (fictitious people)
CASES = (
    # (name, birth, sex, province, centre, orpha, weight, drug or None, weeks on therapy)
    ("Nguyễn Minh Khôi", date(2025, 9, 14), "male", "01", "NCH", "ORPHA:365", 8.5, None, 0),
    (
        "Trần Bảo Ngọc",
        date(2021, 3, 2),
        "female",
        "08",
        "NCH",
        "ORPHA:365",
        15.0,
        "alglucosidase alfa",
        30,
    ),
    ("Lê Gia Huy", date(2016, 6, 20), "male", "48", "CH1", "ORPHA:580", 24.0, "idursulfase", 20),
)


def seed(
    *,
    session: Session,
    kb: KnowledgeBase,
    vault: IdentityVault,
    today: date | None = None,
    seed_value: int = 2025,
    with_patients: bool = True,
) -> dict[str, int]:
    """Everything of the care demo that is missing; returns what was added. Without
    ``with_patients`` only centres, rules and stock (no named cases, no plans)."""
    now = today or date.today()
    added = {"centre capabilities": 0, "coverage rules": 0, "stock": 0, "therapy plans": 0}
    centres = {c.code: c for c in centre_service.list_centres(session=session)}
    for code, capability in CAPABILITIES.items():
        centre = centres.get(code)
        if centre is not None and not centre.therapies and centre.chairs == 0:
            centre_service.update_care(
                session=session, principal=SYSTEM, centre_id=centre.id, data=capability
            )
            added["centre capabilities"] += 1
    if not finance.rule_versions(session=session):
        finance.publish_rules(
            session=session,
            principal=SYSTEM,
            data=RuleSetIn(
                effective_from=date(2025, 7, 1),
                rules=demo_rules(),
                note="Demo rules (illustrative).",
            ),
        )
        added["coverage rules"] += 1
    for (code, drug), on_hand in STOCK.items():
        if code in centres and not logistics.stock_of(
            session=session, centre_id=centres[code].id, drug=drug
        ):
            logistics.set_stock(
                session=session,
                principal=SYSTEM,
                centre_id=centres[code].id,
                data=StockIn(drug=drug, on_hand=on_hand),
            )
            added["stock"] += 1
    if with_patients and session.scalar(select(TherapyPlan.id).limit(1)) is None:
        plans, named = _cases(session, kb, vault, centres, now)
        rng = random.Random(seed_value)  # noqa: S311 (demo data)
        added["therapy plans"] = plans + _synthetic(session, centres, now, rng, skip=named)
    return added


def _actor(centre: Centre) -> Principal:
    return Principal(user_id=0, username="demo-data", role=Role.CLINICIAN, centre_id=centre.id)


def _history(
    session: Session,
    actor: Principal,
    plan: TherapyPlan,
    entry: DrugEntry | None,
    now: date,
    rng: random.Random,
    *,
    skip_last: bool = False,
) -> None:
    """Doses given from the start until today, mostly on time, a few late or missed."""
    day, k = plan.start_date, 0
    spec = therapy.spec_of(plan, "", (), entry)
    while day < now - timedelta(days=1):
        if rng.random() > 0.06:  # a few doses are missed
            given = day + timedelta(days=rng.choice([0, 0, 0, 0, 1, 2, 5]))
            if given < now:
                therapy.record_administration(
                    session=session,
                    principal=actor,
                    plan_id=plan.id,
                    data=AdministrationIn(given_on=given, lot=f"LOT{given:%y%m}"),
                    today=now,
                )
        k += 1
        day = plan.start_date + timedelta(days=spec.offset(k))
        if skip_last and day + timedelta(days=spec.interval_days) >= now:
            break


def _cases(
    session: Session,
    kb: KnowledgeBase,
    vault: IdentityVault,
    centres: dict[str, Centre],
    now: date,
) -> tuple[int, set[int]]:
    """The named cases; the first has no plan yet (for a clinician to create one)."""
    plans, named = 0, set[int]()
    rng = random.Random(7)  # noqa: S311 (demo data)
    drugs = therapy.current_drugs(session=session)
    for number, (name, born, sex, province, code, orpha, weight, drug, weeks) in enumerate(CASES):
        centre = centres.get(code)
        if centre is None:
            continue
        actor = _actor(centre)
        patient = registry.register(
            session=session,
            principal=actor,
            kb=kb,
            vault=vault,
            data=PatientIn(
                identity=IdentityIn(
                    full_name=name, birth_date=born, national_id=f"0019{number:08d}"
                ),
                sex=sex,
                diagnostic_status=DiagnosticStatus.CONFIRMED,
                orpha_code=orpha,
                contact_for_research=True,
                consent_reuse=True,
                province_code=province,
                diagnosis_date=now - timedelta(weeks=weeks + 4),
            ),
        )
        named.add(patient.id)
        registry.add_encounter(
            session=session,
            principal=actor,
            patient_id=patient.id,
            data=EncounterIn(date=now - timedelta(weeks=weeks + 1), kind="visit", weight_kg=weight),
            today=now,
        )
        if drug is None:
            continue
        plan = therapy.create_plan(
            session=session,
            principal=actor,
            patient_id=patient.id,
            data=PlanIn(drug=drug, start_date=now - timedelta(weeks=weeks)),
            today=now,
        )
        # the last dose is missed
        _history(session, actor, plan, drugs.get(plan.drug), now, rng, skip_last=True)
        plans += 1
    return plans, named


def _synthetic(
    session: Session,
    centres: dict[str, Centre],
    now: date,
    rng: random.Random,
    *,
    skip: set[int],
) -> int:
    """Plans for diagnosed synthetic patients who have a disease treated by a listed drug, at
    the nearest centre that gives it (the patient is referred there)."""
    drugs = therapy.current_drugs(session=session)
    by_indication: dict[str, str] = {}
    for inn, entry in sorted(drugs.items()):
        for orpha in entry.indications:
            by_indication.setdefault(orpha, inn)
    patients = session.scalars(
        select(Patient)
        .where(
            Patient.orpha_code.in_(list(by_indication)),
            Patient.vital_status == VitalStatus.ALIVE,
            Patient.diagnostic_status == DiagnosticStatus.CONFIRMED,
        )
        .order_by(Patient.id)
    ).all()
    plans = 0
    for patient in patients:
        if patient.id in skip:
            continue
        drug = by_indication[patient.orpha_code or ""]
        capable = [c for c in centres.values() if drug in c.therapies]
        home = get_province(patient.province_code)
        if not capable or home is None:
            continue

        def km(c: Centre, lat: float = home.lat, lon: float = home.lon) -> float:
            p = get_province(c.province_code)
            return great_circle_km(lat, lon, p.lat, p.lon) if p else 1e9

        centre = min(capable, key=km)
        registrar = Principal(
            user_id=0, username="demo-data", role=Role.DATA_MANAGER, centre_id=patient.centre_id
        )
        try:
            if centre.id != patient.centre_id:
                registry.share_with(
                    session=session,
                    principal=registrar,
                    patient_id=patient.id,
                    centre_code=centre.code,
                )
            actor = _actor(centre)
            age = max(0.5, (now - patient.birth_month).days / 365.25)
            weight = round(min(70.0, 3.5 + 2.6 * age if age < 12 else 30 + 2.5 * (age - 12)), 1)
            weeks = rng.randint(4, 80)
            plan = therapy.create_plan(
                session=session,
                principal=actor,
                patient_id=patient.id,
                data=PlanIn(drug=drug, start_date=now - timedelta(weeks=weeks), weight_kg=weight),
                today=now,
            )
            _history(
                session, actor, plan, drugs.get(plan.drug), now, rng, skip_last=rng.random() < 0.1
            )
            plans += 1
        except RareCareError:
            continue
    return plans
