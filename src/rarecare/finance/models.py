"""Tables of the finance package."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.storage.base import Base, utcnow


class CoverageRuleSet(Base):
    """One version of the coverage rules (``rarecare.finance.coverage.CoverageRules`` as JSON).
    Versions are never edited: a change is a new version with its effective date."""

    __tablename__ = "finance_coverage_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[date] = mapped_column(Date)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PatientCoverage(Base):
    """A patient's insurance facts (keyed by the pseudonymised patient, no identifiers)."""

    __tablename__ = "finance_patient_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("registry_patients.id", ondelete="CASCADE"), unique=True
    )
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    has_referral: Mapped[bool] = mapped_column(Boolean, default=True)
    household_income_vnd: Mapped[float | None] = mapped_column(Float, default=None)
    subsistence_vnd: Mapped[float | None] = mapped_column(Float, default=None)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # optimistic locking: every UPDATE checks and bumps it (a stale save: 409)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper options


class BudgetScenario(Base):
    """A saved budget-impact scenario: its inputs (``BudgetIn``) and what it gave then (the
    projection and how its inputs were derived), to compare with others and export."""

    __tablename__ = "finance_budget_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    drug: Mapped[str] = mapped_column(String(120))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
