"""A printable patient summary (PDF) for referral letters: identity (for the patient's own
centre, audited as a reveal), the record's elements, diagnoses with their genetic findings,
the phenotype (observed and excluded HPO terms), the diagnostic delay, recent encounters and
the therapy plans. Written with fpdf2 and DejaVu Sans (Vietnamese diacritics), in the user's
language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from rarecare import i18n
from rarecare.access import Principal, Role, require_role
from rarecare.care import therapy
from rarecare.care.models import PLAN_STATUS_LABELS, TherapyPlan
from rarecare.centres import service as centres
from rarecare.geo import province_names
from rarecare.i18n import _
from rarecare.knowledge import KnowledgeBase
from rarecare.pdf import Document
from rarecare.registry import clock, identities
from rarecare.registry import service as registry
from rarecare.registry.models import DIAGNOSTIC_STATUS_LABELS, VITAL_STATUS_LABELS, Patient
from rarecare.registry.schemas import IdentityOut
from rarecare.registry.vault import IdentityVault
from rarecare.registry.vocabulary import ACMG_CLASSES, ENCOUNTER_KINDS, ZYGOSITIES

WRITERS = (Role.CLINICIAN, Role.DATA_MANAGER)


@dataclass(frozen=True)
class Summary:
    patient: Patient
    identity: IdentityOut
    centre: str
    plans: list[TherapyPlan]
    made_by: str
    made_on: date


def summary(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault,
    patient_id: int,
    today: date | None = None,
) -> Summary:
    """What the summary shows, for staff of the patient's centre (the identity is revealed
    and audited as such)."""
    actor = require_role(principal, *WRITERS)
    record = registry.open_record(session=session, principal=actor, patient_id=patient_id)
    identity = identities.reveal_identity(
        session=session,
        principal=actor,
        vault=vault,
        patient_id=patient_id,
        reason="patient summary (PDF)",
    )
    centre = centres.get_centre(session=session, centre_id=record.patient.centre_id)
    return Summary(
        patient=record.patient,
        identity=identity,
        centre=centre.name,
        plans=therapy.plans_of(session=session, record=record),
        made_by=actor.display_name or actor.username,
        made_on=today or date.today(),
    )


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "–"


def to_pdf(data: Summary, kb: KnowledgeBase, lang: str = "vi") -> bytes:
    token = i18n.current_locale.set(lang)
    try:
        return _pdf(data, kb)
    finally:
        i18n.current_locale.reset(token)


def _pdf(data: Summary, kb: KnowledgeBase) -> bytes:
    p, who = data.patient, data.identity
    pdf = Document(
        f"{_('Patient summary')} {p.pseudonym}", _("Confidential — RareCare patient summary")
    )
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, _("Patient summary"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(
        0,
        5,
        data.centre
        + " · "
        + _("made by %(who)s on %(day)s") % {"who": data.made_by, "day": _day(data.made_on)},
        new_x="LMARGIN",
        new_y="NEXT",
    )

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=9)

    def facts(rows: list[tuple[str, str]]) -> None:
        with pdf.table(col_widths=(45, 135), text_align="LEFT", line_height=5) as grid:
            for name, value in rows:
                line = grid.row()
                line.cell(name)
                line.cell(value or "–")

    def label(labels: dict[str, str], value: object) -> str:
        key = str(getattr(value, "value", value))
        return _(labels[key]) if key in labels else key

    heading(_("Identity"))
    facts(
        [
            (_("Full name"), who.full_name),
            (_("Date of birth"), _day(who.birth_date)),
            ("CCCD", who.national_id),
            (_("Health insurance number"), who.insurance_number),
            (_("Address"), who.address),
            (_("Guardian"), who.guardian),
            (_("Phone"), who.phone),
            (_("Pseudonym"), p.pseudonym),
        ]
    )
    heading(_("Record"))
    disease = kb.diseases.get(p.orpha_code or "")
    delay = clock.delay(p)
    facts(
        [
            (_("Sex"), _(p.sex.value)),
            (_("Province"), province_names().get(p.province_code, p.province_code)),
            (
                _("Vital status"),
                label(VITAL_STATUS_LABELS, p.vital_status)
                + (f" ({_day(p.death_date)})" if p.death_date else ""),
            ),
            (_("Diagnostic status"), label(DIAGNOSTIC_STATUS_LABELS, p.diagnostic_status)),
            (_("Disease"), f"{disease.name} ({p.orpha_code})" if disease else "–"),
            (_("First symptoms"), _day(p.first_symptoms_date)),
            (_("First specialist contact"), _day(p.first_contact_date)),
            (_("Date of diagnosis"), _day(p.diagnosis_date)),
            (
                _("First contact → confirmed diagnosis"),
                f"{delay.first_contact_to_diagnosis_days} {_('days')}"
                if delay.first_contact_to_diagnosis_days is not None
                else "–",
            ),
        ]
    )
    heading(_("Diagnoses"))
    pdf.grid(
        [_("Date"), _("Disease"), _("Status"), "ICD-10 / OMIM", _("Gene / variant")],
        [
            [
                _day(d.diagnosed_on),
                f"{kb.diseases[d.orpha_code].name if d.orpha_code in kb.diseases else ''} "
                f"({d.orpha_code})",
                label(DIAGNOSTIC_STATUS_LABELS, d.status),
                " / ".join(x for x in (d.icd10_code, d.omim_code) if x),
                " · ".join(
                    x
                    for x in (
                        f"{d.gene} {d.variant}".strip(),
                        label(ZYGOSITIES, d.zygosity) if d.zygosity else "",
                        label(ACMG_CLASSES, d.classification) if d.classification else "",
                    )
                    if x
                ),
            ]
            for d in p.diagnoses
        ],
        (20, 60, 22, 30, 48),
    )
    terms = kb.ontology.terms
    for excluded, title in ((False, _("Observed features")), (True, _("Excluded features"))):
        heading(title)
        chosen = [ph for ph in p.phenotypes if ph.excluded is excluded]
        text = "; ".join(
            f"{terms[ph.hpo_id].name if ph.hpo_id in terms else ph.hpo_id} ({ph.hpo_id})"
            for ph in chosen
        )
        pdf.multi_cell(0, 5, text or "–", new_x="LMARGIN", new_y="NEXT")
    heading(_("Recent encounters"))
    recent = sorted(p.encounters, key=lambda e: e.date, reverse=True)[:6]
    pdf.grid(
        [_("Date"), _("Type"), _("Weight (kg)"), _("Height (cm)")],
        [
            [
                _day(e.date),
                label(ENCOUNTER_KINDS, e.kind),
                f"{e.weight_kg:g}" if e.weight_kg else "",
                f"{e.height_cm:g}" if e.height_cm else "",
            ]
            for e in recent
        ],
        (35, 55, 45, 45),
    )
    heading(_("Therapy plans"))
    pdf.grid(
        [_("Drug"), _("Regimen"), _("Start"), _("End"), _("Status")],
        [
            [
                plan.drug,
                f"{plan.dose:g} {plan.dose_unit}{'/kg' if plan.per_kg else ''} · "
                + _("every %(n)s days") % {"n": plan.interval_days},
                _day(plan.start_date),
                _day(plan.end_date),
                label(PLAN_STATUS_LABELS, plan.status),
            ]
            for plan in data.plans
        ],
        (45, 55, 25, 25, 30),
    )
    return bytes(pdf.output())
