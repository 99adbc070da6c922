"""Survey results from the counts the repository takes in SQL: the arithmetic, without I/O.

- CSAT % = share of 4 and 5 among the answers to the survey's first rating question (1-5).
- NPS = % promoters (9-10) - % detractors (0-6) among the answers to its first NPS question (0-10),
  from -100 to 100.
- Per question: how many responses answered it and how often each value was given (for a
  multiple-choice question a response counts once per choice it picked); the average of a rating
  or NPS question.
"""

from __future__ import annotations

from typing import Any

from app.domain.surveys.entities import Survey
from app.domain.surveys.questions import RANGES, QuestionType, first_of


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def headline(counts: dict[str, Any]) -> dict[str, Any]:
    """{responses, csat, nps, average_rating} from one set of counts (a whole result or a group)."""
    nps_n = counts["nps_answered"]
    nps = None
    if nps_n:
        nps = round(100 * (counts["promoters"] - counts["detractors"]) / nps_n, 1)
    rating_n = counts["csat_answered"]
    return {
        "responses": counts["responses"],
        "csat": {
            "answered": rating_n,
            "satisfied": counts["csat_satisfied"],
            "percent": percent(counts["csat_satisfied"], rating_n),
        },
        "nps": {
            "answered": nps_n,
            "promoters": counts["promoters"],
            "passives": nps_n - counts["promoters"] - counts["detractors"],
            "detractors": counts["detractors"],
            "score": nps,
        },
        "average_rating": round(counts["rating_sum"] / rating_n, 2) if rating_n else None,
    }


def summarize(survey: Survey, raw: dict[str, Any]) -> dict[str, Any]:
    distribution: dict[str, dict[Any, int]] = raw["distribution"]
    questions = []
    for q in survey.questions:
        kind = QuestionType(q["type"])
        counts = distribution.get(q["id"], {})
        item: dict[str, Any] = {
            "id": q["id"],
            "type": kind.value,
            "text": q["text"],
            "answered": raw["answered"].get(q["id"], 0),
            "distribution": [],
            "average": None,
        }
        if kind in RANGES:
            low, high = RANGES[kind]
            item["distribution"] = [{"value": v, "count": counts.get(v, 0)} for v in range(low, high + 1)]
            given = sum(counts.get(v, 0) for v in range(low, high + 1))
            if given:
                item["average"] = round(sum(v * counts.get(v, 0) for v in range(low, high + 1)) / given, 2)
        elif kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            item["distribution"] = [{"value": c, "count": counts.get(c, 0)} for c in q["choices"]]
        questions.append(item)
    return {
        "survey_id": survey.id,
        "csat_question_id": first_of(survey.questions, QuestionType.RATING),
        "nps_question_id": first_of(survey.questions, QuestionType.NPS),
        **headline(raw["overall"]),
        "questions": questions,
        "groups": [{"key": g["key"], "label": g["label"], **headline(g)} for g in raw["groups"]],
        "comments": raw["comments"],
    }
