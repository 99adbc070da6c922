"""Campaign use cases: the campaign itself (an owned record: app/domain/shared/owned.py), its
sessions, and its members.

Sessions and members belong to a campaign: reading them needs the campaign within the caller's
campaigns:read range, changing them campaigns:update on it. A member is also a contact or a lead,
so the caller sees (and adds, moves, removes) only members whose contact or lead is within their
contacts:read / leads:read range: a sales rep reading an event sees which of their own contacts
came, not everyone's addresses. Every change is audited on the campaign and published to the
outbox (`campaign_session.*`, `campaign_member.added|removed|<step>`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from app.auth.principal import Principal
from app.domain.custom_fields.entities import validate_values
from app.domain.marketing.campaign_entities import (
    CAMPAIGN_STATUSES,
    CAMPAIGN_TYPES,
    SESSION_TYPES,
    AddedMembers,
    Campaign,
    CampaignSession,
    Member,
    MemberQuery,
    Refused,
    can_move,
)
from app.domain.marketing.campaign_ports import CampaignRepository, MemberRepository, SessionRepository
from app.domain.marketing.funnel import FUNNEL, STATUSES, advanced
from app.domain.shared.access import scope_or_empty
from app.domain.shared.conditions import parse_json_tree, schema_for
from app.domain.shared.errors import InvalidTransition, NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.owned import OwnedRecords, fields_of
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, NewEvent, diff
from app.domain.shared.scope import DataScope

# Statuses a new campaign may start in: a campaign already under way can be entered as running;
# finished ones are reached through the lifecycle.
START_STATUSES = ("draft", "scheduled", "running")
LIFECYCLE = "draft -> scheduled -> running -> completed, or cancelled before it is finished"
# How deep a parent chain may go (campaign programmes nest a level or two).
MAX_DEPTH = 20
MAX_MEMBERS_PER_CALL = 1000


class CampaignService(OwnedRecords[Campaign]):
    resource = "campaigns"
    entity = "campaign"
    records: CampaignRepository

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        if values.get("currency") is None:
            values.pop("currency", None)  # the column's default
        _check_type(values)
        status = values.setdefault("status", "draft")
        if status not in START_STATUSES:
            raise ValidationFailed.one("status", f"a new campaign is {', '.join(START_STATUSES)}; then {LIFECYCLE}")
        _check_dates(values.get("starts_on"), values.get("ends_on"))
        if values.get("parent_id") is not None:
            await self._check_parent(principal, None, values["parent_id"])

    async def _prepare_update(
        self, principal: Principal, current: Campaign, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        _check_type(changes)
        if "custom_fields" in changes:
            _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        if "currency" in changes and changes["currency"] is None:
            raise ValidationFailed.one("currency", "cannot be removed")
        target = changes.get("status", current.status)
        if not can_move(current.status, target):
            raise InvalidTransition(f"a {current.status} campaign cannot become {target}: {LIFECYCLE}")
        _check_dates(changes.get("starts_on", current.starts_on), changes.get("ends_on", current.ends_on))
        parent = changes.get("parent_id")
        if parent is not None and parent != current.parent_id:
            await self._check_parent(principal, current.id, parent)

    async def _check_parent(self, principal: Principal, campaign_id: UUID | None, parent_id: UUID) -> None:
        """The parent is a live campaign the caller reads, and not the campaign itself or one of
        its descendants (which would close a cycle)."""
        if parent_id == campaign_id:
            raise ValidationFailed.one("parent_id", "a campaign cannot be its own parent")
        if await self.records.get(self._read_scope(principal), parent_id) is None:
            raise ValidationFailed.one("parent_id", "no such campaign")
        if campaign_id is None:
            return
        chain = await self.records.ancestors(principal.tenant_id, parent_id)
        if campaign_id in chain:
            raise ValidationFailed.one("parent_id", "is a sub-campaign of this campaign (that would make a cycle)")
        if len(chain) >= MAX_DEPTH:
            raise ValidationFailed.one("parent_id", f"campaigns nest at most {MAX_DEPTH} levels deep")

    async def _record(
        self,
        principal: Principal | None,
        event: str,
        record: Campaign,
        changes: dict[str, Any],
        *,
        tenant_id: UUID | None = None,
        one_statement: bool = False,
    ) -> None:
        """Also `campaign.status_changed` when the status moved (what automations listen to)."""
        await super()._record(principal, event, record, changes, tenant_id=tenant_id, one_statement=one_statement)
        moved = changes.get("status")
        if event in ("updated", "assigned") and moved is not None:
            tenant = tenant_id or (principal.tenant_id if principal else None)
            assert tenant is not None
            payload = {"id": record.id, "before": moved["before"], "after": moved["after"]}
            await self.outbox.publish(tenant, "campaign.status_changed", self.entity, record.id, payload)


def _check_type(values: dict[str, Any]) -> None:
    if "campaign_type" in values and values["campaign_type"] not in CAMPAIGN_TYPES:
        raise ValidationFailed.one("campaign_type", f"must be one of {', '.join(CAMPAIGN_TYPES)}")
    if "status" in values and values["status"] not in CAMPAIGN_STATUSES:
        raise ValidationFailed.one("status", f"must be one of {', '.join(CAMPAIGN_STATUSES)}")


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValidationFailed.one("ends_on", "must not be before starts_on")


class _OnCampaign:
    """What sessions and members share: their campaign, found within the caller's range."""

    entity: ClassVar[str]

    def __init__(self, campaigns: CampaignRepository, audit: AuditTrail, outbox: EventOutbox) -> None:
        self.campaigns = campaigns
        self.audit = audit
        self.outbox = outbox

    async def _campaign(self, principal: Principal, campaign_id: UUID, action: str) -> Campaign:
        found = await self.campaigns.get(principal.scope("campaigns", action), campaign_id)
        if found is None:
            raise NotFound("no such campaign")
        return found

    async def _audit(
        self, principal: Principal, event: str, campaign_id: UUID, changes: dict[str, Any], events: list[NewEvent]
    ) -> None:
        """One audit entry on the campaign (its history shows its sessions and members) and its events."""
        await self.audit.record(principal, f"{self.entity}.{event}", "campaigns", campaign_id, changes, events=events)


class SessionService(_OnCampaign):
    entity = "campaign_session"

    def __init__(
        self, campaigns: CampaignRepository, sessions: SessionRepository, audit: AuditTrail, outbox: EventOutbox
    ) -> None:
        super().__init__(campaigns, audit, outbox)
        self.sessions = sessions

    async def list(self, principal: Principal, campaign_id: UUID) -> list[CampaignSession]:
        await self._campaign(principal, campaign_id, "read")
        return await self.sessions.list(principal.tenant_id, campaign_id)

    async def create(self, principal: Principal, campaign_id: UUID, values: dict[str, Any]) -> CampaignSession:
        campaign = await self._campaign(principal, campaign_id, "update")
        if campaign.campaign_type not in SESSION_TYPES:
            raise ValidationFailed.one(
                "campaign_id", "sessions belong to events, webinars and trade shows, not to this campaign's type"
            )
        _check_times(values.get("starts_at"), values.get("ends_at"))
        session = await self.sessions.insert(principal.tenant_id, campaign_id, principal.user_id, values)
        await self._publish(principal, "created", session, diff(None, _session_fields(session)))
        return session

    async def update(
        self,
        principal: Principal,
        campaign_id: UUID,
        session_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> CampaignSession:
        await self._campaign(principal, campaign_id, "update")
        current = await self._session(principal, campaign_id, session_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the session is at version {current.version}, not {expected_version}")
        for required in ("name", "starts_at"):
            if required in changes and changes[required] is None:
                raise ValidationFailed.one(required, "cannot be removed")
        _check_times(changes.get("starts_at", current.starts_at), changes.get("ends_at", current.ends_at))
        updated = await self.sessions.update(principal.tenant_id, session_id, principal.user_id, changes)
        changed = diff(_session_fields(current), _session_fields(updated))
        if changed:
            await self._publish(principal, "updated", updated, changed)
        return updated

    async def delete(self, principal: Principal, campaign_id: UUID, session_id: UUID) -> None:
        await self._campaign(principal, campaign_id, "update")
        current = await self._session(principal, campaign_id, session_id)
        released = await self.sessions.delete(principal.tenant_id, session_id, principal.user_id)
        changes = {"deleted": {"before": False, "after": True}, "members_released": {"before": 0, "after": released}}
        await self._publish(principal, "deleted", current, changes)

    async def _session(self, principal: Principal, campaign_id: UUID, session_id: UUID) -> CampaignSession:
        found = await self.sessions.get(principal.tenant_id, campaign_id, session_id, for_update=True)
        if found is None:
            raise NotFound("no such session of this campaign")
        return found

    async def _publish(
        self, principal: Principal, event: str, session: CampaignSession, changes: dict[str, Any]
    ) -> None:
        payload = {"id": session.id, "campaign_id": session.campaign_id, "changes": changes}
        events = [NewEvent(f"{self.entity}.{event}", self.entity, session.id, payload)]
        await self._audit(principal, event, session.campaign_id, {"session_id": session.id, **changes}, events)


def _session_fields(session: CampaignSession) -> dict[str, Any]:
    fields = fields_of(session)
    for name in ("updated_at", "version", "created_at"):
        fields.pop(name)
    return fields


def _check_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise ValidationFailed.one("ends_at", "must not be before starts_at")


# Statuses a person may set by hand (the others come from sends and tracking too, and are
# allowed for a record kept elsewhere; "targeted" is where every member starts).
SETTABLE = tuple(s for s in STATUSES if s != "targeted")


class MemberService(_OnCampaign):
    entity = "campaign_member"

    def __init__(
        self, campaigns: CampaignRepository, members: MemberRepository, audit: AuditTrail, outbox: EventOutbox
    ) -> None:
        super().__init__(campaigns, audit, outbox)
        self.members = members

    def _ranges(self, principal: Principal) -> tuple[DataScope, DataScope]:
        return scope_or_empty(principal, "contacts", "read"), scope_or_empty(principal, "leads", "read")

    async def list_page(
        self, principal: Principal, campaign_id: UUID, query: MemberQuery, where: str | None = None
    ) -> Page[Member]:
        """The campaign's members as the caller sees them; `where` is a JSON condition tree over
        members (a report's drill-down), ANDed with the other filters (422 naming the bad condition)."""
        await self._campaign(principal, campaign_id, "read")
        if where is not None:
            query = replace(query, where=parse_json_tree(where, schema_for(("campaign_members",)), "where"))
        return await self.members.list_page(campaign_id, *self._ranges(principal), query)

    async def funnel(self, principal: Principal, campaign_id: UUID) -> dict[str, int]:
        """Members by status (every status, zeros included), as the caller sees them."""
        await self._campaign(principal, campaign_id, "read")
        counts = await self.members.funnel(campaign_id, *self._ranges(principal))
        return {status: counts.get(status, 0) for status in STATUSES}

    async def get(self, principal: Principal, campaign_id: UUID, member_id: UUID) -> Member:
        await self._campaign(principal, campaign_id, "read")
        return await self._member(principal, campaign_id, member_id)

    async def add(
        self,
        principal: Principal,
        campaign_id: UUID,
        contact_ids: list[UUID],
        lead_ids: list[UUID],
        *,
        source: str = "manual",
    ) -> AddedMembers:
        """Add contacts and leads within the caller's range; an unknown, deleted or out-of-range
        id is refused (named in the answer), one already a member is skipped."""
        contact_ids, lead_ids = list(dict.fromkeys(contact_ids)), list(dict.fromkeys(lead_ids))
        if not contact_ids and not lead_ids:
            raise ValidationFailed.one("contact_ids", "give at least one contact or lead id")
        if len(contact_ids) + len(lead_ids) > MAX_MEMBERS_PER_CALL:
            raise ValidationFailed.one("contact_ids", f"at most {MAX_MEMBERS_PER_CALL} ids per call")
        await self._campaign(principal, campaign_id, "update")
        contacts_scope, leads_scope = self._ranges(principal)
        visible_contacts = await self.members.visible_ids(contacts_scope, "contact", contact_ids)
        visible_leads = await self.members.visible_ids(leads_scope, "lead", lead_ids)
        refused = [Refused(i, "contact", "not_found") for i in contact_ids if i not in visible_contacts]
        refused += [Refused(i, "lead", "not_found") for i in lead_ids if i not in visible_leads]
        wanted_contacts = [i for i in contact_ids if i in visible_contacts]
        wanted_leads = [i for i in lead_ids if i in visible_leads]
        added = await self.members.add(
            principal.tenant_id, campaign_id, principal.user_id, wanted_contacts, wanted_leads, source
        )
        new_contacts = {m.contact_id for m in added}
        new_leads = {m.lead_id for m in added}
        already = [i for i in wanted_contacts if i not in new_contacts]
        already += [i for i in wanted_leads if i not in new_leads]
        if added:
            events = [
                NewEvent(
                    f"{self.entity}.added",
                    self.entity,
                    m.id,
                    _member_payload(campaign_id, m.id, m.contact_id, m.lead_id, "added"),
                )
                for m in added
            ]
            changes = {
                "members_added": {"before": None, "after": len(added)},
                "contact_ids": {"before": None, "after": [m.contact_id for m in added if m.contact_id]},
                "lead_ids": {"before": None, "after": [m.lead_id for m in added if m.lead_id]},
                "source": {"before": None, "after": source},
            }
            await self.audit.record(principal, f"{self.entity}.added", "campaigns", campaign_id, changes)
            await self.members.publish(principal.tenant_id, events)
        return AddedMembers(added, already, refused)

    async def move(
        self,
        principal: Principal,
        campaign_id: UUID,
        member_id: UUID,
        status: str,
        *,
        expected_version: int | None = None,
    ) -> Member:
        """Move a member forward to `status` (marked by hand: responded, converted, attended...).
        Asking for the status it has changes nothing; a step back, or any move of a bounced or
        unsubscribed member, is a 409."""
        if status not in SETTABLE:
            raise ValidationFailed.one("status", f"must be one of {', '.join(SETTABLE)}")
        await self._campaign(principal, campaign_id, "update")
        current = await self._member(principal, campaign_id, member_id, for_update=True)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the member is at version {current.version}, not {expected_version}")
        if status == current.status:
            return current
        if advanced(current.status, status) == current.status:
            raise InvalidTransition(
                f"the member is {current.status}: a member only moves forward ({' -> '.join(FUNNEL)}), "
                "and a bounced or unsubscribed member stays so",
                member_id=str(member_id),
            )
        changed = await self.members.advance(principal.tenant_id, status, [member_id], principal.user_id)
        if changed:
            payload = _member_payload(campaign_id, member_id, current.contact_id, current.lead_id, status)
            events = [NewEvent(f"{self.entity}.{status}", self.entity, member_id, payload)]
            changes = {"member_id": member_id, "status": {"before": current.status, "after": status}}
            await self._audit(principal, status, campaign_id, changes, events)
        return await self._member(principal, campaign_id, member_id)

    async def remove(self, principal: Principal, campaign_id: UUID, member_id: UUID) -> None:
        await self._campaign(principal, campaign_id, "update")
        current = await self._member(principal, campaign_id, member_id, for_update=True)
        await self.members.remove(principal.tenant_id, member_id, principal.user_id)
        payload = _member_payload(campaign_id, member_id, current.contact_id, current.lead_id, "removed")
        events = [NewEvent(f"{self.entity}.removed", self.entity, member_id, payload)]
        changes = {"member_id": member_id, "deleted": {"before": False, "after": True}, "status": current.status}
        await self._audit(principal, "removed", campaign_id, changes, events)

    async def _member(
        self, principal: Principal, campaign_id: UUID, member_id: UUID, *, for_update: bool = False
    ) -> Member:
        found = await self.members.get(campaign_id, member_id, *self._ranges(principal), for_update=for_update)
        if found is None:
            raise NotFound("no such member of this campaign")
        return found


def _member_payload(
    campaign_id: UUID, member_id: UUID, contact_id: UUID | None, lead_id: UUID | None, step: str
) -> dict[str, Any]:
    """The payload every `campaign_member.*` event carries (agreed between the marketing modules)."""
    subject = {"contact_id": contact_id} if contact_id is not None else {"lead_id": lead_id}
    return {"campaign_id": campaign_id, "member_id": member_id, **subject, "step": step}
