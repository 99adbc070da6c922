"""Answer checking and the results arithmetic, without I/O: every valid answer is kept as given,
every invalid one refused naming its question; CSAT % and NPS from known counts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.shared.errors import ValidationFailed
from app.domain.surveys.questions import check_answers, normalize_questions
from app.domain.surveys.results import headline

QUESTIONS = normalize_questions(
    [
        {"id": "sat", "type": "rating", "text": "Rate", "required": True},
        {"id": "nps", "type": "nps", "text": "Recommend"},
        {"id": "one", "type": "single", "text": "One", "choices": ["A", "B", "C"]},
        {"id": "many", "type": "multiple", "text": "Many", "choices": ["A", "B", "C"]},
        {"id": "say", "type": "text", "text": "Say"},
    ]
)

valid = st.fixed_dictionaries(
    {"sat": st.integers(1, 5)},
    optional={
        "nps": st.integers(0, 10),
        "one": st.sampled_from(["A", "B", "C"]),
        "many": st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True),
        "say": st.text(min_size=1, max_size=200).filter(lambda s: s.strip() == s and s),
    },
)


@given(valid)
def test_valid_answers_are_kept(answers: dict[str, Any]) -> None:
    assert check_answers(QUESTIONS, answers) == answers


junk = st.one_of(
    st.integers().filter(lambda n: not 0 <= n <= 10),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=5).filter(lambda s: s not in ("A", "B", "C")),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2),
)


@given(valid, st.sampled_from(["sat", "nps", "one", "many"]), junk)
def test_a_bad_value_is_refused_naming_its_question(answers: dict[str, Any], question: str, value: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_answers(QUESTIONS, {**answers, question: value})
    assert f"answers.{question}" in [e.field for e in refused.value.errors]


@given(st.text(min_size=1, max_size=40).filter(lambda k: k not in {q["id"] for q in QUESTIONS}))
def test_unknown_questions_and_a_missing_required_one(key: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_answers(QUESTIONS, {key: 1})
    assert {e.field for e in refused.value.errors} == {f"answers.{key}", "answers.sat"}


def test_the_ratings_between_the_ends() -> None:
    for value, ok in ((0, False), (1, True), (5, True), (6, False)):
        assert ok == _accepted({"sat": value})
    for value, ok in ((-1, False), (0, True), (10, True), (11, False)):
        assert ok == _accepted({"sat": 3, "nps": value})
    assert not _accepted({"sat": 3, "say": "x" * 2001}) and _accepted({"sat": 3, "say": "x" * 2000})
    assert check_answers(QUESTIONS, {"sat": 3, "say": "   ", "many": []}) == {"sat": 3}


def _accepted(answers: dict[str, Any]) -> bool:
    try:
        check_answers(QUESTIONS, answers)
    except ValidationFailed:
        return False
    return True


def counts(**overrides: int) -> dict[str, int]:
    base = {"responses": 0, "csat_answered": 0, "csat_satisfied": 0, "rating_sum": 0}
    return base | {"nps_answered": 0, "promoters": 0, "detractors": 0} | overrides


def test_csat_and_nps_arithmetic() -> None:
    h = headline(counts(responses=8, csat_answered=8, csat_satisfied=6, rating_sum=30, nps_answered=10,
                        promoters=5, detractors=2))  # fmt: skip
    assert h["csat"] == {"answered": 8, "satisfied": 6, "percent": 75.0}
    assert h["nps"] == {"answered": 10, "promoters": 5, "passives": 3, "detractors": 2, "score": 30.0}
    assert h["average_rating"] == 3.75
    assert headline(counts(nps_answered=3, detractors=3))["nps"]["score"] == -100.0
    empty = headline(counts())
    assert empty["csat"]["percent"] is None and empty["nps"]["score"] is None and empty["average_rating"] is None
