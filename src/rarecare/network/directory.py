"""The public directory of centres of expertise (shared with the portal): each centre's
designations in force (with their Orphanet groups' names), experts, specialties, the tests its
laboratories perform, and — from the registry, as aggregates with counts under five shown as
"<5" — the provinces its patients come from, for the network map."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from rarecare.centres import service as centres
from rarecare.centres.models import Centre, CentreLevel, Designation
from rarecare.geo import get_province
from rarecare.geo.svg import xy
from rarecare.knowledge import KnowledgeBase
from rarecare.network import labs
from rarecare.network.models import LabTest
from rarecare.registry import browse
from rarecare.suppression import SMALL


@dataclass
class Origin:
    province: str
    name: str
    patients: int
    xy: tuple[float, float]

    @property
    def shown(self) -> str:
        return "<5" if self.patients in SMALL else str(self.patients)


@dataclass
class Entry:
    centre: Centre
    province: str
    designations: list[Designation]
    group_names: dict[str, str]
    tests: list[LabTest]
    origins: list[Origin] = field(default_factory=list)
    xy: tuple[float, float] = (0.0, 0.0)

    @property
    def designated(self) -> bool:
        return bool(self.designations)


def entries(*, session: Session, kb: KnowledgeBase, on: date | None = None) -> list[Entry]:
    """Designated centres first, then the other national and regional centres."""
    tests_of: dict[int, list[LabTest]] = {}
    for lab in labs.laboratories(session=session):
        if lab.centre_id is not None:
            tests_of.setdefault(lab.centre_id, []).extend(t for t in lab.tests if t.active)
    where_from = browse.origins(session=session)
    out: list[Entry] = []
    for centre in centres.list_centres(session=session):
        designations = centres.current_designations(centre, on)
        if not designations and centre.level is CentreLevel.PROVINCIAL:
            continue
        province = get_province(centre.province_code)
        codes = {g for d in designations for g in d.groups}
        origins = []
        for code, n in sorted(where_from.get(centre.id, {}).items(), key=lambda kv: -kv[1]):
            home = get_province(code)
            if home is not None and n:
                origins.append(Origin(code, home.name, n, xy(home.lat, home.lon)))
        out.append(
            Entry(
                centre=centre,
                province=province.name if province else centre.province_code,
                designations=designations,
                group_names={c: kb.diseases[c].name for c in codes if c in kb.diseases},
                tests=tests_of.get(centre.id, []),
                origins=origins,
                xy=xy(province.lat, province.lon) if province else (0.0, 0.0),
            )
        )
    out.sort(
        key=lambda e: (not e.designated, e.centre.level != CentreLevel.NATIONAL, e.centre.name)
    )
    return out
