from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.audit.models import AuditEvent
from rarecare.diagnosis import DiagnosisEngine
from rarecare.errors import Conflict, NotFound, ValidationFailed
from rarecare.finance import service as finance
from rarecare.knowledge import KnowledgeBase
from rarecare.network import notifications, referrals
from rarecare.network.models import Referral, ReferralKind, ReferralStatus
from rarecare.network.schemas import BackReferralIn, OutcomeIn, ReferralIn
from rarecare.registry import service as registry

from .conftest import Network

PDF = b"%PDF-1.4 a referral letter"


def _send(
    db: Session, network: Network, kb: KnowledgeBase, engine: DiagnosisEngine | None = None
) -> Referral:
    return referrals.send(
        session=db,
        principal=network.cast.clinician_b,
        kb=kb,
        engine=engine,
        patient_id=network.patient.id,
        data=ReferralIn(
            to_centre_code="CENTRE-A",
            reason="Hypotonia and cardiomyopathy at 4 months: suspected Pompe disease.",
            suspected=["ORPHA:365"],
            urgency="urgent",
        ),
    )


def _sees(db: Session, who: object, patient_id: int) -> bool:
    try:
        registry.get(session=db, principal=who, patient_id=patient_id)  # type: ignore[arg-type]
    except NotFound:
        return False
    return True


def test_sending_a_referral_shares_the_record_with_the_receiving_centre_only(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    assert not _sees(db, network.cast.clinician_a, network.patient.id)
    referral = _send(db, network, kb)
    assert referral.status is ReferralStatus.SENT
    assert referral.suspected == ["ORPHA:365"]
    assert {p["hpo_id"] for p in referral.phenotypes} >= {"HP:0001638", "HP:0003198"}
    assert _sees(db, network.cast.clinician_a, network.patient.id)
    assert not _sees(db, network.clinician_c, network.patient.id)
    with pytest.raises(NotFound):
        referrals.get_referral(session=db, principal=network.clinician_c, referral_id=referral.id)


def test_the_engine_s_top_suggestions_travel_with_the_referral(
    db: Session, network: Network, kb: KnowledgeBase, diagnosis_engine: DiagnosisEngine
) -> None:
    referral = _send(db, network, kb, diagnosis_engine)
    assert 1 <= len(referral.suggestions) <= referrals.SUGGESTIONS
    assert [s["rank"] for s in referral.suggestions] == list(
        range(1, len(referral.suggestions) + 1)
    )
    assert all(s["code"] and s["name"] for s in referral.suggestions)


def test_a_referral_sets_the_insurance_has_referral_flag(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    from rarecare.finance.schemas import PatientCoverageIn

    finance.set_patient_coverage(
        session=db,
        principal=network.cast.clinician_b,
        patient_id=network.patient.id,
        data=PatientCoverageIn(groups=[], has_referral=False),
    )
    _send(db, network, kb)
    cover = finance.coverage_of(session=db, patient_id=network.patient.id)
    assert cover is not None
    assert cover.has_referral is True


def test_a_declined_referral_leaves_no_access(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    referral = _send(db, network, kb)
    referrals.decline(
        session=db,
        principal=network.cast.clinician_a,
        referral_id=referral.id,
        reason="Please refer to the regional metabolic clinic first.",
    )
    assert referral.status is ReferralStatus.DECLINED
    assert referral.responded_at is not None
    assert not _sees(db, network.cast.clinician_a, network.patient.id)
    assert _sees(db, network.cast.clinician_b, network.patient.id)  # the owner keeps it


def test_declining_needs_a_reason_and_only_the_receiver_answers(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    referral = _send(db, network, kb)
    with pytest.raises(ValidationFailed):
        referrals.decline(
            session=db, principal=network.cast.clinician_a, referral_id=referral.id, reason="no"
        )
    with pytest.raises(ValidationFailed):
        referrals.accept(session=db, principal=network.cast.clinician_b, referral_id=referral.id)
    with pytest.raises(NotFound):
        referrals.accept(session=db, principal=network.clinician_c, referral_id=referral.id)


def test_the_whole_path_is_stamped_audited_and_notified(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    cast = network.cast
    referral = _send(db, network, kb)
    referrals.accept(session=db, principal=cast.clinician_a, referral_id=referral.id)
    referrals.mark_seen(
        session=db, principal=cast.clinician_a, referral_id=referral.id, seen_on=date.today()
    )
    referrals.return_diagnosis(
        session=db,
        principal=cast.clinician_a,
        kb=kb,
        referral_id=referral.id,
        data=OutcomeIn(
            outcome="Pompe disease, infantile onset (GAA 0.4 µmol/L/h)", orpha_code="365"
        ),
    )
    assert referral.status is ReferralStatus.DIAGNOSIS_RETURNED
    assert referral.outcome_orpha == "ORPHA:365"
    assert referral.responded_at and referral.seen_on and referral.diagnosis_returned_at
    back = referrals.back_refer(
        session=db,
        principal=cast.clinician_a,
        referral_id=referral.id,
        data=BackReferralIn(
            to_centre_code="CENTRE-C",
            reason="Enzyme replacement every 2 weeks near home.",
            drug="alglucosidase alfa",
        ),
    )
    assert back.kind is ReferralKind.BACK and back.parent_id == referral.id
    assert referral.status.value == "closed"
    assert _sees(db, network.clinician_c, network.patient.id)  # the provincial centre now
    assert _sees(db, cast.clinician_a, network.patient.id)  # the expert centre keeps it
    actions = set(
        db.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "referral",
                AuditEvent.object_id == str(referral.id),
            )
        )
    )
    assert {"refer", "accept_referral", "referral_seen", "return_diagnosis"} <= actions
    told_b = notifications.recent(session=db, principal=cast.clinician_b)
    assert len(told_b) == 3  # accepted, seen, diagnosis returned
    told_c = notifications.recent(session=db, principal=network.clinician_c)
    assert [n.link for n in told_c] == [f"/network/referrals/{back.id}"]
    times = referrals.timings(session=db, principal=cast.clinician_a)
    assert times["referrals"] == 1
    assert times["to_answer"] == 0.0 and times["to_diagnosis"] == 0.0


def test_steps_out_of_order_are_refused(db: Session, network: Network, kb: KnowledgeBase) -> None:
    referral = _send(db, network, kb)
    with pytest.raises(Conflict):
        referrals.mark_seen(
            session=db,
            principal=network.cast.clinician_a,
            referral_id=referral.id,
            seen_on=date.today(),
        )
    referrals.accept(session=db, principal=network.cast.clinician_a, referral_id=referral.id)
    with pytest.raises(Conflict):
        referrals.accept(session=db, principal=network.cast.clinician_a, referral_id=referral.id)
    with pytest.raises(Conflict):
        _send(db, network, kb)  # a second open referral to the same centre


def test_a_withdrawn_referral_takes_access_back(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    referral = _send(db, network, kb)
    referrals.withdraw(
        session=db,
        principal=network.cast.clinician_b,
        referral_id=referral.id,
        reason="Family moved to Ho Chi Minh City.",
    )
    assert referral.status is ReferralStatus.CLOSED
    assert not _sees(db, network.cast.clinician_a, network.patient.id)


def test_worklists_flag_referrals_unanswered_for_more_than_a_week(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    referral = _send(db, network, kb)
    referral.sent_at = datetime.now(UTC) - timedelta(days=8)
    db.flush()
    mine = referrals.worklist(session=db, principal=network.cast.clinician_a)
    assert [r.id for r in mine["incoming"]] == [referral.id]
    assert [r.id for r in mine["awaiting"]] == [referral.id]
    theirs = referrals.worklist(session=db, principal=network.cast.clinician_b)
    assert [r.id for r in theirs["outgoing"]] == [referral.id]
    third = referrals.worklist(session=db, principal=network.clinician_c)
    assert not any(third.values())


def test_attachments_are_type_checked_and_readable_by_both_centres_only(
    db: Session, network: Network, kb: KnowledgeBase
) -> None:
    referral = _send(db, network, kb)
    with pytest.raises(ValidationFailed):
        referrals.attach(
            session=db,
            principal=network.cast.clinician_b,
            referral_id=referral.id,
            filename="letter.pdf",
            content=b"MZ\x90\x00 not a pdf",
        )
    item = referrals.attach(
        session=db,
        principal=network.cast.clinician_b,
        referral_id=referral.id,
        filename="C:\\letters\\letter.pdf",
        content=PDF,
    )
    assert (item.filename, item.media_type, item.size) == (
        "letter.pdf",
        "application/pdf",
        len(PDF),
    )
    got = referrals.attachment(
        session=db,
        principal=network.cast.clinician_a,
        referral_id=referral.id,
        attachment_id=item.id,
    )
    assert got.content == PDF
    with pytest.raises(NotFound):
        referrals.attachment(
            session=db,
            principal=network.clinician_c,
            referral_id=referral.id,
            attachment_id=item.id,
        )
