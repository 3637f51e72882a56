"""A realistic synthetic population for demonstrations, tests and benchmarks.

Provinces are weighted by their number of communes and wards (a population proxy shipped with
the province data); diseases come from the approved national list weighted by Orphanet's point
prevalence class; about 58% of patients are children; onset follows the disease's Orphanet onset
classes; delays to first specialist contact and to diagnosis are log-normal (medians 8 and 18
months); about 15% stay undiagnosed and 6% have died; phenotypes are drawn from the disease's
HPO annotations by frequency. Every value is synthetic."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from rarecare.geo import current_provinces
from rarecare.knowledge import Disease, KnowledgeBase

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Hữu", "Thanh", "Quang", "Gia")
GIVEN = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
)
PREVALENCE = {
    "1-5 / 10 000": 3e-4,
    "6-9 / 10 000": 7.5e-4,
    ">1 / 1000": 1.5e-3,
    "1-9 / 100 000": 5e-5,
    "1-9 / 1 000 000": 5e-6,
    "<1 / 1 000 000": 5e-7,
}
ONSET = {
    "Antenatal": (0.0, 0.0),
    "Neonatal": (0.0, 0.08),
    "Infancy": (0.1, 2.0),
    "Childhood": (2.0, 11.0),
    "Adolescent": (11.0, 18.0),
    "Adult": (18.0, 50.0),
    "Elderly": (60.0, 75.0),
    "All ages": (0.0, 40.0),
}


@dataclass(frozen=True)
class SyntheticPatient:
    identity: dict[str, object]
    record: dict[str, object]
    observed: tuple[str, ...]
    excluded: tuple[str, ...]


def _prevalence(disease: Disease) -> float:
    values = [
        PREVALENCE[p.klass]
        for p in disease.prevalence
        if p.kind == "Point prevalence" and p.klass in PREVALENCE
    ]
    return max(values) if values else 1e-6


def province_weights() -> tuple[list[str], list[float]]:
    provinces = current_provinces()
    return [p.code for p in provinces], [float(p.units or 1) for p in provinces]


def generate(
    kb: KnowledgeBase,
    orpha_codes: list[str],
    n: int,
    *,
    seed: int = 2025,
    today: date | None = None,
) -> Iterator[SyntheticPatient]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    today = today or date(2026, 11, 1)
    diseases = [kb.diseases[c] for c in orpha_codes if c in kb.diseases]
    if not diseases:
        raise ValueError("no known disease to draw from")
    weights = [_prevalence(d) for d in diseases]
    provinces, province_w = province_weights()
    former = {p.code: p.former for p in current_provinces()}
    for i in range(n):
        disease = rng.choices(diseases, weights)[0]
        child = rng.random() < 0.58
        age_now = rng.uniform(0.2, 15.9) if child else rng.uniform(16, 75)
        born = today - timedelta(days=int(age_now * 365.25))
        onsets = [ONSET[o] for o in disease.onset if o in ONSET] or [(0.0, age_now)]
        lo, hi = rng.choice(onsets)
        onset_age = min(rng.uniform(lo, hi), age_now * 0.9)
        onset = born + timedelta(days=int(onset_age * 365.25))
        contact = min(onset + timedelta(days=int(rng.lognormvariate(math.log(240), 0.9))), today)
        roll = rng.random()
        status = "undiagnosed" if roll < 0.15 else "suspected" if roll < 0.25 else "confirmed"
        diagnosed: date | None = contact + timedelta(
            days=int(rng.lognormvariate(math.log(540), 1.0))
        )
        if diagnosed is not None and diagnosed > today:
            diagnosed = None
            status = "suspected" if status == "confirmed" else status
        dead = rng.random() < (0.09 if child else 0.04)
        death = (max(contact, today - timedelta(days=rng.randint(0, 900)))) if dead else None
        if death is not None and death < onset:
            death = onset
        province = rng.choices(provinces, province_w)[0]
        phenotypes = [
            a for a in disease.phenotypes if not a.negated and a.hpo_id in kb.ontology.terms
        ]
        observed = [
            a.hpo_id
            for a in phenotypes
            if rng.random() < 0.6 * (a.frequency if a.frequency is not None else 0.5)
        ]
        if len(observed) > 15:  # clinicians record a dozen features, not every one
            observed = rng.sample(observed, 15)
        if not observed and phenotypes:
            observed = [max(phenotypes, key=lambda a: a.frequency or 0.5).hpo_id]
        rare = [
            a.hpo_id for a in phenotypes if a.hpo_id not in observed and (a.frequency or 0.5) < 0.3
        ]
        excluded = rng.sample(rare, min(len(rare), rng.randint(0, 3)))
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        middle = "Thị" if rng.random() < 0.5 else rng.choice(MIDDLE)
        sex = "female" if middle == "Thị" else rng.choice(("male", "female"))
        yield SyntheticPatient(
            identity={
                "full_name": f"{family} {middle} {given}",
                "birth_date": born,
                "national_id": f"{int(province):03d}{rng.randint(0, 9)}{born.year % 100:02d}"
                f"{i:06d}",
                "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
            },
            record={
                "sex": sex,
                "vital_status": "dead" if death else "alive",
                "death_date": death,
                "first_symptoms_date": onset,
                "onset_kind": "date",
                "onset_date": onset,
                "first_contact_date": contact,
                "diagnosis_kind": "date" if status == "confirmed" else "undetermined",
                "diagnosis_date": diagnosed if status == "confirmed" else None,
                "diagnostic_status": status,
                "orpha_code": disease.code if status != "undiagnosed" else None,
                "contact_for_research": rng.random() < 0.7,
                "consent_reuse": rng.random() < 0.85,
                "province_code": province,
                "former_province_code": rng.choice(former.get(province) or (None,)),
            },
            observed=tuple(dict.fromkeys(observed)),
            excluded=tuple(excluded),
        )
