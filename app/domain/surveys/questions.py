"""A survey's questions and the checking of answers against them, without I/O.

Question types: `rating` (1-5, the CSAT scale: 4 and 5 count as satisfied), `nps` (0-10: 9-10
promoters, 7-8 passives, 0-6 detractors), `single` and `multiple` (among the question's choices)
and `text`. Answers are `{question id: value}`; a question not answered is left out (or null),
which only a required question refuses.
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum
from typing import Any

from app.domain.shared.errors import FieldError, ValidationFailed


class QuestionType(StrEnum):
    RATING = "rating"
    NPS = "nps"
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"


RANGES = {QuestionType.RATING: (1, 5), QuestionType.NPS: (0, 10)}
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
MAX_QUESTIONS = 50
MAX_CHOICES = 20
MAX_TEXT_ANSWER = 2000
QUESTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def new_question_id() -> str:
    return "q_" + secrets.token_hex(4)


def normalize_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a survey's questions (ids unique, choices only and always for choice questions) and
    return them in their stored shape; a question without an id gets one."""
    errors: list[FieldError] = []
    if not questions:
        errors.append(FieldError("questions", "a survey needs at least one question"))
    if len(questions) > MAX_QUESTIONS:
        errors.append(FieldError("questions", f"at most {MAX_QUESTIONS} questions"))
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for i, q in enumerate(questions):
        where = f"questions.{i}"
        kind = QuestionType(q["type"])
        qid = q.get("id") or new_question_id()
        if not QUESTION_ID.match(qid):
            errors.append(FieldError(f"{where}.id", "letters, digits, _ and - only (at most 40)"))
        elif qid in seen:
            errors.append(FieldError(f"{where}.id", "is used by another question"))
        seen.add(qid)
        choices = [c.strip() for c in q.get("choices") or []]
        if kind in CHOICE_TYPES:
            if len(choices) < 2 or len(choices) > MAX_CHOICES:
                errors.append(FieldError(f"{where}.choices", f"a choice question needs 2 to {MAX_CHOICES} choices"))
            elif any(not c for c in choices) or len(set(choices)) != len(choices):
                errors.append(FieldError(f"{where}.choices", "choices must be distinct and not empty"))
        elif choices:
            errors.append(FieldError(f"{where}.choices", f"a {kind} question takes no choices"))
        out.append(
            {
                "id": qid,
                "type": kind.value,
                "text": q["text"].strip(),
                "required": bool(q.get("required", False)),
                "choices": choices if kind in CHOICE_TYPES else [],
            }
        )
    if errors:
        raise ValidationFailed(errors, f"{errors[0].field}: {errors[0].message}")
    return out


def check_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored (unanswered questions left out), or ValidationFailed naming every
    bad one as `answers.<question id>`."""
    errors: list[FieldError] = []
    by_id = {q["id"]: q for q in questions}
    for key in answers:
        if key not in by_id:
            errors.append(FieldError(f"answers.{key}", "no such question in this survey"))
    out: dict[str, Any] = {}
    for q in questions:
        value = answers.get(q["id"])
        if isinstance(value, str) and q["type"] == QuestionType.TEXT:
            value = value.strip() or None
        if value is None or value == []:
            if q["required"]:
                errors.append(FieldError(f"answers.{q['id']}", "is required"))
            continue
        problem = _problem(q, value)
        if problem:
            errors.append(FieldError(f"answers.{q['id']}", problem))
        else:
            out[q["id"]] = value
    if errors:
        raise ValidationFailed(errors, f"{errors[0].field}: {errors[0].message}")
    return out


def _problem(q: dict[str, Any], value: Any) -> str | None:
    kind = QuestionType(q["type"])
    if kind in RANGES:
        low, high = RANGES[kind]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"must be a whole number from {low} to {high}"
    elif kind == QuestionType.SINGLE:
        if not isinstance(value, str) or value not in q["choices"]:
            return "must be one of the question's choices"
    elif kind == QuestionType.MULTIPLE:
        if not isinstance(value, list) or not all(isinstance(v, str) and v in q["choices"] for v in value):
            return "must be a list of the question's choices"
        if len(set(value)) != len(value):
            return "names a choice twice"
    elif not isinstance(value, str) or len(value) > MAX_TEXT_ANSWER:
        return f"must be text of at most {MAX_TEXT_ANSWER} characters"
    return None


def first_of(questions: list[dict[str, Any]], kind: QuestionType) -> str | None:
    """The id of the survey's first question of this type: the first rating question is the CSAT
    question, the first NPS question the NPS question."""
    return next((q["id"] for q in questions if q["type"] == kind), None)
