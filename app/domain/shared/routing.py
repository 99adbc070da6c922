"""Routing by rules, shared by leads and tickets: a tenant's ordered assignment rules send a record
without an owner to one user, or to a department's active users who may work the records, in turn
(round robin) or to whoever has the fewest open ones. A record no rule takes stays unassigned.

A module's rule says which records it takes (`takes`); its repository finds the candidates (who
works that resource, and how many open records each holds) and keeps each rule's turn."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.configured import ConfiguredRecords
from app.domain.shared.errors import ValidationFailed


class Method(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"


class RoutingRule(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def user_id(self) -> UUID | None: ...
    @property
    def department_id(self) -> UUID | None: ...
    @property
    def method(self) -> str: ...
    def takes(self, record: dict[str, Any]) -> bool: ...


Rule = TypeVar("Rule", bound=RoutingRule)


class RoutingRules(Protocol[Rule]):
    async def next_turn(self, tenant_id: UUID, rule_id: UUID) -> int:
        """This rule's round-robin counter, then advanced (serialized per rule)."""
        ...

    async def candidates(self, tenant_id: UUID, department_id: UUID) -> list[tuple[UUID, int]]:
        """(user, open records) for the department's active users who may work them, by user id."""
        ...

    async def active_user_department(self, tenant_id: UUID, user_id: UUID) -> tuple[bool, UUID | None] | None: ...

    # Last: in the class body, `list` names this method from here on.
    async def list(self, tenant_id: UUID) -> list[Rule]:
        """The tenant's live rules in position order."""
        ...


@dataclass(frozen=True, slots=True)
class Routed(Generic[Rule]):
    owner_id: UUID | None
    department_id: UUID | None
    rule: Rule | None  # None: no rule took the record (the queue)


def check_rule(values: dict[str, Any]) -> None:
    """A rule sends records to exactly one user or one department."""
    if (values.get("user_id") is None) == (values.get("department_id") is None):
        raise ValidationFailed.one("user_id", "give exactly one of user_id and department_id")


class RoutingRuleService(ConfiguredRecords[Rule]):
    """A module's assignment rules as a configured list: one target each, appended last by default."""

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: Rule | None) -> None:
        merged = {**asdict(current), **values} if current is not None else values  # type: ignore[call-overload]
        check_rule(merged)
        if current is None and values.get("position") is None:
            existing = await self.records.list(principal.tenant_id)
            values["position"] = max((getattr(rule, "position", 0) for rule in existing), default=0) + 10


async def route(rules: RoutingRules[Rule], tenant_id: UUID, record: dict[str, Any]) -> Routed[Rule]:
    """The first rule that takes the record and has someone to give it to decides its owner."""
    for rule in await rules.list(tenant_id):  # in position order
        if not rule.takes(record):
            continue
        if rule.user_id is not None:
            found = await rules.active_user_department(tenant_id, rule.user_id)
            if found is not None and found[0]:
                return Routed(rule.user_id, found[1], rule)
            continue
        assert rule.department_id is not None
        people = await rules.candidates(tenant_id, rule.department_id)
        if not people:
            continue
        if rule.method == Method.LEAST_OPEN:
            owner = min(people, key=lambda p: (p[1], p[0]))[0]
        else:
            owner = people[await rules.next_turn(tenant_id, rule.id) % len(people)][0]
        return Routed(owner, rule.department_id, rule)
    return Routed(None, None, None)
