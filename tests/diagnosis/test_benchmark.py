import json
from math import log10
from pathlib import Path

import pytest

from rarecare.diagnosis import DiagnosisEngine, Query, benchmark
from rarecare.diagnosis.benchmark import Case, parse, read_cases, shortened, without_papers
from rarecare.diagnosis.engine import DEFAULT_BUILD
from rarecare.diagnosis.index import build_index
from rarecare.diagnosis.reference import LiricalScorer
from rarecare.interop import phenopackets
from rarecare.interop.phenopackets import iso_years
from rarecare.knowledge import KnowledgeBase
from rarecare.knowledge.diseases import Annotation


def _packet(
    case_id: str, disease: str, observed: list[str], excluded: list[str], pmid: str
) -> dict[str, object]:
    features: list[dict[str, object]] = [{"type": {"id": t, "label": t}} for t in observed]
    features += [{"type": {"id": t, "label": t}, "excluded": True} for t in excluded]
    return {
        "id": case_id,
        "subject": {"id": "p1", "sex": "FEMALE"},
        "phenotypicFeatures": features,
        "diseases": [
            {
                "term": {"id": disease, "label": disease},
                "onset": {"age": {"iso8601duration": "P2Y"}},
            }
        ],
        "metaData": {
            "created": "2024-01-01T00:00:00Z",
            "createdBy": "test",
            "phenopacketSchemaVersion": "2.0",
            "externalReferences": [{"id": pmid}],
        },
    }


def write_cases(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cases = [
        _packet("alpha-1", "OMIM:100001", ["HP:0001638", "HP:0001324"], [], "PMID:1"),
        _packet("beta-1", "OMIM:100002", ["HP:0001250", "HP:0001263"], ["HP:0001638"], "PMID:3"),
        _packet("unknown-1", "OMIM:999999", ["HP:0001250"], [], "PMID:9"),
    ]
    for case in cases:
        (folder / f"{case['id']}.json").write_text(json.dumps(case))
    return folder


def test_it_reads_phenopackets_with_the_schema(tmp_path: Path) -> None:
    case = next(read_cases(write_cases(tmp_path / "cases")))
    assert case.diseases == ("OMIM:100001",)
    assert case.query.sex == "female"
    assert case.query.onset_years == 2.0
    assert case.pmids == ("PMID:1",)


def test_the_case_reader_and_the_registry_import_name_other_sex_alike() -> None:
    packet = _packet("gamma-1", "OMIM:100001", ["HP:0001638"], [], "PMID:1")
    packet["subject"] = {"id": "p1", "sex": "OTHER_SEX", "dateOfBirth": "2020-01-01T00:00:00Z"}
    text = json.dumps(packet)
    assert phenopackets.read_case(text).sex == phenopackets.from_json(text).sex == "undetermined"
    assert parse(text).query.sex == "undetermined"


def test_it_rejects_a_file_that_is_not_a_phenopacket() -> None:
    import pytest

    from rarecare.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        parse('{"id": "x", "notAField": 1}')


def test_iso_durations_become_years() -> None:
    assert iso_years("P1Y6M") == 1.5
    assert iso_years("P14D") == 14 / 365.25
    assert iso_years("nonsense") is None


def test_the_benchmark_counts_ranks_and_unevaluable_cases(
    tiny_engine: DiagnosisEngine, tmp_path: Path
) -> None:
    cases = list(read_cases(write_cases(tmp_path / "cases")))
    result = benchmark.run(tiny_engine.kb, tiny_engine.scorer, cases)
    assert (result.n_cases, result.n_evaluable) == (3, 2)
    assert result.top1 == 2 / 3
    assert result.top1_evaluable == 1.0
    assert result.mrr == 2 / 3


def test_leakage_free_drops_the_cases_own_paper(
    tiny_engine: DiagnosisEngine, tmp_path: Path
) -> None:
    cases = list(read_cases(write_cases(tmp_path / "cases")))[:1]
    plain = benchmark.run(tiny_engine.kb, tiny_engine.scorer, cases).cases[0]
    free = benchmark.run(tiny_engine.kb, tiny_engine.scorer, cases, leakage_free=True).cases[0]
    # PMID:1 carried the OMIM Cardiomyopathy line (the ORPHA twin's line remains) and the
    # congenital onset line that did not fit the onset at 2 years (the next test)
    assert free.score is not None and plain.score is not None
    assert free.score + log10(0.3) < plain.score


def test_leakage_free_drops_the_papers_onset_line_too(
    tiny_engine: DiagnosisEngine, tmp_path: Path
) -> None:
    folder = tmp_path / "onset"
    folder.mkdir()
    # onset at 2 years: Alpha's congenital onset (PMID:1) does not fit; Orphanet's "Infancy" does
    packet = _packet("alpha-2", "OMIM:100001", ["HP:0001324"], [], "PMID:1")
    (folder / "alpha-2.json").write_text(json.dumps(packet))
    cases = list(read_cases(folder))
    plain = benchmark.run(tiny_engine.kb, tiny_engine.scorer, cases).cases[0]
    free = benchmark.run(tiny_engine.kb, tiny_engine.scorer, cases, leakage_free=True).cases[0]
    assert free.score is not None and plain.score is not None
    assert free.score - plain.score == pytest.approx(-log10(0.3), abs=1e-5)


def test_leakage_free_keeps_a_line_the_paper_shares_with_other_sources() -> None:
    def line(hpo_id: str, *references: str) -> Annotation:
        return Annotation(hpo_id, 0.4, "2/5", "", "", False, references, "P")

    lines = [
        line("HP:1", "PMID:1"),  # known from the case's paper only: gone
        line("HP:2", "PMID:1", "PMID:2"),  # also from another paper: stays, as it is
        line("HP:3", "OMIM:100001"),
    ]
    assert without_papers(lines, {"PMID:1"}) == [
        line("HP:2", "PMID:2"),
        line("HP:3", "OMIM:100001"),
    ]


def test_a_shortened_case_keeps_k_of_its_observed_terms_the_same_way_every_time() -> None:
    case = Case(
        "c1",
        Query(observed=tuple(f"HP:000{n:04d}" for n in range(10)), excluded=("HP:0001250",)),
        ("OMIM:1",),
        ("PMID:1",),
    )
    first, again, other = shortened(case, 3, 0), shortened(case, 3, 0), shortened(case, 3, 1)
    assert len(first.query.observed) == 3 and first.query.excluded == ()
    assert set(first.query.observed) <= set(case.query.observed)
    assert first == again
    assert other.query.observed != first.query.observed or len(case.query.observed) <= 3
    assert shortened(case, 50, 0).query.observed == tuple(sorted(case.query.observed))


def test_the_reference_ranks_omim_diseases_only(tiny: KnowledgeBase) -> None:
    scorer = LiricalScorer(tiny, build_index(tiny, DEFAULT_BUILD))
    codes = [c.key for c, ok in zip(scorer.index.candidates, scorer.allowed, strict=True) if ok]
    assert codes and all(code.startswith("OMIM:") for code in codes)
