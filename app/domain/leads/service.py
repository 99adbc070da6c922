"""Lead use cases: the shared owned-record ones (app/domain/shared/owned.py) plus the lead's own
rules: duplicates refused across leads, contacts and customers; the score recomputed from the
tenant's rules on every change; status rules; and conversion into a customer and a contact in
the caller's one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.entities import Contact
from app.domain.contacts.service import ContactService
from app.domain.custom_fields.entities import validate_values
from app.domain.customers.entities import Customer
from app.domain.customers.service import CustomerService
from app.domain.leads import routing
from app.domain.leads.entities import Lead, LeadStatus
from app.domain.leads.ports import AssignmentRuleRepository, DuplicateFinder, LeadRepository, ScoringRuleRepository
from app.domain.leads.routing import AssignmentRule
from app.domain.leads.scoring import score
from app.domain.marketing.attribution import Attribution
from app.domain.opportunities.entities import Opportunity
from app.domain.opportunities.service import OpportunityService
from app.domain.shared.errors import Conflict, Duplicate, FieldError, NotFound, ValidationFailed
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.owned import OwnedRecords, WriteContextRepository, fields_of
from app.domain.shared.ports import AuditTrail, EventOutbox, NewEvent, diff
from app.domain.shared.scope import DataRange, DataScope, Grant

# The tag a captured lead gets when it may duplicate a lead, contact or customer.
POSSIBLE_DUPLICATE = "possible-duplicate"
# A captured lead waits for the worker to route it (app/worker.py).
ROUTE_EVENT = "lead.routing_requested"
# The worker acts for nobody: its scope is the whole tenant, whose "all" range never looks at a user.
SYSTEM_ACTOR = UUID(int=0)


@dataclass(frozen=True, slots=True)
class Converted:
    lead: Lead
    customer: Customer
    contact: Contact | None
    opportunity: Opportunity | None


class LeadService(OwnedRecords[Lead]):
    resource = "leads"
    entity = "lead"
    transfer_open_only = True
    records: LeadRepository

    def __init__(
        self,
        leads: LeadRepository,
        rules: ScoringRuleRepository,
        assignment: AssignmentRuleRepository,
        duplicates: DuplicateFinder,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
        customers: CustomerService,
        contacts: ContactService,
        opportunities: OpportunityService,
        attribution: Attribution,
    ) -> None:
        super().__init__(leads, context, audit, outbox)
        self.attribution = attribution
        self.rules = rules
        self.assignment = assignment
        self.duplicates = duplicates
        self.customers = customers
        self.contacts = contacts
        self.opportunities = opportunities

    async def create(
        self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool = False, auto_assign: bool = False
    ) -> Lead:
        """With `auto_assign`, the tenant's assignment rules choose the owner (or the queue)
        instead of the caller: marketing capturing for sales, a script importing."""
        if not auto_assign:
            return await super().create(principal, values, allow_duplicate=allow_duplicate)
        principal.require(self.resource, "create")
        if values.get("owner_id") is not None:
            raise ValidationFailed.one("owner_id", "is chosen by the assignment rules when auto_assign is set")
        await self._complete(principal.tenant_id, values, duplicates="refuse" if not allow_duplicate else "allow")
        return await self._insert_routed(principal, principal.tenant_id, values)

    async def create_many(
        self, principal: Principal, batch: list[dict[str, Any]], *, allow_duplicate: bool, auto_assign: bool
    ) -> list[Lead]:
        """A script's batch, all or nothing (the caller's one transaction): the first refusal
        names the item (`items.<n>.<field>`, or `index` for a duplicate) and nothing is kept."""
        made: list[Lead] = []
        for index, values in enumerate(batch):
            try:
                made.append(
                    await self.create(principal, values, allow_duplicate=allow_duplicate, auto_assign=auto_assign)
                )
            except ValidationFailed as refused:
                errors = [FieldError(f"items.{index}.{e.field}", e.message) for e in refused.errors]
                raise ValidationFailed(errors, f"items.{index}: {refused.detail}") from refused
            except Duplicate as refused:
                raise Duplicate(f"items.{index}: {refused.detail}", index=index, **refused.extra) from refused
        return made

    async def capture(
        self,
        tenant_id: UUID,
        values: dict[str, Any],
        *,
        origin: dict[str, Any],
        matches: list[dict[str, Any]] | None = None,
    ) -> Lead:
        """A lead from outside (a public web form): nobody's principal. A possible duplicate is
        kept and tagged rather than refused: the visitor must learn nothing of what the tenant
        holds. It enters the queue; the worker routes it (`route_queued`), so the visitor's answer
        never waits on the assignment rules. `matches`: the duplicate search's result when the
        caller already ran it in this transaction (an event registration), not run again."""
        matches = await self._complete(tenant_id, values, duplicates="tag", matches=matches)
        values["owner_id"], values["department_id"] = None, None
        lead = await self.records.insert(tenant_id, None, values)
        if lead.campaign_id is not None:
            # The person the new lead may duplicate was touched by this form's campaign too.
            for match in matches:
                if match["entity"] in ("lead", "contact"):
                    key = "lead_id" if match["entity"] == "lead" else "contact_id"
                    await self.attribution.touch(tenant_id, lead.campaign_id, **{key: match["id"]})
        created = diff(None, fields_of(lead)) | {"origin": {"before": None, "after": origin}}
        # What _record does plus the routing event, in one statement: a public post is hot.
        name = f"{self.entity}.created"
        events = [
            NewEvent(name, self.entity, lead.id, fields_of(lead)),
            NewEvent(ROUTE_EVENT, self.entity, lead.id, {"id": lead.id}),
        ]
        await self.audit.record(None, name, self.resource, lead.id, created, tenant_id=tenant_id, events=events)
        return lead

    async def hand_over(self, principal: Principal, values: dict[str, Any]) -> Lead:
        """A lead handed over by another team (service: a ticket showing buying interest). Like a
        capture it needs no leads permission of the caller, who may not see the lead afterwards:
        a possible duplicate is tagged, not refused, and the assignment rules choose the owner."""
        await self._complete(principal.tenant_id, values, duplicates="tag")
        return await self._insert_routed(principal, principal.tenant_id, values)

    async def route(self, principal: Principal, lead_id: UUID) -> Lead:
        """Run the assignment rules on a lead again (one waiting in the queue, say); a lead
        that no rule takes is left as it is."""
        scope = principal.scope(self.resource, "assign")
        current = await self._locked(scope, lead_id)
        return await self._route(principal, principal.tenant_id, scope, current)

    async def route_queued(self, tenant_id: UUID, lead_id: UUID) -> None:
        """The worker's half of a capture: route the lead if it still waits in the queue (nobody
        took it by hand meanwhile)."""
        scope = DataScope(tenant_id, SYSTEM_ACTOR, (), (Grant(DataRange.ALL),))
        current = await self.records.get(scope, lead_id, for_update=True)
        if current is not None and current.owner_id is None:
            await self._route(None, tenant_id, scope, current)

    async def _route(self, principal: Principal | None, tenant_id: UUID, scope: DataScope, current: Lead) -> Lead:
        routed = await routing.route(self.assignment, tenant_id, fields_of(current))
        if routed.rule is None or routed.owner_id == current.owner_id:
            return current
        owner = {"owner_id": routed.owner_id, "department_id": routed.department_id}
        actor = principal.user_id if principal else None
        updated = await self.records.update(scope, current, actor, owner)
        changes = diff(fields_of(current), fields_of(updated))
        changed = {k: v for k, v in changes.items() if k in owner} | _by_rule(routed.rule)
        await self._record(principal, "assigned", updated, changed, tenant_id=tenant_id)
        return updated

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        await self._complete(principal.tenant_id, values, duplicates="allow" if allow_duplicate else "refuse")

    async def _complete(
        self, tenant_id: UUID, values: dict[str, Any], *, duplicates: str, matches: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """Check and complete a new lead's values. Duplicates: "refuse" (409), "tag" (keep it,
        tagged possible-duplicate) or "allow"; returns the records a tagged lead may duplicate.
        A lead from outside (tagged) loses a campaign deleted meanwhile; a caller's is a 422."""
        if values.get("status") == LeadStatus.CONVERTED:
            raise ValidationFailed.one("status", "a lead becomes converted only through POST /leads/{id}/convert")
        _check_status(values)
        _, definitions = await self.context.write_context(tenant_id, self.entity)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        values["tags"] = list(dict.fromkeys(values.get("tags") or []))
        if duplicates == "tag":
            await self.attribution.keep_live(tenant_id, values)
        else:
            await self.attribution.check(tenant_id, values)
        if duplicates == "allow":
            matches = []
        else:
            if matches is None:
                matches = await self._duplicates(tenant_id, values, exclude=None)
            if matches and duplicates == "refuse":
                raise _duplicate(matches)
            if matches:
                values["tags"] = [*values["tags"], POSSIBLE_DUPLICATE]
        await self._score(tenant_id, values)
        return matches

    async def _insert_routed(self, principal: Principal, tenant_id: UUID, values: dict[str, Any]) -> Lead:
        routed = await routing.route(self.assignment, tenant_id, values)
        values["owner_id"], values["department_id"] = routed.owner_id, routed.department_id
        lead = await self.records.insert(tenant_id, principal.user_id, values)
        await self._record(principal, "created", lead, diff(None, fields_of(lead)))
        if routed.rule is not None:
            owner = {"owner_id": {"before": None, "after": routed.owner_id}}
            await self._record(principal, "assigned", lead, owner | _by_rule(routed.rule))
        return lead

    async def _prepare_update(
        self, principal: Principal, current: Lead, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        if current.status == LeadStatus.CONVERTED:
            raise Conflict("a converted lead is closed; change the customer it became instead")
        if changes.get("status") == LeadStatus.CONVERTED:
            raise ValidationFailed.one("status", "a lead becomes converted only through POST /leads/{id}/convert")
        await self.attribution.check(principal.tenant_id, changes, current)
        merged = {**fields_of(current), **changes}
        _check_status(merged)
        if merged["status"] != LeadStatus.UNQUALIFIED:
            changes["unqualified_reason"] = None
        if "custom_fields" in changes:
            _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        if changes.get("tags") is not None:
            changes["tags"] = list(dict.fromkeys(changes["tags"]))
        if not allow_duplicate and ({"email", "phone"} & changes.keys()):
            matches = await self._duplicates(principal.tenant_id, merged, exclude=current.id)
            if matches:
                raise _duplicate(matches)
        await self._score(principal.tenant_id, changes, current=merged | changes)

    async def convert(
        self,
        principal: Principal,
        lead_id: UUID,
        *,
        customer_id: UUID | None = None,
        customer: dict[str, Any] | None = None,
        contact_id: UUID | None = None,
        contact: dict[str, Any] | None = None,
        create_contact: bool = True,
        allow_duplicate: bool = False,
        opportunity: dict[str, Any] | None = None,
    ) -> Converted:
        """The lead becomes (or joins) a customer, and a contact unless told otherwise, and with
        `opportunity` opens a deal for it; the lead keeps links to all of them. Everything happens
        in the caller's transaction: a refusal anywhere (a duplicate customer, a customer out of
        range) leaves nothing half-made."""
        scope = principal.scope(self.resource, "update")
        lead = await self._locked(scope, lead_id)
        if lead.status == LeadStatus.CONVERTED:
            raise Conflict(
                "the lead is already converted",
                customer_id=str(lead.converted_customer_id),
                contact_id=str(lead.converted_contact_id) if lead.converted_contact_id else None,
            )
        owner = {"owner_id": lead.owner_id} if lead.owner_id and principal.can("customers", "assign") else {}
        if customer_id is not None:
            target = await self._existing(self.customers.get(principal, customer_id), "customer_id")
        else:
            values = {**_customer_from(lead), **owner, **(customer or {})}
            target = await self.customers.create(principal, values, allow_duplicate=allow_duplicate)
        person: Contact | None = None
        if contact_id is not None:
            person = await self._existing(self.contacts.get(principal, contact_id), "contact_id")
        elif create_contact:
            values = {**_contact_from(lead), **owner, **(contact or {}), "customer_id": target.id}
            person = await self.contacts.create(principal, values, allow_duplicate=True)
        deal: Opportunity | None = None
        if opportunity is not None:
            values = {
                "name": f"{target.name} - {lead.name}",
                **owner,
                **{k: v for k, v in opportunity.items() if v is not None},
                "customer_id": target.id,
                "primary_contact_id": person.id if person else None,
                "source_lead_id": lead.id,
                **await self.attribution.carried(principal.tenant_id, lead.campaign_id, lead.last_campaign_id),
            }
            deal = await self.opportunities.create(principal, values)
        converted = await self.records.mark_converted(
            principal.tenant_id, lead.id, principal.user_id, target.id, person.id if person else None,
            deal.id if deal else None,
        )  # fmt: skip
        changes = {
            "status": {"before": lead.status, "after": converted.status},
            "converted_customer_id": {"before": None, "after": target.id},
            "converted_contact_id": {"before": None, "after": person.id if person else None},
            "converted_opportunity_id": {"before": None, "after": deal.id if deal else None},
        }
        await self._record(principal, "converted", converted, changes)
        await self.attribution.lead_converted(principal, lead.id)
        return Converted(converted, target, person, deal)

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    async def _existing(lookup: Any, field: str) -> Any:
        """An existing record named in the body: one the caller cannot read is a 422 on that
        field (the lead is what is being written)."""
        try:
            return await lookup
        except NotFound:
            raise ValidationFailed.one(field, "is not a record you can see")

    async def _score(self, tenant_id: UUID, changes: dict[str, Any], current: dict[str, Any] | None = None) -> None:
        rules = await self.rules.active(tenant_id)
        changes["score"], changes["score_reasons"] = score(rules, current if current is not None else changes)

    async def _duplicates(
        self, tenant_id: UUID, values: dict[str, Any], *, exclude: UUID | None
    ) -> list[dict[str, Any]]:
        emails = [k for k in (email_key(values.get("email")),) if k]
        phones = [k for k in (phone_key(values.get("phone")),) if k]
        if not emails and not phones:
            return []
        return await self.duplicates.matching(tenant_id, emails, phones, exclude_lead=exclude)


def _duplicate(matches: list[dict[str, Any]]) -> Duplicate:
    return Duplicate(
        "a lead, contact or customer with this email or phone exists; pass allow_duplicate=true to save it anyway",
        existing_id=str(matches[0]["id"]),
        matches=[{"entity": m["entity"], "id": str(m["id"])} for m in matches],
    )


def _by_rule(rule: AssignmentRule) -> dict[str, Any]:
    return {"assignment_rule": {"before": None, "after": {"id": rule.id, "name": rule.name}}}


def _check_status(values: dict[str, Any]) -> None:
    if values.get("status") == LeadStatus.UNQUALIFIED and not values.get("unqualified_reason"):
        raise ValidationFailed.one("unqualified_reason", "is required when the status is unqualified")


def _customer_from(lead: Lead) -> dict[str, Any]:
    """A new customer from the lead: its company, or the person when there is none."""
    company = bool(lead.company)
    return {
        "name": lead.company if company else lead.name,
        "kind": "company" if company else "individual",
        "source": f"lead:{lead.source}",
        "region_id": lead.region_id,
        "phone": None if company else lead.phone,
        "email": None if company else lead.email,
        "tags": list(lead.tags),
    }


def _contact_from(lead: Lead) -> dict[str, Any]:
    return {
        "name": lead.name,
        "title": lead.title,
        "phones": [lead.phone] if lead.phone else [],
        "emails": [lead.email] if lead.email else [],
        "tags": list(lead.tags),
    }
