"""A small research world: Pompe patients at centres A and B (most consenting to research
reuse, one not), a researcher of a university, a committee member of the ministry."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.config import Settings
from rarecare.jobs import service as jobs
from rarecare.jobs.models import Job
from rarecare.jobs.service import JobContext
from rarecare.knowledge import KnowledgeBase
from rarecare.monitoring import service as monitoring
from rarecare.monitoring.models import OrgKind
from rarecare.monitoring.schemas import OrganisationIn
from rarecare.registry import service as registry
from rarecare.registry.models import Patient
from rarecare.registry.schemas import PhenotypeIn
from rarecare.registry.vault import IdentityVault
from rarecare.research import committee
from rarecare.research.schemas import MemberIn
from tests.conftest import PASSWORD, Cast
from tests.registry.conftest import KEY, register_patient

POMPE = "ORPHA:365"
TRIAD = ("HP:0001638", "HP:0003198", "HP:0001252")  # cardiomyopathy, myopathy, hypotonia
NAMES = (
    "Lê Văn An",
    "Trần Thị Bích",
    "Phạm Văn Cường",
    "Hoàng Thị Dung",
    "Vũ Văn Em",
    "Đỗ Thị Phương",
)


@dataclass
class World:
    cast: Cast
    researcher: Principal
    other_researcher: Principal
    member: Principal  # on the data access committee
    consenting: list[Patient]  # six Pompe patients consenting to research (3 at A, 3 at B)
    refusing: Patient  # a Pompe patient at A who does not consent to reuse
    vault: IdentityVault


def _user(db: Session, username: str, role: Role) -> Principal:
    user = accounts.create_user(
        session=db,
        principal=SYSTEM,
        data=UserIn(username=username, password=PASSWORD, role=role, display_name=username.title()),
    )
    return accounts.principal_for(user)


@pytest.fixture
def world(db: Session, cast: Cast, kb: KnowledgeBase) -> World:
    vault = IdentityVault(KEY)
    for code, kind in (
        ("UNI-HN", OrgKind.ASSOCIATION),
        ("MOH-KCB", OrgKind.MINISTRY_DEPARTMENT),
        ("INTL", OrgKind.INTERNATIONAL),
    ):
        monitoring.create_organisation(
            session=db,
            principal=cast.admin,
            data=OrganisationIn(code=code, name=code.title(), kind=kind),
        )
    researcher = _user(db, "researcher.a", Role.RESEARCHER)
    other = _user(db, "researcher.b", Role.RESEARCHER)
    member = _user(db, "dac.member", Role.COMMITTEE)
    committee.add_member(
        session=db,
        principal=cast.admin,
        data=MemberIn(username="dac.member", organisation_code="MOH-KCB"),
    )
    consenting = []
    for i, name in enumerate(NAMES):
        who = "clinician_a" if i < 3 else "clinician_b"
        patient = register_patient(
            db,
            cast,
            kb,
            vault,
            who=who,
            full_name=name,
            national_id=f"00132101234{i}",
            insurance_number=f"TE101012345678{i}",
            orpha_code=POMPE,
            diagnostic_status="confirmed",
            diagnosis_kind="date",
            diagnosis_date="2023-05-02",
            sex="female" if i % 2 else "male",
        )
        for term in TRIAD:
            registry.add_phenotype(
                session=db,
                principal=getattr(cast, who),
                kb=kb,
                patient_id=patient.id,
                data=PhenotypeIn(hpo_id=term),
            )
        consenting.append(patient)
    refusing = register_patient(
        db,
        cast,
        kb,
        vault,
        full_name="Bùi Văn Giang",
        national_id="001321099999",
        insurance_number="TE1010999999999",
        orpha_code=POMPE,
        diagnostic_status="confirmed",
        consent_reuse=False,
        contact_for_research=False,
    )
    registry.add_phenotype(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        patient_id=refusing.id,
        data=PhenotypeIn(hpo_id=TRIAD[0]),
    )
    return World(cast, researcher, other, member, consenting, refusing, vault)


def context_for(
    db: Session, settings: Settings, job: Job, reports: list[tuple[int, int | None]]
) -> JobContext:
    """A job's context whose sessions join the test's transaction (rolled back after it)."""
    sessions = sessionmaker(bind=db.connection(), join_transaction_mode="create_savepoint")
    return JobContext(
        job.id,
        dict(job.params),
        jobs.principal_of(job),
        sessions,
        lambda done, total: reports.append((done, total)),
        settings,
    )


@pytest.fixture
def inline_jobs(app: FastAPI, db: Session, settings: Settings) -> list[tuple[int, int | None]]:
    """The app's jobs run at once, inside the test's transaction (a job process would not see
    its uncommitted rows); returns the progress they reported."""
    runner = app.state.jobs
    reports: list[tuple[int, int | None]] = []

    def start(job_id: int) -> None:
        job = db.get(Job, job_id)
        assert job is not None
        status, result, error = jobs.execute(
            runner.functions[job.kind], context_for(db, settings, job, reports)
        )
        job.status, job.result, job.error = status, result, error
        db.flush()

    runner.start = start
    return reports
