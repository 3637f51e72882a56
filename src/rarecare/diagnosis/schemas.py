"""API shapes of the diagnosis endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rarecare.diagnosis.engine import Ranking


class RankIn(BaseModel):
    observed: list[str] = Field(
        min_length=1, max_length=200, examples=[["HP:0001638", "HP:0003198"]]
    )
    excluded: list[str] = Field(default_factory=list, max_length=200, examples=[["HP:0001250"]])
    sex: str | None = Field(
        default=None, examples=["female"], description="female, male, other or unknown"
    )
    onset: str | float | None = Field(
        default=None,
        examples=["HP:0003593", "P2Y", 0.5],
        description="Age at onset: years, ISO 8601 duration or HPO onset id",
    )
    top: int = Field(default=10, ge=1, le=200)
    explain: bool = True
    questions: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Also suggest this many features to ask about next (expected information "
        "gain over the leading candidates)",
    )


class QuestionOut(BaseModel):
    hpo_id: str
    name: str
    gain: float = Field(description="expected information gain over the leading candidates, bits")
    p_yes: float = Field(description="how likely the patient has it, given the differential")
    kind: str = Field(description="test (order a test) or examine (ask, or look for it)")
    favours: list[str]


class ContributionOut(BaseModel):
    hpo_id: str
    name: str
    kind: str
    log10_lr: float
    match: str
    matched_id: str | None
    matched_name: str | None
    frequency: float | None
    evidence: str | None = Field(
        default=None,
        description="annotation (curated); name / definition: a feature the disease's name or "
        "Orphanet definition names; series: the phenotype of the disease's phenotypic series "
        "(for diseases with few or no annotations)",
    )


class FeatureOut(BaseModel):
    hpo_id: str
    name: str
    frequency: float


class ExplanationOut(BaseModel):
    contributions: list[ContributionOut]
    expected_not_observed: list[FeatureOut]
    contradictions: list[str]
    context: list[str]


class RankedOut(BaseModel):
    rank: int
    code: str
    codes: list[str]
    name: str
    score: float = Field(description="log10 of the composite likelihood ratio")
    probability: float = Field(
        description="post-test probability (uniform pretest over all candidates)"
    )
    explanation: ExplanationOut | None


class RankOut(BaseModel):
    results: list[RankedOut]
    warnings: list[str]
    observed: list[str]
    excluded: list[str]
    candidates: int
    knowledge_version: str
    elapsed_ms: float
    plausible: int = Field(
        default=0, description="candidates that together hold 95% of the post-test probability"
    )
    questions: list[QuestionOut] = Field(default_factory=list)

    @classmethod
    def of(cls, ranking: Ranking) -> RankOut:
        results = []
        for r in ranking.results:
            explanation = None
            if r.explanation is not None:
                e = r.explanation
                explanation = ExplanationOut(
                    contributions=[ContributionOut(**c.__dict__) for c in e.contributions],
                    expected_not_observed=[
                        FeatureOut(**f.__dict__) for f in e.expected_not_observed
                    ],
                    contradictions=e.contradictions,
                    context=e.context,
                )
            results.append(
                RankedOut(
                    rank=r.rank,
                    code=r.code,
                    codes=list(r.codes),
                    name=r.name,
                    score=r.score,
                    probability=r.probability,
                    explanation=explanation,
                )
            )
        return cls(
            results=results,
            warnings=ranking.warnings,
            observed=ranking.observed,
            excluded=ranking.excluded,
            candidates=ranking.candidates,
            knowledge_version=ranking.knowledge_version,
            elapsed_ms=round(ranking.elapsed_ms, 2),
            plausible=ranking.plausible,
            questions=[
                QuestionOut(**{**q.__dict__, "favours": list(q.favours)}) for q in ranking.questions
            ],
        )
