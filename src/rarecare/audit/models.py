"""The audit table. Append-only: the migration installs triggers refusing UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_actor_at", "actor_user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(default=None)
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(128), default=None)
    centre_id: Mapped[int | None] = mapped_column(default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


# Readable names of the actions the features record (the log keeps the codes).
ACTION_LABELS: dict[str, str] = {
    "acknowledge_alert": N_("acknowledged an alert"),
    "accept_referral": N_("accepted a referral"),
    "decline_referral": N_("declined a referral"),
    "withdraw_referral": N_("withdrew a referral"),
    "referral_seen": N_("recorded a referred patient's first visit"),
    "return_diagnosis": N_("returned a diagnosis to the referring centre"),
    "back_refer": N_("referred a patient back near home"),
    "read_referrals": N_("listed referrals"),
    "read_attachment": N_("opened an attachment"),
    "order_test": N_("ordered a laboratory test"),
    "sample_step": N_("updated a sample"),
    "sample_result": N_("recorded a test result"),
    "follow_up": N_("recorded a screening follow-up"),
    "link_screening": N_("linked a screening record to a patient"),
    "add_diagnosis": N_("recorded a diagnosis"),
    "add_encounter": N_("recorded an encounter"),
    "add_evidence": N_("added evidence"),
    "add_phenotype": N_("recorded a phenotype"),
    "alerts": N_("read alerts"),
    "approve": N_("approved"),
    "article_created": N_("created an article"),
    "article_edited": N_("edited an article"),
    "article_submitted": N_("submitted an article for review"),
    "article_returned": N_("returned an article"),
    "article_published": N_("published an article"),
    "attach": N_("attached a file"),
    "attach_minutes": N_("attached minutes"),
    "budget_impact": N_("ran a budget impact"),
    "change_password": N_("changed a password"),
    "change_therapy_plan": N_("changed a therapy plan"),
    "complete_by_output": N_("completed an activity by its output"),
    "create": N_("created"),
    "create_therapy_plan": N_("created a therapy plan"),
    "delete": N_("deleted"),
    "disable_user": N_("disabled a user"),
    "enable_user": N_("enabled a user"),
    "export": N_("exported"),
    "import": N_("imported"),
    "index_identities": N_("indexed identities"),
    "login": N_("logged in"),
    "mark_distinct": N_("marked a record as another person"),
    "merge": N_("merged a duplicate record into this record"),
    "confirm_warnings": N_("confirmed unusual dates of a record"),
    "save_scenario": N_("saved a budget scenario"),
    "delete_scenario": N_("deleted a budget scenario"),
    "activate": N_("put a scheduled list version in force"),
    "withdraw": N_("withdrew the approval of a scheduled list version"),
    "quality_worklist": N_("listed a centre's data-quality worklist"),
    "publish": N_("published"),
    "published": N_("published"),
    "read": N_("opened a record"),
    "read_adherence": N_("read adherence"),
    "read_alerts": N_("read alerts"),
    "read_costs": N_("read costs"),
    "read_demand": N_("read drug demand"),
    "read_plans": N_("read therapy plans"),
    "read_schedule": N_("read a schedule"),
    "read_travel": N_("read travel"),
    "reanalyze": N_("re-analysed"),
    "record_administration": N_("recorded a dose"),
    "refer": N_("referred a patient"),
    "refresh": N_("refreshed indicators"),
    "reset_password": N_("reset a password"),
    "returned": N_("returned"),
    "reveal": N_("revealed an identity"),
    "reveal_reason": N_("revealed an identity (with reason)"),
    "revoke_sessions": N_("signed out sessions"),
    "rotate_key": N_("rotated the pseudonym key"),
    "search": N_("searched"),
    "set_coverage": N_("set insurance coverage"),
    "set_stock": N_("updated stock"),
    "similar": N_("matched similar patients"),
    "similar_patients": N_("matched similar patients"),
    "stop_therapy_plan": N_("stopped a therapy plan"),
    "submitted": N_("submitted"),
    "update": N_("changed a record"),
    "upload_image": N_("uploaded an image"),
    "give_consent": N_("recorded a consent"),
    "withdraw_consent": N_("recorded a consent's withdrawal"),
    "create_request": N_("wrote a data access request"),
    "update_request": N_("changed a data access request"),
    "upload_document": N_("attached a document to a data access request"),
    "feasibility": N_("counted a request's cohort"),
    "request_submitted": N_("submitted a data access request"),
    "request_under_review": N_("took a data access request under review"),
    "request_approved": N_("approved a data access request"),
    "request_rejected": N_("rejected a data access request"),
    "request_released": N_("released a data access request's extract"),
    "request_closed": N_("closed a data access request"),
    "release_extract": N_("released patients' data in a research extract"),
    "download_extract": N_("downloaded a research extract"),
    "add_committee_member": N_("added a member to the data access committee"),
    "remove_committee_member": N_("removed a member from the data access committee"),
    "worklist": N_("read a worklist"),
}
