"""Demonstration data of the care network: two laboratories and their tests, designations of
centres of expertise and a few (fictional) experts, an expanded newborn screening programme
with a few hundred synthetic screening results, and referrals between demo centres — one
unanswered for ten days, one accepted. Idempotent."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role
from rarecare.centres import service as centres
from rarecare.centres.models import Centre, CentreLevel
from rarecare.centres.schemas import DesignationIn, ExpertIn
from rarecare.knowledge import KnowledgeBase
from rarecare.network import labs, referrals, screening, screening_import
from rarecare.network.models import Laboratory, TestKind
from rarecare.network.schemas import LaboratoryIn, LabTestIn, ProgrammeIn, ReferralIn
from rarecare.registry.models import DiagnosticStatus, Patient
from rarecare.registry.vault import IdentityVault

ADMIN = Principal(user_id=0, username="demo-data", role=Role.ADMIN, display_name="Demo")

LABORATORIES = (
    LaboratoryIn(
        code="LAB-NCH",
        name="Khoa Di truyền và Sinh học phân tử, Bệnh viện Nhi Trung ương",
        province_code="01",
        centre_code="NCH",
        contact="demo: xet-nghiem@example.vn",
    ),
    LaboratoryIn(
        code="LAB-GEN",
        name="Phòng xét nghiệm gen (demo)",
        province_code="79",
        centre_code="CH1",
    ),
)
TESTS = (
    LabTestIn(
        laboratory_code="LAB-NCH",
        code="GAA-DBS",
        name="Hoạt độ enzym GAA trên giọt máu khô",
        kind=TestKind.ENZYME_ASSAY,
        orpha_codes=["ORPHA:365"],
        sample_type="giọt máu khô",
        turnaround_days=14,
        price_vnd=1_200_000,
        insurance_covered=True,
    ),
    LabTestIn(
        laboratory_code="LAB-NCH",
        code="MPS-ENZ",
        name="Bộ enzym bệnh MPS (IDUA, IDS, ARSB)",
        kind=TestKind.ENZYME_ASSAY,
        orpha_codes=["ORPHA:579", "ORPHA:580", "ORPHA:583"],
        sample_type="giọt máu khô",
        turnaround_days=21,
        price_vnd=2_500_000,
        insurance_covered=True,
    ),
    LabTestIn(
        laboratory_code="LAB-NCH",
        code="NBS-MSMS",
        name="Sàng lọc sơ sinh mở rộng (khối phổ kép)",
        kind=TestKind.BIOCHEMICAL,
        orpha_codes=["ORPHA:716", "ORPHA:511", "ORPHA:882", "ORPHA:293355", "ORPHA:35"],
        sample_type="giọt máu khô",
        turnaround_days=7,
        price_vnd=500_000,
    ),
    LabTestIn(
        laboratory_code="LAB-GEN",
        code="EXOME",
        name="Giải trình tự exome",
        kind=TestKind.EXOME,
        orpha_codes=[],
        sample_type="máu EDTA",
        turnaround_days=45,
        price_vnd=9_000_000,
    ),
    LabTestIn(
        laboratory_code="LAB-GEN",
        code="SMN1",
        name="Xét nghiệm mất đoạn gen SMN1",
        kind=TestKind.SINGLE_GENE,
        orpha_codes=["ORPHA:70"],
        sample_type="máu EDTA",
        turnaround_days=10,
        price_vnd=1_800_000,
        insurance_covered=True,
    ),
)
DESIGNATIONS = {
    "NCH": DesignationIn(
        decision="Quyết định (demo) 1/QĐ-BYT",
        level=CentreLevel.NATIONAL,
        groups=["ORPHA:68367", "ORPHA:98006"],
        valid_from=date(2025, 7, 1),
        valid_until=date(2030, 6, 30),
    ),
    "CH1": DesignationIn(
        decision="Quyết định (demo) 2/QĐ-BYT",
        level=CentreLevel.REGIONAL,
        groups=["ORPHA:68367"],
        valid_from=date(2025, 7, 1),
        valid_until=date(2030, 6, 30),
    ),
}
EXPERTS = {
    "NCH": (
        ExpertIn(name="BS. Demo Nguyễn Minh", specialty="Di truyền, bệnh chuyển hoá", note="demo"),
        ExpertIn(name="BS. Demo Trần Hà", specialty="Thần kinh nhi", note="demo"),
    ),
    "CH1": (ExpertIn(name="BS. Demo Lê Phúc", specialty="Bệnh chuyển hoá", note="demo"),),
}
SPECIALTIES = {
    "NCH": ["bệnh chuyển hoá bẩm sinh", "di truyền", "thần kinh nhi", "sàng lọc sơ sinh"],
    "CH1": ["bệnh chuyển hoá bẩm sinh", "thần kinh nhi"],
}


def seed(
    *, session: Session, kb: KnowledgeBase, vault: IdentityVault, today: date | None = None
) -> dict[str, int]:
    if session.scalar(select(Laboratory.id).where(Laboratory.code == "LAB-NCH")) is not None:
        return {}
    now = today or date.today()
    existing = {c.code: c for c in centres.list_centres(session=session)}
    added = {"laboratory tests": 0, "designations": 0, "screening records": 0, "referrals": 0}
    for lab in LABORATORIES:
        if lab.centre_code in existing or lab.centre_code is None:
            labs.add_laboratory(session=session, principal=ADMIN, data=lab)
    for test in TESTS:
        labs.add_test(session=session, principal=ADMIN, kb=kb, data=test)
        added["laboratory tests"] += 1
    for code, designation in DESIGNATIONS.items():
        if code in existing:
            centres.add_designation(
                session=session,
                principal=ADMIN,
                kb=kb,
                centre_id=existing[code].id,
                data=designation,
            )
            existing[code].specialties = SPECIALTIES[code]
            for expert in EXPERTS[code]:
                centres.add_expert(
                    session=session, principal=ADMIN, centre_id=existing[code].id, data=expert
                )
            added["designations"] += 1
    flagged = sorted(screening.screenable(session=session))
    if flagged:
        screening.add_programme(
            session=session,
            principal=ADMIN,
            kb=kb,
            data=ProgrammeIn(
                code="NBS-MR",
                name="Sàng lọc sơ sinh mở rộng",
                orpha_codes=flagged[:12],
                test_code="NBS-MSMS",
                started_on=date(now.year, 1, 1),
            ),
        )
        added["screening records"] = _screening(session, vault, now)
    added["referrals"] = _referrals(session, kb, existing)
    return added


def _screening(session: Session, vault: IdentityVault, now: date, n: int = 400) -> int:
    rng = random.Random(20260101)  # noqa: S311 - demo data, not secrets
    provinces = ["01", "01", "79", "79", "31", "40", "48", "92", "46", "04"]
    rows: list[screening_import.Row] = []
    for i in range(n):
        born = now - timedelta(days=rng.randint(3, 300))
        sampled = born + timedelta(days=rng.choice((2, 2, 3)))
        result = rng.choices(
            ("normal", "positive", "inconclusive", "invalid_sample"), (0.975, 0.01, 0.01, 0.005)
        )[0]
        resulted = min(now, sampled + timedelta(days=rng.randint(4, 9)))
        rows.append(
            (
                i + 2,
                [
                    f"NBS-DEMO-{i + 1:06d}",
                    "NBS-MR",
                    "LAB-NCH",
                    "",
                    f"Người mẹ demo {i + 1}",
                    born.isoformat(),
                    rng.choice(("female", "male")),
                    rng.choice(provinces),
                    "",
                    "",
                    sampled.isoformat(),
                    resulted.isoformat(),
                    result,
                    "Phe 420 µmol/L" if result == "positive" else "",
                ],
            )
        )
    actor = Principal(user_id=0, username="demo-data", role=Role.DATA_MANAGER)
    report = screening_import.load(
        session=session, actor=actor, vault=vault, rows=rows, source="demo", today=now
    )
    return int(report["written"])


def _referrals(session: Session, kb: KnowledgeBase, existing: dict[str, Centre]) -> int:
    """Two suspected patients of provincial centres referred to the national children's
    hospital: one waiting for an answer for ten days, one accepted."""
    nch = existing.get("NCH")
    if nch is None:
        return 0
    provincial = [c.id for c in existing.values() if c.level is CentreLevel.PROVINCIAL]
    suspects = list(
        session.scalars(
            select(Patient)
            .where(
                Patient.centre_id.in_(provincial),
                Patient.diagnostic_status == DiagnosticStatus.SUSPECTED,
            )
            .order_by(Patient.id)
            .limit(2)
        )
    )
    made = 0
    for i, patient in enumerate(suspects):
        sender = Principal(
            user_id=0, username="demo-data", role=Role.CLINICIAN, centre_id=patient.centre_id
        )
        referral = referrals.send(
            session=session,
            principal=sender,
            kb=kb,
            engine=None,
            patient_id=patient.id,
            data=ReferralIn(
                to_centre_code="NCH",
                reason="Nghi ngờ bệnh hiếm, đề nghị khám và xét nghiệm chẩn đoán (demo).",
                suspected=[patient.orpha_code]
                if patient.orpha_code and patient.orpha_code != "ORPHA:616874"
                else [],
            ),
        )
        if i == 0:
            referral.sent_at = datetime.now(UTC) - timedelta(days=10)
        else:
            receiver = Principal(
                user_id=0,
                username="demo-data",
                role=Role.CLINICIAN,
                centre_id=nch.id,
            )
            referrals.accept(session=session, principal=receiver, referral_id=referral.id)
        made += 1
    session.flush()
    return made
