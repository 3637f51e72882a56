"""The action plan: organisations, plans (objectives → key tasks → activities), changes kept as
history and audited, evidence, linked outputs that complete their activity when approved, and
the plan's status.

Who does what (enforced here, nowhere else): the steering committee and administrators edit
everything; ministry analysts read everything; centre staff see and update (status, % done,
comment, evidence) only the activities their own organisation leads — another activity is
"not found" to them."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from rarecare.access import CENTRE_ROLES, Principal, Role, require_authenticated, require_role
from rarecare.audit import service as audit
from rarecare.centres import service as centres
from rarecare.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.monitoring.models import (
    CLOSED,
    Activity,
    ActivityChange,
    ActivityStatus,
    Evidence,
    Objective,
    Organisation,
    Plan,
    Task,
    as_text,
)
from rarecare.monitoring.schemas import (
    ActivityChangeIn,
    ActivityIn,
    OrganisationIn,
    PlanIn,
    PlanStatusOut,
    TaskProgress,
)
from rarecare.outputs import OUTPUT_LABELS, OUTPUT_PATHS, OutputKind, on_approved
from rarecare.storage.versioning import check_version

EDITORS = (Role.COMMITTEE, Role.ADMIN)
READERS = (Role.COMMITTEE, Role.ADMIN, Role.MINISTRY)
# what centre staff may change of an activity their organisation leads
CENTRE_FIELDS = frozenset({"status", "percent_done", "comment"})
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {
    b"%PDF-": ".pdf",
    b"PK\x03\x04": ".zip",  # XLSX, DOCX (Office Open XML)
    b"\x89PNG": ".png",
    b"\xff\xd8\xff": ".jpg",
}
_SAFE_NAME = re.compile(r"[^\w.\- ]+")


# ------------------------------------------------------------------------ organisations
def create_organisation(
    *, session: Session, principal: Principal | None, data: OrganisationIn
) -> Organisation:
    actor = require_role(principal, *EDITORS)
    if session.scalar(select(Organisation.id).where(Organisation.code == data.code)):
        raise ValidationFailed(
            _("Invalid organisation."),
            [FieldError("code", N_("%(code)s is already in use"), params={"code": data.code})],
        )
    centre_id = None
    if data.centre_code:
        try:
            centre_id = centres.get_centre_by_code(session=session, code=data.centre_code).id
        except NotFound:
            raise ValidationFailed(
                _("Invalid organisation."),
                [
                    FieldError(
                        "centre_code",
                        N_("no treatment centre %(code)s"),
                        params={"code": data.centre_code},
                    )
                ],
            ) from None
    org = Organisation(**data.model_dump(exclude={"centre_code"}), centre_id=centre_id)
    session.add(org)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="organisation", object_id=org.id
    )
    return org


def organisations(*, session: Session) -> list[Organisation]:
    """The directory (public information: names, kinds, contacts)."""
    return list(
        session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    )


def organisation_by_code(session: Session, code: str, field: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise ValidationFailed(
            _("Unknown organisation."),
            [FieldError(field, N_("no organisation %(code)s"), params={"code": code})],
        )
    return org


def _own_organisations(session: Session, actor: Principal) -> list[int]:
    return list(
        session.scalars(select(Organisation.id).where(Organisation.centre_id == actor.centre_id))
    )


# ------------------------------------------------------------------------------ plans
def create_plan(*, session: Session, principal: Principal | None, data: PlanIn) -> Plan:
    actor = require_role(principal, *EDITORS)
    if session.scalar(select(Plan.id).where(Plan.code == data.code)):
        raise ValidationFailed(
            _("Invalid plan."),
            [FieldError("code", N_("%(code)s is already in use"), params={"code": data.code})],
        )
    plan = Plan(**data.model_dump())
    session.add(plan)
    session.flush()
    audit.record(
        session=session, actor=actor, action="create", object_type="plan", object_id=plan.id
    )
    return plan


def add_objective(
    *, session: Session, principal: Principal | None, plan_id: int, title: str
) -> Objective:
    actor = require_role(principal, *EDITORS)
    plan = get_plan(session=session, principal=actor, plan_id=plan_id)
    objective = Objective(plan=plan, position=len(plan.objectives) + 1, title=title)
    session.add(objective)
    session.flush()
    return objective


def add_task(
    *, session: Session, principal: Principal | None, objective_id: int, code: str, title: str
) -> Task:
    require_role(principal, *EDITORS)
    objective = session.get(Objective, objective_id)
    if objective is None:
        raise NotFound()
    task = Task(objective=objective, code=code, title=title)
    session.add(task)
    session.flush()
    return task


def plans(*, session: Session, principal: Principal | None) -> list[Plan]:
    require_authenticated(principal)
    return list(session.scalars(select(Plan).order_by(Plan.decision_date.desc())))


def get_plan(*, session: Session, principal: Principal | None, plan_id: int | None = None) -> Plan:
    """A plan (the most recent when no id is given), with its objectives, tasks and
    activities loaded."""
    require_authenticated(principal)
    query = select(Plan).options(
        selectinload(Plan.objectives)
        .selectinload(Objective.tasks)
        .selectinload(Task.activities)
        .selectinload(Activity.lead)
    )
    query = (
        query.where(Plan.id == plan_id)
        if plan_id is not None
        else query.order_by(Plan.decision_date.desc())
    )
    plan = session.scalars(query.limit(1)).first()
    if plan is None:
        raise NotFound(_("No action plan has been entered yet."))
    return plan


def tasks_of(plan: Plan) -> list[Task]:
    return [task for objective in plan.objectives for task in objective.tasks]


# ------------------------------------------------------------------------- activities
def _visible(query: Select[Activity], session: Session, actor: Principal) -> Select[Activity]:
    """The one place the plan's scoping is done: centre staff see what their organisation
    leads; the committee, administrators and the ministry see everything."""
    if actor.role in CENTRE_ROLES:
        return query.where(Activity.lead_id.in_(_own_organisations(session, actor)))
    if actor.role not in READERS:
        raise PermissionDenied()
    return query


def openable(*, session: Session, principal: Principal | None, ids: Iterable[int]) -> set[int]:
    """Which of these activities the principal may open (pages link only those)."""
    wanted = sorted(set(ids))
    actor = require_authenticated(principal)
    if not wanted or (actor.role not in CENTRE_ROLES and actor.role not in READERS):
        return set()
    query = select(Activity).where(Activity.id.in_(wanted))
    return {a.id for a in session.scalars(_visible(query, session, actor))}


def activities(
    *,
    session: Session,
    principal: Principal | None,
    plan_id: int | None = None,
    states: Sequence[str] = (),
    today: date | None = None,
) -> list[Activity]:
    """The activities ``principal`` may see, deadline first; ``states`` filters on the
    effective state (``overdue`` included)."""
    actor = require_authenticated(principal)
    query = (
        select(Activity)
        .options(selectinload(Activity.lead))
        .order_by(Activity.deadline, Activity.code)
    )
    if plan_id is not None:
        query = query.join(Task).join(Objective).where(Objective.plan_id == plan_id)
    rows = list(session.scalars(_visible(query, session, actor)))
    if states:
        day = today or date.today()
        rows = [a for a in rows if state_of(a, day) in states]
    return rows


def get_activity(*, session: Session, principal: Principal | None, activity_id: int) -> Activity:
    actor = require_authenticated(principal)
    query = select(Activity).where(Activity.id == activity_id)
    activity = session.scalars(_visible(query, session, actor)).first()
    if activity is None:
        raise NotFound()
    return activity


def state_of(activity: Activity, today: date) -> str:
    """The status, or ``overdue`` for an open activity past its deadline."""
    if activity.status not in CLOSED and activity.deadline < today:
        return "overdue"
    return activity.status.value


def create_activity(*, session: Session, principal: Principal | None, data: ActivityIn) -> Activity:
    actor = require_role(principal, *EDITORS)
    task = session.get(Task, data.task_id)
    if task is None:
        raise ValidationFailed(_("Invalid activity."), [FieldError("task_id", N_("no such task"))])
    problems = _check_dates(data.start_date, data.deadline)
    if problems:
        raise ValidationFailed(_("Invalid activity."), problems)
    lead = organisation_by_code(session, data.lead_code, "lead_code")
    partners = [organisation_by_code(session, c, "partner_codes").id for c in data.partner_codes]
    activity = Activity(
        task=task,
        lead_id=lead.id,
        partner_ids=partners,
        **data.model_dump(exclude={"task_id", "lead_code", "partner_codes"}),
    )
    if activity.status is ActivityStatus.DONE:
        activity.done_on, activity.percent_done = date.today(), 100
    session.add(activity)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="plan_activity",
        object_id=activity.id,
        detail={"code": activity.code},
    )
    return activity


def _check_dates(start: date | None, deadline: date | None) -> list[FieldError]:
    if start is not None and deadline is not None and deadline < start:
        return [
            FieldError(
                "deadline",
                N_("%(deadline)s is before the start %(start)s"),
                params={"deadline": deadline, "start": start},
            )
        ]
    return []


def update_activity(
    *,
    session: Session,
    principal: Principal | None,
    activity_id: int,
    data: ActivityChangeIn,
    today: date | None = None,
) -> Activity:
    """Change an activity; each changed field is kept in its history (who, when, old → new,
    the comment given) and the change is audited. A save made from an older version: 409."""
    actor = require_authenticated(principal)
    activity = get_activity(session=session, principal=actor, activity_id=activity_id)
    asked = data.model_dump(exclude_unset=True, exclude={"version"})
    if actor.role not in EDITORS:
        if actor.role not in CENTRE_ROLES:
            raise PermissionDenied()  # the ministry reads the plan
        refused = sorted(set(asked) - CENTRE_FIELDS)
        if refused:
            raise PermissionDenied(
                _("Centre staff may change the status, progress and comment only: %(fields)s.")
                % {"fields": ", ".join(refused)}
            )
    check_version(activity, data.version, {k: v for k, v in asked.items() if k != "comment"})
    changes: dict[str, object] = {}
    for field, value in asked.items():
        if field == "comment":
            continue
        if field == "lead_code":
            field, value = "lead_id", organisation_by_code(session, str(value), "lead_code").id
        if getattr(activity, field) != value:
            changes[field] = value
    problems = _check_dates(
        changes.get("start_date", activity.start_date),  # type: ignore[arg-type]
        changes.get("deadline", activity.deadline),  # type: ignore[arg-type]
    )
    if problems:
        raise ValidationFailed(_("Invalid activity."), problems)
    if changes.get("status") is ActivityStatus.DONE:
        changes.setdefault("percent_done", 100)
        changes["done_on"] = today or date.today()
    elif "status" in changes and activity.status is ActivityStatus.DONE:
        changes["done_on"] = None  # reopened
    comment = (data.comment or "").strip()
    if not changes and not comment:
        return activity
    _apply(session, activity, changes, by=actor.username, comment=comment)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="plan_activity",
        object_id=activity.id,
        detail={k: as_text(v) for k, v in changes.items()} | ({"comment": True} if comment else {}),
    )
    session.flush()  # a concurrent save of the same version fails here (version_id_col)
    return activity


def _apply(
    session: Session, activity: Activity, changes: dict[str, object], *, by: str, comment: str
) -> None:
    for field, value in changes.items():
        session.add(
            ActivityChange(
                activity_id=activity.id,
                by=by,
                field=field,
                old=as_text(getattr(activity, field)),
                new=as_text(value),
                comment=comment,
            )
        )
        setattr(activity, field, value)
    if comment:
        if not changes:
            session.add(
                ActivityChange(activity_id=activity.id, by=by, field="comment", comment=comment)
            )
        activity.comment = comment


def history(
    *, session: Session, principal: Principal | None, activity_id: int
) -> list[ActivityChange]:
    activity = get_activity(session=session, principal=principal, activity_id=activity_id)
    return list(
        session.scalars(
            select(ActivityChange)
            .where(ActivityChange.activity_id == activity.id)
            .order_by(ActivityChange.id.desc())
        )
    )


# --------------------------------------------------------------------------- evidence
def add_link(
    *, session: Session, principal: Principal | None, activity_id: int, label: str, url: str
) -> Evidence:
    actor = require_authenticated(principal)
    activity = _for_update(session, actor, activity_id)
    if not re.match(r"^https?://\S+$", url):
        raise ValidationFailed(
            _("Invalid evidence."), [FieldError("url", N_("expected an http(s):// address"))]
        )
    return _add_evidence(session, actor, activity, label=label, url=url)


def add_file(
    *,
    session: Session,
    principal: Principal | None,
    activity_id: int,
    label: str,
    filename: str,
    content: bytes,
    storage_dir: Path,
) -> Evidence:
    """Store an uploaded document (checked: size and the file's own signature)."""
    actor = require_authenticated(principal)
    activity = _for_update(session, actor, activity_id)
    suffix = next((s for magic, s in EVIDENCE_TYPES.items() if content.startswith(magic)), None)
    problems = []
    if len(content) > MAX_EVIDENCE_BYTES:
        problems.append(
            FieldError(
                "file", N_("larger than %(n)s MB"), params={"n": MAX_EVIDENCE_BYTES // 2**20}
            )
        )
    if suffix is None:
        problems.append(FieldError("file", N_("expected a PDF, an Office document, PNG or JPEG")))
    if problems:
        raise ValidationFailed(_("The attachment was refused."), problems)
    digest = hashlib.sha256(content).hexdigest()
    storage_dir.mkdir(parents=True, exist_ok=True)
    target = storage_dir / digest
    if not target.exists():
        target.write_bytes(content)
    name = _SAFE_NAME.sub("_", Path(filename).name)[:150] or f"evidence{suffix}"
    return _add_evidence(
        session, actor, activity, label=label or name, file_name=name, file_sha256=digest
    )


def add_evidence(
    *,
    session: Session,
    principal: Principal | None,
    activity_id: int,
    label: str,
    url: str,
    filename: str,
    content: bytes | None,
    storage_dir: Path,
) -> Evidence:
    """A document when one is uploaded (``filename`` and ``content``), else the link."""
    if content is not None and filename:
        return add_file(
            session=session,
            principal=principal,
            activity_id=activity_id,
            label=label,
            filename=filename,
            content=content,
            storage_dir=storage_dir,
        )
    return add_link(
        session=session, principal=principal, activity_id=activity_id, label=label or url, url=url
    )


def _for_update(session: Session, actor: Principal, activity_id: int) -> Activity:
    activity = get_activity(session=session, principal=actor, activity_id=activity_id)
    if actor.role not in EDITORS and actor.role not in CENTRE_ROLES:
        raise PermissionDenied()
    return activity


def _add_evidence(
    session: Session, actor: Principal, activity: Activity, **values: str
) -> Evidence:
    evidence = Evidence(activity_id=activity.id, added_by=actor.username, **values)
    session.add(evidence)
    session.add(
        ActivityChange(
            activity_id=activity.id, by=actor.username, field="evidence", new=values["label"]
        )
    )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="add_evidence",
        object_type="plan_activity",
        object_id=activity.id,
        detail={"evidence": evidence.id},
    )
    return evidence


def evidence_file(
    *, session: Session, principal: Principal | None, evidence_id: int, storage_dir: Path
) -> tuple[Path, str]:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.file_sha256 is None:
        raise NotFound()
    get_activity(session=session, principal=principal, activity_id=evidence.activity_id)
    return storage_dir / evidence.file_sha256, evidence.file_name or "evidence"


# ---------------------------------------------------------------------- linked outputs
def complete_linked(*, session: Session, kind: OutputKind, ref: int, on: date, by: str) -> None:
    """An output was approved: every open activity that names it (or the next output of its
    kind) is done on that date, with the output as evidence. Listens to
    :func:`rarecare.outputs.approved`."""
    waiting = session.scalars(
        select(Activity).where(
            Activity.output_kind == kind.value,
            Activity.status.not_in(CLOSED),
            (Activity.output_ref == ref) | Activity.output_ref.is_(None),
        )
    ).all()
    for activity in waiting:
        if activity.output_ref is None and activity.start_date and on < activity.start_date:
            continue  # "the next one" means one approved once the activity started
        label = f"{OUTPUT_LABELS[kind]} #{ref}"
        _apply(
            session,
            activity,
            {
                "status": ActivityStatus.DONE,
                "percent_done": 100,
                "done_on": on,
                "output_ref": ref,
            },
            by="system",
            comment=f"{label} approved by {by}",
        )
        session.add(
            Evidence(
                activity_id=activity.id,
                label=label,
                url=OUTPUT_PATHS[kind].format(ref=ref),
                added_by="system",
            )
        )
        audit.record(
            session=session,
            actor=Principal(user_id=0, username="system", role=Role.ADMIN),
            action="complete_by_output",
            object_type="plan_activity",
            object_id=activity.id,
            detail={"output": kind.value, "ref": ref, "approved_by": by},
        )
    session.flush()


on_approved(complete_linked)


# ------------------------------------------------------------------------------ status
def status(
    *,
    session: Session,
    principal: Principal | None,
    plan_id: int | None = None,
    today: date | None = None,
) -> PlanStatusOut:
    """Counts by state for the plan and each key task, and each task's mean % done."""
    actor = require_authenticated(principal)
    day = today or date.today()
    plan = get_plan(session=session, principal=actor, plan_id=plan_id)
    seen = {a.id for a in activities(session=session, principal=actor, plan_id=plan.id)}
    total: Counter[str] = Counter()
    tasks = []
    for objective in plan.objectives:
        for task in objective.tasks:
            mine = [a for a in task.activities if a.id in seen]
            states = Counter(state_of(a, day) for a in mine)
            total.update(states)
            counted = [a.percent_done for a in mine if a.status is not ActivityStatus.CANCELLED]
            tasks.append(
                TaskProgress(
                    id=task.id,
                    code=task.code,
                    title=task.title,
                    objective=objective.title,
                    activities=len(mine),
                    percent=round(sum(counted) / len(counted)) if counted else 0,
                    by_state=dict(states),
                )
            )
    return PlanStatusOut(
        plan=plan.code,
        title=plan.title,
        decision_number=plan.decision_number,
        as_of=day,
        activities=sum(total.values()),
        by_state=dict(total),
        tasks=tasks,
    )
