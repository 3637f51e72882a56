"""Loads the demonstration data idempotently (running it twice changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.centres import service as centre_service
from rarecare.centres.models import Centre, CentreLevel
from rarecare.centres.schemas import CentreIn
from rarecare.errors import RareCareError
from rarecare.geo import current_provinces, get_province, great_circle_km
from rarecare.knowledge import KnowledgeBase
from rarecare.lists import service as lists
from rarecare.lists.models import ListKind, ListVersion
from rarecare.lists.schemas import VersionIn
from rarecare.monitoring import demo as monitoring_demo
from rarecare.portal import demo as portal_demo
from rarecare.registry.synthetic import SyntheticPatient
from rarecare.registry.vault import IdentityVault
from rarecare.research import demo as research_demo

# Real hospitals that treat rare diseases in Vietnam (codes are RareCare's own).
DEMO_CENTRES: tuple[CentreIn, ...] = (
    CentreIn(
        code="NCH",
        name="Bệnh viện Nhi Trung ương",
        name_en="Vietnam National Children's Hospital",
        level=CentreLevel.NATIONAL,
        province_code="01",
    ),
    CentreIn(
        code="BACHMAI",
        name="Bệnh viện Bạch Mai",
        name_en="Bach Mai Hospital",
        level=CentreLevel.NATIONAL,
        province_code="01",
    ),
    CentreIn(
        code="CH1",
        name="Bệnh viện Nhi Đồng 1",
        name_en="Children's Hospital 1",
        level=CentreLevel.REGIONAL,
        province_code="79",
    ),
    CentreIn(
        code="CH2",
        name="Bệnh viện Nhi Đồng 2",
        name_en="Children's Hospital 2",
        level=CentreLevel.REGIONAL,
        province_code="79",
    ),
    CentreIn(
        code="HUECH",
        name="Bệnh viện Trung ương Huế",
        name_en="Hue Central Hospital",
        level=CentreLevel.REGIONAL,
        province_code="46",
    ),
    CentreIn(
        code="HPCH",
        name="Bệnh viện Trẻ em Hải Phòng",
        name_en="Hai Phong Children's Hospital",
        level=CentreLevel.PROVINCIAL,
        province_code="31",
    ),
    CentreIn(
        code="NASN",
        name="Bệnh viện Sản Nhi Nghệ An",
        name_en="Nghe An Obstetrics and Paediatrics Hospital",
        level=CentreLevel.PROVINCIAL,
        province_code="40",
    ),
    CentreIn(
        code="DNWC",
        name="Bệnh viện Phụ sản - Nhi Đà Nẵng",
        name_en="Da Nang Hospital for Women and Children",
        level=CentreLevel.PROVINCIAL,
        province_code="48",
    ),
    CentreIn(
        code="CTCH",
        name="Bệnh viện Nhi đồng Cần Thơ",
        name_en="Can Tho Children's Hospital",
        level=CentreLevel.PROVINCIAL,
        province_code="92",
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    centre_code: str | None
    display_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", "demo-admin-2025", Role.ADMIN, None, "Quản trị hệ thống"),
    DemoLogin("analyst", "demo-analyst-2025", Role.MINISTRY, None, "Chuyên viên Bộ Y tế"),
    DemoLogin("dr.an", "demo-clinician-2025", Role.CLINICIAN, "NCH", "BS. Nguyễn Văn An"),
    DemoLogin("dr.binh", "demo-clinician-2025", Role.CLINICIAN, "CH1", "BS. Trần Thị Bình"),
    DemoLogin("dr.cuong", "demo-clinician-2025", Role.CLINICIAN, "NASN", "BS. Phạm Văn Cường"),
    DemoLogin("data.an", "demo-datamgr-2025", Role.DATA_MANAGER, "NCH", "Lê Thu Hà"),
    DemoLogin("committee", "demo-committee-2025", Role.COMMITTEE, None, "Thư ký Ban chỉ đạo"),
    DemoLogin("researcher", "demo-research-2025", Role.RESEARCHER, None, "TS. Đặng Minh Khoa"),
)


DEMO_NOTE = (
    "Demonstration data written for RareCare, not an official list of the Ministry of Health."
)


def _demo_file(name: str) -> bytes:
    return (resources.files("rarecare.demo") / "data" / name).read_bytes()


def load_lists(session: Session, kb: KnowledgeBase) -> int:
    """Two versions of the disease list (the first superseded, so there is a diff to see) and
    one of the drug list, all approved and labelled as demonstrations."""
    if session.scalar(select(ListVersion.id).where(ListVersion.is_demo)) is not None:
        return 0
    diseases = _demo_file("disease_list.csv")
    lines = diseases.decode("utf-8").splitlines(keepends=True)
    first = "".join(lines[:91]).encode("utf-8")  # header + 90 diseases
    versions = [
        (
            ListKind.DISEASES,
            first,
            VersionIn(
                title="Danh mục bệnh hiếm (minh họa) – bản 1",
                decision_number="DEMO-01/QĐ-BYT",
                decision_date=date(2025, 3, 1),
                effective_from=date(2025, 4, 1),
                note=DEMO_NOTE,
                is_demo=True,
            ),
        ),
        (
            ListKind.DISEASES,
            diseases,
            VersionIn(
                title="Danh mục bệnh hiếm (minh họa) – bản 2",
                decision_number="DEMO-02/QĐ-BYT",
                decision_date=date(2025, 9, 1),
                effective_from=date(2025, 10, 1),
                note=DEMO_NOTE,
                is_demo=True,
            ),
        ),
        (
            ListKind.DRUGS,
            _demo_file("drug_list.csv"),
            VersionIn(
                title="Danh mục thuốc hiếm (minh họa)",
                decision_number="DEMO-03/QĐ-BYT",
                decision_date=date(2025, 9, 1),
                effective_from=date(2025, 10, 1),
                note=DEMO_NOTE + " Prices are illustrative.",
                is_demo=True,
            ),
        ),
    ]
    for kind, content, meta in versions:
        version = lists.create_version(session=session, principal=SYSTEM, kind=kind, data=meta)
        lists.import_file(
            session=session,
            principal=SYSTEM,
            kb=kb,
            version_id=version.id,
            content=content,
            filename=f"demo-{kind.value}.csv",
        )
        lists.approve(session=session, principal=SYSTEM, version_id=version.id)
    return len(versions)


def load(*, session: Session, kb: KnowledgeBase) -> dict[str, int]:
    """Create whatever demo centres, users and lists are missing; returns what was added."""
    added = {"centres": 0, "users": 0, "list versions": 0}
    existing = set(session.scalars(select(Centre.code)))
    for centre in DEMO_CENTRES:
        if centre.code not in existing:
            centre_service.create_centre(session=session, principal=SYSTEM, data=centre)
            added["centres"] += 1
    for login in DEMO_LOGINS:
        if accounts.get_user_by_username(session=session, username=login.username) is None:
            user = accounts.create_user(
                session=session,
                principal=SYSTEM,
                data=UserIn(
                    username=login.username,
                    password=login.password,
                    role=login.role,
                    centre_code=login.centre_code,
                    display_name=login.display_name,
                ),
            )
            user.is_demo = True  # its password is published: refused outside demo mode
            added["users"] += 1
    added["list versions"] = load_lists(session, kb)
    demo_list = session.scalar(
        select(ListVersion.id).where(ListVersion.is_demo, ListVersion.kind == ListKind.DISEASES)
    )
    added |= monitoring_demo.load(session=session, disease_list_id=demo_list)
    added |= portal_demo.load(session=session)
    added |= research_demo.load(session=session)
    return added


def generate_patients(
    *,
    session: Session,
    kb: KnowledgeBase,
    vault: IdentityVault,
    n: int,
    seed: int = 2025,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Register ``n`` synthetic patients (see ``rarecare.registry.synthetic``) at the demo centre
    nearest to their province, through the registry service (encrypted, audited)."""
    from rarecare.registry import service as registry
    from rarecare.registry.schemas import PatientIn, PhenotypeIn
    from rarecare.registry.synthetic import generate

    version = lists.current_version(session=session, kind=ListKind.DISEASES)
    codes = [e.orpha_code for e in version.disease_entries] if version else []
    centres = centre_service.list_centres(session=session)
    if not codes or not centres:
        raise ValueError("load the demo data first (rarecare demo load)")
    nearest = {p.code: _nearest_centres(p.code, centres) for p in current_provinces()}
    counts = {"patients": 0, "duplicates": 0}
    for synthetic in generate(kb, codes, n, seed=seed):
        centre = _choose(nearest[str(synthetic.record["province_code"])], synthetic)
        actor = Principal(
            user_id=0, username="demo-data", role=Role.DATA_MANAGER, centre_id=centre.id
        )
        data = PatientIn.model_validate({**synthetic.record, "identity": synthetic.identity})
        try:
            patient = registry.register(
                session=session, principal=actor, kb=kb, vault=vault, data=data
            )
        except RareCareError:
            counts["duplicates"] += 1
            continue
        for term in synthetic.observed:
            registry.add_phenotype(
                session=session,
                principal=actor,
                kb=kb,
                patient_id=patient.id,
                data=PhenotypeIn(hpo_id=term),
            )
        for term in synthetic.excluded:
            registry.add_phenotype(
                session=session,
                principal=actor,
                kb=kb,
                patient_id=patient.id,
                data=PhenotypeIn(hpo_id=term, excluded=True),
            )
        _backdate(session, patient)
        counts["patients"] += 1
        if progress:
            progress(1)
    return counts


def _backdate(session: Session, patient: Any) -> None:
    """A synthetic record is registered soon after its first specialist contact (not all on
    the day the demo is loaded), so that indicators have trends over the quarters."""
    from rarecare.registry.models import Patient

    contact = patient.first_contact_date
    if contact is None:
        return
    day = min(contact + timedelta(days=patient.id % 60), date.today())
    moment = datetime.combine(day, time(9, 0), tzinfo=UTC)
    session.execute(
        update(Patient)
        .where(Patient.id == patient.id)
        .values(created_at=moment, updated_at=moment)
        .execution_options(synchronize_session=False)
    )


def _nearest_centres(province_code: str, centres: list[Centre]) -> list[Centre]:
    """The centres closest to a province (several when they are in the same city)."""
    home = get_province(province_code)
    assert home is not None

    def distance(centre: Centre) -> float:
        where = get_province(centre.province_code)
        return great_circle_km(home.lat, home.lon, where.lat, where.lon) if where else 1e9

    best = min(distance(c) for c in centres)
    return [c for c in centres if distance(c) <= best + 1.0]


def _choose(centres: list[Centre], patient: SyntheticPatient) -> Centre:
    """Children go to a children's hospital when one is as close; ties are spread evenly."""
    born = patient.identity["birth_date"]
    child = isinstance(born, date) and (date.today() - born).days < 16 * 365
    paediatric = [c for c in centres if "Children" in c.name_en]
    pool = (paediatric if child else [c for c in centres if c not in paediatric]) or centres
    return pool[sum(map(ord, str(patient.identity["national_id"]))) % len(pool)]


def registry_is_empty(*, session: Session) -> bool:
    from rarecare.registry.models import Patient

    return session.scalar(select(Patient.id).limit(1)) is None
