"""Segments: saved, dynamic audiences of contacts and leads (issue 14).

A segment is a name, an audience (contacts, leads or both) and a condition tree
(app/domain/shared/conditions.py). It holds no members: each preview or freeze evaluates the tree
now, through the caller's data ranges (contacts:read and leads:read; a caller without one of them
sees none of those records), in one SQL statement (app/repositories/segments.py).

- segments:read lists, reads and previews; segments:create / update / delete keep them. Segments
  are tenant-wide (not owned): anyone with segments:read sees every segment, and what a preview
  counts still depends on who asks.
- The tree is checked against the declared fields whenever it is saved (422 naming the bad
  condition's path) and again whenever it is evaluated: a custom field removed since makes a saved
  segment answer 422 too, never a wrong audience.
- Freezing copies the audience into a campaign's members (status targeted, source segment) in one
  INSERT ... SELECT; members already there are kept as they are and counted. The campaign must be
  within the caller's campaigns *update* range (404 otherwise).
Every write is audited and published to the outbox (`segment.created`, `segment.updated`,
`segment.deleted`, `segment.restored`, `segment.frozen`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.shared import clock
from app.domain.shared.conditions import CUSTOM_ENTITY, FieldSpec, Group, Schema, dump, parse, schema_for
from app.domain.shared.errors import NotFound, PreconditionFailed
from app.domain.shared.ports import AuditTrail, NewEvent, diff
from app.domain.shared.scope import DataScope

RESOURCE = "segments"
ENTITY = "segment"
SAMPLE_SIZE = 20


class Audience(StrEnum):
    CONTACTS = "contacts"
    LEADS = "leads"
    BOTH = "both"

    @property
    def entities(self) -> tuple[str, ...]:
        return ("contacts", "leads") if self is Audience.BOTH else (self.value,)


@dataclass(slots=True)
class Segment:
    id: UUID
    name: str
    description: str | None
    audience: str
    conditions: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


@dataclass(slots=True)
class Preview:
    count: int
    # {id, kind (contact | lead), name, email, phone, company}
    sample: list[dict[str, Any]]


@dataclass(slots=True)
class Frozen:
    campaign_id: UUID
    matched: int
    added: int
    already_members: int


class SegmentRepository(Protocol):
    async def list(self, tenant_id: UUID) -> list[Segment]: ...
    async def get(self, tenant_id: UUID, segment_id: UUID, *, for_update: bool = False) -> Segment | None: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Segment: ...
    async def update(self, tenant_id: UUID, segment_id: UUID, actor: UUID, values: dict[str, Any]) -> Segment: ...
    async def delete(self, tenant_id: UUID, segment_id: UUID, actor: UUID) -> None: ...
    async def restore(self, tenant_id: UUID, segment_id: UUID, actor: UUID) -> Segment | None: ...


class AudienceRepository(Protocol):
    """Evaluates trees over contacts and leads: `scopes` maps each entity of the audience to the
    caller's read range on it."""

    async def preview(self, scopes: dict[str, DataScope], tree: Group, now: datetime, sample: int) -> Preview: ...

    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID) -> bool:
        """Whether the live campaign is within `scope` (locked for the freeze's transaction)."""
        ...

    async def freeze(
        self, scopes: dict[str, DataScope], tree: Group, now: datetime, campaign_id: UUID, actor: UUID
    ) -> tuple[int, int]:
        """Insert the matching records as the campaign's members: (matched, added)."""
        ...


class CustomFieldReader(Protocol):
    async def list_all(self, tenant_id: UUID, entity: str | None) -> list[CustomFieldDef]: ...


class SegmentService:
    def __init__(
        self,
        segments: SegmentRepository,
        audiences: AudienceRepository,
        custom_fields: CustomFieldReader,
        audit: AuditTrail,
    ) -> None:
        self.segments = segments
        self.audiences = audiences
        self.custom_fields = custom_fields
        self.audit = audit  # publishes each write's outbox event in the same statement

    # -- the tree ----------------------------------------------------------------------------

    async def schema(self, principal: Principal, audience: Audience) -> Schema:
        """The fields a tree may use for this audience: the declared ones and the tenant's custom fields."""
        custom = {
            entity: await self.custom_fields.list_all(principal.tenant_id, CUSTOM_ENTITY[entity])
            for entity in audience.entities
        }
        return schema_for(audience.entities, custom)

    async def parse(self, principal: Principal, audience: Audience, raw: Any, path: str = "conditions") -> Group:
        """The typed tree of `raw` for this audience, or 422 naming each bad condition's path."""
        return parse(raw, await self.schema(principal, audience), path)

    async def fields(self, principal: Principal, audience: Audience) -> list[FieldSpec]:
        """What the segment builder offers: each field with its kind, operators and choices."""
        principal.require(RESOURCE, "read")
        return list((await self.schema(principal, audience)).fields.values())

    @staticmethod
    def _scopes(principal: Principal, audience: Audience) -> dict[str, DataScope]:
        """The caller's read range per entity; none without the read permission (deny by default)."""
        return {
            entity: principal.scope(entity, "read")
            if principal.can(entity, "read")
            else DataScope(principal.tenant_id, principal.user_id, principal.department_ids, ())
            for entity in audience.entities
        }

    # -- reads -------------------------------------------------------------------------------

    async def list(self, principal: Principal) -> list[Segment]:
        principal.require(RESOURCE, "read")
        return await self.segments.list(principal.tenant_id)

    async def get(self, principal: Principal, segment_id: UUID) -> Segment:
        principal.require(RESOURCE, "read")
        return await self._get(principal, segment_id)

    async def preview(self, principal: Principal, segment_id: UUID) -> Preview:
        segment = await self.get(principal, segment_id)
        return await self.preview_unsaved(principal, Audience(segment.audience), segment.conditions)

    async def preview_unsaved(self, principal: Principal, audience: Audience, conditions: Any) -> Preview:
        """How many records match and a sample of them, within the caller's ranges."""
        principal.require(RESOURCE, "read")
        tree = await self.parse(principal, audience, conditions)
        return await self.audiences.preview(self._scopes(principal, audience), tree, clock.utcnow(), SAMPLE_SIZE)

    # -- writes ------------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any]) -> Segment:
        principal.require(RESOURCE, "create")
        audience = Audience(values["audience"])
        values["audience"] = audience.value
        values["conditions"] = dump(await self.parse(principal, audience, values["conditions"]))
        made = await self.segments.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "created", made.id, diff(None, _comparable(made)), _comparable(made))
        return made

    async def update(
        self, principal: Principal, segment_id: UUID, changes: dict[str, Any], *, expected_version: int | None
    ) -> Segment:
        principal.require(RESOURCE, "update")
        current = await self._locked(principal, segment_id, expected_version)
        audience = Audience(changes.get("audience") or current.audience)
        if "audience" in changes or "conditions" in changes:
            # A new audience re-checks the kept tree: its fields must exist for the new entities.
            raw = changes.get("conditions", current.conditions)
            changes["conditions"] = dump(await self.parse(principal, audience, raw))
            changes["audience"] = audience.value
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return current
        updated = await self.segments.update(principal.tenant_id, segment_id, principal.user_id, changes)
        change_set = diff(_comparable(current), _comparable(updated))
        await self._record(principal, "updated", segment_id, change_set, {"id": segment_id, "changes": change_set})
        return updated

    async def delete(self, principal: Principal, segment_id: UUID) -> None:
        principal.require(RESOURCE, "delete")
        await self._get(principal, segment_id)
        await self.segments.delete(principal.tenant_id, segment_id, principal.user_id)
        deleted = {"deleted": {"before": False, "after": True}}
        await self._record(principal, "deleted", segment_id, deleted, {"id": segment_id})

    async def restore(self, principal: Principal, segment_id: UUID) -> Segment:
        principal.require(RESOURCE, "delete")
        restored = await self.segments.restore(principal.tenant_id, segment_id, principal.user_id)
        if restored is None:
            raise NotFound("no deleted segment with this id")
        undeleted = {"deleted": {"before": True, "after": False}}
        await self._record(principal, "restored", segment_id, undeleted, {"id": segment_id})
        return restored

    async def freeze(self, principal: Principal, segment_id: UUID, campaign_id: UUID) -> Frozen:
        """A static snapshot of the audience as the campaign's members (status targeted)."""
        principal.require(RESOURCE, "read")
        segment = await self._get(principal, segment_id)
        campaigns = principal.scope("campaigns", "update")
        if not await self.audiences.campaign_in_scope(campaigns, campaign_id):
            raise NotFound("no such campaign")
        audience = Audience(segment.audience)
        tree = await self.parse(principal, audience, segment.conditions)
        scopes = self._scopes(principal, audience)
        matched, added = await self.audiences.freeze(scopes, tree, clock.utcnow(), campaign_id, principal.user_id)
        frozen = Frozen(campaign_id, matched, added, matched - added)
        facts = {"segment_id": segment_id, **asdict(frozen)}
        changes = {"campaign_id": {"before": None, "after": campaign_id}, "added": {"before": 0, "after": added}}
        await self.audit.record(
            principal, f"{ENTITY}.frozen", RESOURCE, segment_id, changes,
            events=[NewEvent(f"{ENTITY}.frozen", ENTITY, segment_id, facts)],
        )  # fmt: skip
        return frozen

    # -- helpers -----------------------------------------------------------------------------

    async def _get(self, principal: Principal, segment_id: UUID) -> Segment:
        found = await self.segments.get(principal.tenant_id, segment_id)
        if found is None:
            raise NotFound("no such segment")
        return found

    async def _locked(self, principal: Principal, segment_id: UUID, expected_version: int | None) -> Segment:
        current = await self.segments.get(principal.tenant_id, segment_id, for_update=True)
        if current is None:
            raise NotFound("no such segment")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the segment is at version {current.version}, not {expected_version}")
        return current

    async def _record(
        self, principal: Principal, event: str, segment_id: UUID, changes: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        name = f"{ENTITY}.{event}"
        await self.audit.record(
            principal, name, RESOURCE, segment_id, changes, events=[NewEvent(name, ENTITY, segment_id, payload)]
        )


def _comparable(segment: Segment) -> dict[str, Any]:
    keep = ("id", "name", "description", "audience", "conditions")
    return {k: getattr(segment, k) for k in keep}
