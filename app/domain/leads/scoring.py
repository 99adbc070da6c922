"""Lead scoring: a tenant's rules give points for what a lead says about itself (source is a
referral: +20; has a phone: +5; title contains "经理" or "manager": +10). The score is the sum of
the rules that fire, recomputed on every change, and the lead keeps which rules fired so that it
explains itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.errors import ValidationFailed


class RuleOp(StrEnum):
    EQUALS = "equals"  # the field's value equals `value` (case-insensitive for text)
    CONTAINS = "contains"  # the text contains `value` (case-insensitive); a list holds it
    PRESENT = "present"  # the field has a value


# Lead fields a rule may look at; `custom.<key>` reaches a custom field.
SCORABLE = frozenset({"name", "company", "title", "phone", "email", "source", "rating", "region_id", "tags"})


@dataclass(slots=True)
class ScoringRule:
    id: UUID
    label: str
    field: str
    op: str
    value: str | None
    points: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


def check_rule(field: str, op: str, value: str | None) -> None:
    """422 for a rule that could never be evaluated."""
    if field not in SCORABLE and not (field.startswith("custom.") and len(field) > len("custom.")):
        raise ValidationFailed.one("field", f"must be one of {', '.join(sorted(SCORABLE))} or custom.<key>")
    if op != RuleOp.PRESENT and not value:
        raise ValidationFailed.one("value", f"is required for the {op} operator")


def _field_value(values: dict[str, Any], field: str) -> Any:
    if field.startswith("custom."):
        return (values.get("custom_fields") or {}).get(field[len("custom.") :])
    return values.get(field)


def fires(rule: ScoringRule, values: dict[str, Any]) -> bool:
    found = _field_value(values, rule.field)
    if found is None or found == "" or found == []:
        return False
    if rule.op == RuleOp.PRESENT:
        return True
    wanted = (rule.value or "").casefold()
    items = found if isinstance(found, list) else [found]
    texts = [str(item).casefold() for item in items]
    if rule.op == RuleOp.EQUALS:
        return wanted in texts
    return any(wanted in text for text in texts)


def score(rules: list[ScoringRule], values: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """(total points, the active rules that fired) for a lead's values."""
    fired: list[dict[str, Any]] = [
        {"rule_id": rule.id, "label": rule.label, "points": rule.points}
        for rule in rules
        if rule.active and fires(rule, values)
    ]
    return sum(f["points"] for f in fired), fired
