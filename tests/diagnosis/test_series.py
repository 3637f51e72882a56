"""Phenotypic series: names, members and the borrowed mean phenotype."""

from __future__ import annotations

import pytest

from rarecare.diagnosis.benchmark import without_papers
from rarecare.diagnosis.index import BuildParams
from rarecare.diagnosis.series import phenotypic_series, series_annotations, series_stem
from rarecare.knowledge import Annotation


def test_series_names_drop_the_series_number() -> None:
    assert series_stem("Loeys-Dietz syndrome 5") == "loeys-dietz syndrome"
    assert series_stem("Nephrotic syndrome, type 5, with or without ocular abnormalities") == (
        "nephrotic syndrome"
    )
    assert series_stem("Charcot-Marie-Tooth disease, axonal, type 2KK") == (
        "charcot-marie-tooth disease, axonal"
    )
    assert series_stem("KBG syndrome") is None


def test_members_of_a_series_know_each_other() -> None:
    names = ["Loeys-Dietz syndrome 1", "KBG syndrome", "Loeys-Dietz syndrome 3", ""]
    assert phenotypic_series(names) == [(2,), (), (0,), ()]


def _p(hpo_id: str, frequency: float | None, reference: str = "PMID:9") -> Annotation:
    return Annotation(hpo_id, frequency, "", "", "", False, (reference,), "P")


def test_a_sparse_disease_takes_its_series_mean_phenotype_by_how_sparse_it_is() -> None:
    params = BuildParams(series_weight=2.0, series_size=10)
    own = [_p("HP:1", 1.0), _p("HP:2", None)]  # 2 terms: weight 2 × (1 - 2/10) = 1.6
    siblings = [[_p("HP:1", 0.5), _p("HP:3", 0.25)], [_p("HP:3", None, "PMID:7")]]
    borrowed = {a.hpo_id: a.frequency for a in series_annotations(own, siblings, params)}
    # HP:3: mean of 0.25 and the default 0.5 over the two siblings, × 1.6
    assert borrowed == pytest.approx({"HP:1": 1.6 * 0.25, "HP:3": 1.6 * 0.375})
    # the leakage-free benchmark drops a paper's lines from the siblings too
    without = [without_papers(sibling, {"PMID:7"}) for sibling in siblings]
    dropped = {a.hpo_id: a.frequency for a in series_annotations(own, without, params)}
    assert dropped == pytest.approx({"HP:1": 1.6 * 0.25, "HP:3": 1.6 * 0.125})
    rich = [_p(f"HP:{i}", 1.0) for i in range(10)]
    assert series_annotations(rich, siblings, params) == []
