"""What the indicator engine looks up in the approved national lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.lists.models import DiseaseEntry, DrugEntry, ListKind
from rarecare.lists.schedule import in_force


def approved_version(session: Session, kind: ListKind) -> int | None:
    """The id of the version of a list in force, if there is one."""
    return session.scalar(select(in_force(kind)))


def listed_drugs(session: Session) -> list[str]:
    version = approved_version(session, ListKind.DRUGS)
    if version is None:
        return []
    return list(session.scalars(select(DrugEntry.inn).where(DrugEntry.version_id == version)))


def listed_diseases(session: Session) -> list[str]:
    """The ORPHA codes of the approved national rare disease list."""
    version = approved_version(session, ListKind.DISEASES)
    if version is None:
        return []
    return list(
        session.scalars(select(DiseaseEntry.orpha_code).where(DiseaseEntry.version_id == version))
    )


def disease_groups(session: Session) -> dict[str, str]:
    """ORPHA code → its group on the approved national list."""
    version = approved_version(session, ListKind.DISEASES)
    rows = session.execute(
        select(DiseaseEntry.orpha_code, DiseaseEntry.disease_group).where(
            DiseaseEntry.version_id == version
        )
    )
    return {code: group or "" for code, group in rows}
