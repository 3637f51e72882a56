"""The dictionary matcher that finds HPO features in disease names and definitions."""

from __future__ import annotations

from rarecare.knowledge import KnowledgeBase
from rarecare.knowledge.textmine import Lexicon, Mention

LEXICON = Lexicon(
    [
        ("HP:0001638", "Cardiomyopathy", True),
        ("HP:0001639", "Hypertrophic cardiomyopathy", True),
        ("HP:0001639", "HCM", False),
        ("HP:0001250", "Seizure", True),
        ("HP:0001324", "Muscle weakness", True),
        ("HP:0000001", "Weakness", False),
        ("HP:0000002", "Weakness", False),
    ]
)


def test_it_prefers_the_longest_phrase() -> None:
    assert LEXICON.mentions("Familial hypertrophic cardiomyopathy 4") == [
        Mention("HP:0001639", "hypertrophic cardiomyopathy")
    ]


def test_it_folds_case_punctuation_and_plurals() -> None:
    found = LEXICON.mentions("Cardiomyopathy-SEIZURES syndrome")
    assert [m.hpo_id for m in found] == ["HP:0001638", "HP:0001250"]


def test_it_marks_negated_and_variable_mentions() -> None:
    negated, variable = LEXICON.mentions(
        "characterized by cardiomyopathy without seizures, with or without muscle weakness"
    )[1:]
    assert negated == Mention("HP:0001250", "seizure", negated=True)
    assert variable == Mention("HP:0001324", "muscle weakness", variable=True)


def test_it_drops_a_phrase_two_terms_claim_and_short_single_words() -> None:
    assert LEXICON.mentions("weakness") == []  # two terms' synonym, neither's label
    assert LEXICON.mentions("HCM") == []  # a single word of under five letters


def test_disease_name_vocabulary_maps_to_phenotypes() -> None:
    lexicon = Lexicon([("HP:0001250", "Seizure", True)])
    assert [m.hpo_id for m in lexicon.mentions("Epilepsy, early-onset, 3")] == ["HP:0001250"]


def test_the_build_names_features_of_mondo_only_omim_and_orphanet_definitions(
    tiny: KnowledgeBase,
) -> None:
    gamma = tiny.diseases["OMIM:100003"]
    assert gamma.provisional and not gamma.annotations
    assert gamma.name == "Cardiomyopathy with or without muscle weakness, gamma type"
    assert {(a.hpo_id, a.references, a.frequency_raw) for a in gamma.derived} == {
        ("HP:0001638", ("name",), ""),
        ("HP:0001324", ("name",), "variable"),
    }
    assert "OMIM:100004" not in tiny.diseases  # obsolete in Mondo
    subtype = tiny.diseases["ORPHA:1002"]
    assert [(a.hpo_id, a.references) for a in subtype.derived] == [
        ("HP:0001639", ("definition",))  # and not the seizures it is "without"
    ]
