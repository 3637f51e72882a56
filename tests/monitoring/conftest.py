from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Principal, Role
from rarecare.accounts import service as accounts
from rarecare.accounts.schemas import UserIn
from rarecare.monitoring import service
from rarecare.monitoring.models import Activity, OrgKind, Plan
from rarecare.monitoring.schemas import ActivityIn, OrganisationIn, PlanIn
from rarecare.outputs import OutputKind
from tests.conftest import PASSWORD, Cast

TODAY = date(2026, 5, 15)


@dataclass
class PlanWorld:
    cast: Cast
    committee: Principal
    plan: Plan
    led_by_a: Activity  # led by centre A's hospital
    led_by_b: Activity  # led by centre B's hospital
    list_activity: Activity  # must produce the national disease list


@pytest.fixture
def world(db: Session, cast: Cast) -> PlanWorld:
    secretary = accounts.principal_for(
        accounts.create_user(
            session=db,
            principal=SYSTEM,
            data=UserIn(username="secretary", password=PASSWORD, role=Role.COMMITTEE),
        )
    )
    for code, kind, centre in (
        ("MSA", OrgKind.MINISTRY_DEPARTMENT, None),
        ("HOSP-A", OrgKind.HOSPITAL, "CENTRE-A"),
        ("HOSP-B", OrgKind.HOSPITAL, "CENTRE-B"),
    ):
        service.create_organisation(
            session=db,
            principal=secretary,
            data=OrganisationIn(code=code, name=f"Tổ chức {code}", kind=kind, centre_code=centre),
        )
    plan = service.create_plan(
        session=db,
        principal=secretary,
        data=PlanIn(
            code="NAP",
            title="Kế hoạch hành động quốc gia về quản lý bệnh hiếm",
            decision_number="2885/QĐ-BYT",
            decision_date=date(2025, 9, 12),
            issuing_body="Bộ Y tế",
            period_start=date(2025, 9, 12),
            period_end=date(2026, 12, 31),
        ),
    )
    objective = service.add_objective(
        session=db, principal=secretary, plan_id=plan.id, title="Quản lý bệnh hiếm"
    )
    task = service.add_task(
        session=db, principal=secretary, objective_id=objective.id, code="2", title="Danh mục"
    )

    def activity(code: str, lead: str, **kw: object) -> Activity:
        return service.create_activity(
            session=db,
            principal=secretary,
            data=ActivityIn.model_validate(
                {
                    "task_id": task.id,
                    "code": code,
                    "title": f"Hoạt động {code}",
                    "lead_code": lead,
                    "start_date": date(2025, 10, 1),
                    "deadline": date(2026, 6, 30),
                    **kw,
                }
            ),
        )

    return PlanWorld(
        cast=cast,
        committee=secretary,
        plan=plan,
        led_by_a=activity("2.2", "HOSP-A", status="on_track", percent_done=40),
        led_by_b=activity("2.3", "HOSP-B", deadline=date(2026, 3, 31), status="on_track"),
        list_activity=activity("2.1", "MSA", output_kind=OutputKind.DISEASE_LIST.value),
    )
