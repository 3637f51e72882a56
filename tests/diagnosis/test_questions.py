"""The next best question on the tiny knowledge base: Seizure leads to Beta (seizure,
developmental delay) and ORPHA:1003 (seizure only); only developmental delay tells them apart."""

from rarecare.diagnosis import DiagnosisEngine, Query
from rarecare.diagnosis.questions import next_questions


def test_it_asks_about_the_feature_that_separates_the_leading_diseases(
    tiny_engine: DiagnosisEngine,
) -> None:
    checked = tiny_engine.check(Query(observed=("HP:0001250",)))
    scores = tiny_engine.scorer.scores(checked)
    questions = next_questions(tiny_engine, checked, scores, top=3)
    assert questions, "a question is suggested"
    first = questions[0]
    assert first.hpo_id == "HP:0001263"  # global developmental delay
    assert first.gain > 0 and 0 < first.p_yes < 1
    assert first.kind == "examine"
    asked = {q.hpo_id for q in questions}
    assert not asked & {"HP:0001250", "HP:0002069", "HP:0000707"}  # the query's own line


def test_a_question_answered_is_not_asked_again(tiny_engine: DiagnosisEngine) -> None:
    checked = tiny_engine.check(Query(observed=("HP:0001250", "HP:0001263")))
    scores = tiny_engine.scorer.scores(checked)
    asked = {q.hpo_id for q in next_questions(tiny_engine, checked, scores, top=3)}
    assert "HP:0001263" not in asked
