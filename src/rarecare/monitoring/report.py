"""The steering committee's quarterly report: the plan's progress per key task, what changed in
the quarter, the decisions taken and their follow-up, the events held. Assembled once
(:func:`quarterly`), written as a PDF (fpdf2, DejaVu Sans embedded so that Vietnamese
diacritics render) or as an XLSX workbook with one sheet per section, in Vietnamese or English."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare import i18n
from rarecare.access import Principal, require_role
from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.interop.tabular import neutralised
from rarecare.monitoring import committee, events, indicators
from rarecare.monitoring.definitions import INDICATORS, UNIT_LABELS
from rarecare.monitoring.models import MONITORING_LABELS, ActivityChange, ActivityStatus
from rarecare.monitoring.service import READERS, activities, get_plan, state_of, tasks_of
from rarecare.pdf import Document

PERIOD = re.compile(r"^(\d{4})Q([1-4])$")
# the columns of the progress table, in order (at risk and delayed shown together)
STATES = ("done", "on_track", "at_risk", "overdue", "not_started")


def quarter(period: str) -> tuple[date, date]:
    """``2026Q1`` → 1 January 2026 … 31 March 2026 (DHIS2-style period ids)."""
    match = PERIOD.match(period.strip().upper())
    if not match:
        raise ValidationFailed(
            _("Invalid period."),
            [
                FieldError(
                    "period", N_("%(period)s: expected e.g. 2026Q1"), params={"period": period}
                )
            ],
        )
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    end = (date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - timedelta(days=1)
    return start, end


@dataclass
class TaskRow:
    code: str
    title: str
    activities: int
    percent: int
    states: dict[str, int]


@dataclass
class ChangeRow:
    day: date
    activity: str
    field: str
    old: str
    new: str
    by: str
    comment: str


@dataclass
class DecisionRow:
    day: date
    meeting: str
    text: str
    follow_up: list[tuple[str, str, date]]  # activity, state, deadline


@dataclass
class EventRow:
    day: date
    kind: str
    title: str
    audience: str
    province: str
    participants: int


@dataclass
class QuarterlyReport:
    period: str
    start: date
    end: date
    as_of: date
    plan_title: str
    decision: str
    tasks: list[TaskRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    changes: list[ChangeRow] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass
class IndicatorRow:
    name: str  # the msgid, translated when written
    unit: str
    value: float | None
    target: float | None
    target_year: int | None
    higher_is_better: bool

    @property
    def gap(self) -> float | None:
        if self.value is None or self.target is None:
            return None
        return round(self.value - self.target, 2)


def _state_column(state: str) -> str:
    return "at_risk" if state == ActivityStatus.DELAYED else state


def quarterly(
    *, session: Session, principal: Principal | None, period: str, today: date | None = None
) -> QuarterlyReport:
    """The report's content for ``period`` (states as of the quarter's end, or today while it
    runs)."""
    actor = require_role(principal, *READERS)
    start, end = quarter(period)
    as_of = min(end, today or date.today())
    plan = get_plan(session=session, principal=actor)
    report = QuarterlyReport(
        period=period.upper(),
        start=start,
        end=end,
        as_of=as_of,
        plan_title=plan.title,
        decision=f"{plan.decision_number} ({plan.decision_date:%d/%m/%Y}, {plan.issuing_body})",
    )
    totals: Counter[str] = Counter()
    for task in tasks_of(plan):
        states = Counter(
            _state_column(state_of(a, as_of))
            for a in task.activities
            if a.status is not ActivityStatus.CANCELLED
        )
        totals.update(states)
        counted = [
            a.percent_done for a in task.activities if a.status is not ActivityStatus.CANCELLED
        ]
        report.tasks.append(
            TaskRow(
                code=task.code,
                title=task.title,
                activities=len(counted),
                percent=round(sum(counted) / len(counted)) if counted else 0,
                states=dict(states),
            )
        )
    report.totals = dict(totals)
    codes = {a.id: f"{a.code} {a.title}" for a in activities(session=session, principal=actor)}
    window = (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )
    for change in session.scalars(
        select(ActivityChange)
        .where(ActivityChange.at >= window[0], ActivityChange.at < window[1])
        .where(ActivityChange.field.in_(("status", "deadline", "percent_done", "evidence")))
        .order_by(ActivityChange.at)
    ):
        report.changes.append(
            ChangeRow(
                day=change.at.date(),
                activity=codes.get(change.activity_id, str(change.activity_id)),
                field=change.field,
                old=change.old,
                new=change.new,
                by=change.by,
                comment=change.comment,
            )
        )
    held = [
        m for m in committee.meetings(session=session, principal=actor) if start <= m.held_on <= end
    ]
    decisions = [d for m in held for d in m.decisions]
    follow = committee.follow_up(session=session, decision_ids=[d.id for d in decisions])
    for meeting in sorted(held, key=lambda m: m.held_on):
        for decision in meeting.decisions:
            report.decisions.append(
                DecisionRow(
                    day=meeting.held_on,
                    meeting=meeting.title,
                    text=decision.text,
                    follow_up=[
                        (f"{a.code} {a.title}", state_of(a, as_of), a.deadline)
                        for a in follow[decision.id]
                    ],
                )
            )
    for event in sorted(
        events.events(session=session, principal=actor, start=start, end=end),
        key=lambda e: e.held_on,
    ):
        report.events.append(
            EventRow(
                day=event.held_on,
                kind=event.kind.value,
                title=event.title,
                audience=event.audience.value,
                province=event.province_code or "",
                participants=event.participants,
            )
        )
    figures = indicators.national(session=session, principal=actor, period=report.period)
    for definition in INDICATORS:
        stored = figures.get(definition.code)
        report.indicators.append(
            IndicatorRow(
                name=definition.name,
                unit=UNIT_LABELS[definition.unit],
                value=stored.value if stored is not None else None,
                target=definition.target[0] if definition.target else None,
                target_year=definition.target[1] if definition.target else None,
                higher_is_better=definition.higher_is_better,
            )
        )
    return report


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:,.1f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _label(value: str) -> str:
    return _(MONITORING_LABELS.get(value, value))


HEADINGS = {
    "title": N_("Quarterly report of the steering committee"),
    "progress": N_("Progress of the action plan by key task"),
    "changes": N_("What changed in the quarter"),
    "decisions": N_("Decisions of the committee and their follow-up"),
    "events": N_("Events held"),
    "indicators": N_("National indicators against their targets"),
    "none": N_("Nothing in this quarter."),
}


def _fields() -> dict[str, str]:
    return {
        "status": _("status"),
        "deadline": _("deadline"),
        "percent_done": _("Percent done"),
        "evidence": _("evidence"),
    }


# --------------------------------------------------------------------------------- PDF
def to_pdf(report: QuarterlyReport, lang: str = "vi") -> bytes:
    token = i18n.current_locale.set(lang)
    try:
        return _pdf(report)
    finally:
        i18n.current_locale.reset(token)


def _pdf(report: QuarterlyReport) -> bytes:
    pdf = Document(f"{_(HEADINGS['title'])} {report.period}", orientation="landscape")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, f"{_(HEADINGS['title'])} · {report.period}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 6, report.plan_title, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        f"{report.decision} · {report.start:%d/%m/%Y}–{report.end:%d/%m/%Y} · "
        + _("status as of %(day)s") % {"day": f"{report.as_of:%d/%m/%Y}"},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    def heading(key: str) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 8, _(HEADINGS[key]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=9)

    def table(header: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        pdf.grid(header, rows, widths, empty=_(HEADINGS["none"]), line_height=5)

    heading("progress")
    table(
        [_("Key task"), _("Activities"), _("Percent done")] + [_label(s) for s in STATES],
        [
            [f"{t.code}. {t.title}", str(t.activities), f"{t.percent}%"]
            + [str(t.states.get(s, 0)) for s in STATES]
            for t in report.tasks
        ]
        + [
            [_("Total"), str(sum(report.totals.values())), ""]
            + [str(report.totals.get(s, 0)) for s in STATES]
        ],
        (70, 14, 14, 14, 14, 14, 14, 14),
    )
    # one bar per task: its mean % done
    pdf.ln(3)
    for t in report.tasks:
        pdf.set_font("DejaVu", size=8)
        pdf.cell(90, 5, f"{t.code}. {t.title}"[:60])
        x, y = pdf.get_x(), pdf.get_y() + 1
        pdf.set_fill_color(225)
        pdf.rect(x, y, 120, 3.2, style="F")
        pdf.set_fill_color(34, 110, 84)
        pdf.rect(x, y, 1.2 * t.percent, 3.2, style="F")
        pdf.set_x(x + 124)
        pdf.cell(20, 5, f"{t.percent}%", new_x="LMARGIN", new_y="NEXT")
    heading("changes")
    labels = _fields()
    table(
        [_("Date"), _("Activity"), _("Change"), _("By"), _("Comment")],
        [
            [
                f"{c.day:%d/%m/%Y}",
                c.activity,
                f"{labels.get(c.field, c.field)}: {_label(c.old) if c.old else '–'} → "
                f"{_label(c.new)}",
                c.by,
                c.comment,
            ]
            for c in report.changes
        ],
        (20, 80, 60, 25, 80),
    )
    heading("decisions")
    table(
        [_("Meeting"), _("Decision"), _("Follow-up")],
        [
            [
                f"{d.day:%d/%m/%Y} {d.meeting}",
                d.text,
                "\n".join(f"{a} — {_label(s)} ({due:%d/%m/%Y})" for a, s, due in d.follow_up)
                or "–",
            ]
            for d in report.decisions
        ],
        (55, 100, 110),
    )
    heading("indicators")
    table(
        [_("Indicator"), _("Value"), _("Unit"), _("Target"), _("Gap")],
        [
            [
                _(row.name),
                _number(row.value),
                _(row.unit),
                f"{_number(row.target)} ({row.target_year})" if row.target is not None else "–",
                _number(row.gap),
            ]
            for row in report.indicators
        ],
        (110, 30, 35, 45, 45),
    )
    # value against target: a bar each, the target as a tick (indicators with a target)
    pdf.ln(2)
    for row in report.indicators:
        if row.target is None or row.value is None:
            continue
        scale = 110 / max(row.value, row.target, 1)
        pdf.set_font("DejaVu", size=8)
        pdf.cell(100, 5, _(row.name)[:70])
        x, y = pdf.get_x(), pdf.get_y() + 1
        met = row.value >= row.target if row.higher_is_better else row.value <= row.target
        pdf.set_fill_color(*((34, 110, 84) if met else (179, 107, 0)))
        pdf.rect(x, y, max(row.value * scale, 0.5), 3.2, style="F")
        pdf.set_draw_color(20)
        pdf.line(x + row.target * scale, y - 1, x + row.target * scale, y + 4.2)
        pdf.set_x(x + 116)
        pdf.cell(
            40, 5, f"{_number(row.value)} / {_number(row.target)}", new_x="LMARGIN", new_y="NEXT"
        )
    heading("events")
    table(
        [_("Date"), _("Kind"), _("Event"), _("Audience"), _("Province"), _("Participants")],
        [
            [
                f"{e.day:%d/%m/%Y}",
                _label(e.kind),
                e.title,
                _label(e.audience),
                e.province,
                f"{e.participants:,}".replace(",", "."),
            ]
            for e in report.events
        ],
        (22, 35, 110, 40, 20, 25),
    )
    return bytes(pdf.output())


# -------------------------------------------------------------------------------- XLSX
def to_xlsx(report: QuarterlyReport, lang: str = "vi") -> bytes:
    token = i18n.current_locale.set(lang)
    try:
        return _xlsx(report)
    finally:
        i18n.current_locale.reset(token)


def _xlsx(report: QuarterlyReport) -> bytes:
    book = Workbook()
    labels = _fields()

    def sheet(title: str, header: list[str], rows: list[list[object]]) -> None:
        ws = book.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([_neutral(v) for v in row])
        ws.freeze_panes = "A2"

    summary = book.active
    assert summary is not None
    summary.title = _("Report")[:31]
    for row in (
        [_(HEADINGS["title"]), report.period],
        [_("Plan"), report.plan_title],
        [_("Decision"), report.decision],
        [_("Period"), f"{report.start:%d/%m/%Y}–{report.end:%d/%m/%Y}"],
        [_("Status as of"), report.as_of],
    ):
        summary.append([_neutral(v) for v in row])
    sheet(
        _("Progress"),
        [_("Code"), _("Key task"), _("Activities"), _("Percent done")]
        + [_label(s) for s in STATES],
        [
            [t.code, t.title, t.activities, t.percent] + [t.states.get(s, 0) for s in STATES]
            for t in report.tasks
        ],
    )
    sheet(
        _("Changes"),
        [_("Date"), _("Activity"), _("Field"), _("From"), _("To"), _("By"), _("Comment")],
        [
            [
                c.day,
                c.activity,
                labels.get(c.field, c.field),
                _label(c.old) if c.old else "",
                _label(c.new),
                c.by,
                c.comment,
            ]
            for c in report.changes
        ],
    )
    sheet(
        _("Decisions"),
        [_("Date"), _("Meeting"), _("Decision"), _("Follow-up"), _("State"), _("Deadline")],
        [
            [d.day, d.meeting, d.text, a, _label(s), due]
            for d in report.decisions
            for a, s, due in (d.follow_up or [("", "", None)])  # type: ignore[list-item]
        ],
    )
    sheet(
        _("Indicators"),
        [_("Indicator"), _("Value"), _("Unit"), _("Target"), _("Target year"), _("Gap")],
        [
            [_(r.name), r.value, _(r.unit), r.target, r.target_year, r.gap]
            for r in report.indicators
        ],
    )
    sheet(
        _("Events"),
        [_("Date"), _("Kind"), _("Event"), _("Audience"), _("Province"), _("Participants")],
        [
            [e.day, _label(e.kind), e.title, _label(e.audience), e.province, e.participants]
            for e in report.events
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _neutral(value: object) -> object:
    """A text cell never becomes a formula (spreadsheet injection)."""
    return neutralised(value) if isinstance(value, str) else value


def filename(report: QuarterlyReport, fmt: str) -> str:
    return f"rarecare-bao-cao-{report.period}.{fmt}"


def render(report: QuarterlyReport, fmt: str, lang: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(report, lang)
    if fmt == "xlsx":
        return to_xlsx(report, lang)
    raise ValidationFailed(_("Invalid format."), [FieldError("format", N_("expected pdf or xlsx"))])
