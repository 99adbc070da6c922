"""Opportunity use cases: the shared owned-record ones (app/domain/shared/owned.py) plus the
deal's own rules: a customer (and contact) the caller can read, a stage of a live pipeline, an
amount that line items can drive, and stage changes that check the target stage's required
fields, record the history, and close the deal on won or lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal, localcontext
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.ports import ContactRepository
from app.domain.custom_fields.entities import validate_values
from app.domain.customers.ports import CustomerRepository
from app.domain.marketing.attribution import Attribution
from app.domain.opportunities.entities import BoardColumn, LineItem, Opportunity, StageChange, category_for, line_total
from app.domain.opportunities.ports import OpportunityRepository
from app.domain.pipelines.entities import Pipeline, Stage, StageKind
from app.domain.pipelines.ports import PipelineRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.owned import OwnedRecords, WriteContextRepository, fields_of
from app.domain.shared.ports import AuditTrail, EventOutbox

# Only the stage endpoint moves a deal: it checks the target stage and records the history.
STAGE_FIELDS = ("stage_id", "pipeline_id")


@dataclass(frozen=True, slots=True)
class OpportunityDetail:
    opportunity: Opportunity
    line_items: list[LineItem]
    stage_history: list[StageChange]


class OpportunityService(OwnedRecords[Opportunity]):
    resource = "opportunities"
    entity = "opportunity"
    records: OpportunityRepository

    def __init__(
        self,
        opportunities: OpportunityRepository,
        pipelines: PipelineRepository,
        customers: CustomerRepository,
        contacts: ContactRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
        attribution: Attribution,
    ) -> None:
        super().__init__(opportunities, context, audit, outbox)
        self.attribution = attribution
        self.pipelines = pipelines
        self.customers = customers
        self.contacts = contacts

    # -- reads -----------------------------------------------------------------------------

    async def detail(self, principal: Principal, opportunity_id: UUID) -> OpportunityDetail:
        found = await self.get(principal, opportunity_id)
        items = await self.records.line_items(principal.tenant_id, found.id)
        history = await self.records.stage_history(principal.tenant_id, found.id)
        return OpportunityDetail(found, items, history)

    async def board(self, principal: Principal, pipeline_id: UUID, cards: int) -> tuple[Pipeline, list[BoardColumn]]:
        """The kanban of one pipeline within the caller's read range, in one request."""
        scope = principal.scope(self.resource, "read")
        pipeline = await self._pipeline(principal, pipeline_id, field=None)
        return pipeline, await self.records.board(scope, pipeline, cards)

    # -- writes ----------------------------------------------------------------------------

    async def create(
        self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool = False
    ) -> Opportunity:
        items = values.pop("line_items", None)
        if items:
            values["amount"] = _amount_of(items)
        made = await super().create(principal, values)
        if items:
            await self.records.replace_line_items(principal.tenant_id, made.id, items)
        await self.records.record_stage_change(
            principal.tenant_id, made.id, None, made.stage_id, principal.user_id, None
        )
        return made

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        await self._check_customer(principal, values.get("customer_id"), values.get("primary_contact_id"))
        await self.attribution.check(principal.tenant_id, values)
        pipeline = await self._pipeline(principal, values.get("pipeline_id"), field="pipeline_id")
        stage = _stage_in(pipeline, values.get("stage_id"))
        values["pipeline_id"], values["stage_id"] = pipeline.id, stage.id
        values.setdefault("currency", None)
        values["currency"] = values["currency"] or pipeline.currency
        if values.get("probability") is None:
            values["probability"] = stage.probability
        if values.get("forecast_category") is None or stage.closed:
            values["forecast_category"] = category_for(stage)
        values["amount"] = values.get("amount") or Decimal(0)
        _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        values["tags"] = list(dict.fromkeys(values.get("tags") or []))
        _require(stage, values)
        if stage.closed:
            _check_closing(stage, values)
            values["closed_at"] = utcnow()

    async def update(
        self,
        principal: Principal,
        record_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        allow_duplicate: bool = False,
    ) -> Opportunity:
        items = changes.pop("line_items", None)
        if items is not None:
            changes["amount"] = _amount_of(items)
        updated = await super().update(principal, record_id, changes, expected_version=expected_version)
        if items is not None:
            await self.records.replace_line_items(principal.tenant_id, updated.id, items)
        return updated

    async def _prepare_update(
        self, principal: Principal, current: Opportunity, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        for name in STAGE_FIELDS:
            if name in changes and changes[name] != getattr(current, name):
                raise ValidationFailed.one(name, "move a deal with POST /opportunities/{id}/stage")
        await self.attribution.check(principal.tenant_id, changes, current)
        if {"customer_id", "primary_contact_id"} & changes.keys():
            customer_id = changes.get("customer_id", current.customer_id)
            await self._check_customer(
                principal, customer_id, changes.get("primary_contact_id", current.primary_contact_id)
            )
        if "custom_fields" in changes:
            _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        if changes.get("tags") is not None:
            changes["tags"] = list(dict.fromkeys(changes["tags"]))
        if current.closed_at is not None and "forecast_category" in changes:
            raise ValidationFailed.one("forecast_category", "a closed deal's category follows its stage")

    async def change_stage(
        self,
        principal: Principal,
        opportunity_id: UUID,
        stage_id: UUID,
        *,
        expected_close_date: date | None = None,
        lost_reason: str | None = None,
        won_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Opportunity:
        scope = principal.scope(self.resource, "update")
        current = await self._locked(scope, opportunity_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the opportunity is at version {current.version}, not {expected_version}")
        if stage_id == current.stage_id:
            return current
        pipeline = await self._pipeline(principal, current.pipeline_id, field=None)
        target = pipeline.stage(stage_id)
        if target is None:
            raise ValidationFailed.one("stage_id", "is not a stage of this deal's pipeline")
        changes: dict[str, Any] = {
            "stage_id": target.id,
            "probability": target.probability,
            "forecast_category": category_for(target),
            "closed_at": utcnow() if target.closed else None,
            "lost_reason": lost_reason if target.kind == StageKind.LOST else None,
            "won_reason": won_reason if target.kind == StageKind.WON else None,
        }
        if expected_close_date is not None:
            changes["expected_close_date"] = expected_close_date
        merged = {**fields_of(current), **changes}
        _require(target, merged)
        if target.closed:
            _check_closing(target, merged)
        if current.closed_at is not None and not target.closed:
            changes["forecast_category"] = "pipeline"  # reopened
        now = utcnow()
        changes["stage_entered_at"] = now
        updated = await self.records.update(scope, current, principal.user_id, changes)
        spent = int((now - current.stage_entered_at.astimezone(UTC)).total_seconds())
        await self.records.record_stage_change(
            principal.tenant_id, updated.id, current.stage_id, target.id, principal.user_id, max(spent, 0)
        )
        event = {StageKind.WON: "won", StageKind.LOST: "lost"}.get(StageKind(target.kind), "stage_changed")
        change = {
            "stage_id": {"before": current.stage_id, "after": target.id},
            "seconds_in_stage": {"before": None, "after": max(spent, 0)},
        }
        await self._record(principal, event, updated, change)
        return updated

    # -- helpers ---------------------------------------------------------------------------

    async def _pipeline(self, principal: Principal, pipeline_id: UUID | None, *, field: str | None) -> Pipeline:
        """A live pipeline (the tenant's first when none is named)."""
        if pipeline_id is None:
            pipelines = await self.pipelines.list(principal.tenant_id)
            if not pipelines:
                raise ValidationFailed.one(field or "pipeline_id", "the tenant has no pipeline yet")
            return pipelines[0]
        found = await self.pipelines.get(principal.tenant_id, pipeline_id)
        if found is None:
            if field is None:
                raise NotFound("no such pipeline")
            raise ValidationFailed.one(field, "is not a pipeline of this tenant")
        return found

    async def _check_customer(self, principal: Principal, customer_id: UUID | None, contact_id: UUID | None) -> None:
        """The deal's customer, and its contact, must be records the caller can read (else 422:
        the deal is what is being written); the contact, if it has a customer, that one."""
        if customer_id is None:
            raise ValidationFailed.one("customer_id", "is required")
        if await self.customers.get(scope_or_empty(principal, "customers", "read"), customer_id) is None:
            raise ValidationFailed.one("customer_id", "is not a customer you can see")
        if contact_id is not None:
            contact = await self.contacts.get(scope_or_empty(principal, "contacts", "read"), contact_id)
            if contact is None:
                raise ValidationFailed.one("primary_contact_id", "is not a contact you can see")
            if contact.customer_id not in (None, customer_id):
                raise ValidationFailed.one("primary_contact_id", "the contact belongs to another customer")


def _stage_in(pipeline: Pipeline, stage_id: UUID | None) -> Stage:
    stage = pipeline.first_open if stage_id is None else pipeline.stage(stage_id)
    if stage is None:
        raise ValidationFailed.one("stage_id", "is not a stage of the deal's pipeline")
    return stage


# The largest amount a deal holds (numeric(18, 2)).
MAX_AMOUNT = Decimal("9999999999999999.99")


def _amount_of(items: list[dict[str, Any]]) -> Decimal:
    """The deal's amount from its line items; a total past what an amount holds is the client's
    422 (each item is within bounds, their product and sum need not be)."""
    with localcontext() as exact:
        exact.prec = 60  # quantity x price of bounded items never needs more
        total = sum((_total(item) for item in items), Decimal(0))
    if total > MAX_AMOUNT:
        raise ValidationFailed.one("line_items", f"the deal's total would exceed {MAX_AMOUNT}")
    return total


def _total(item: dict[str, Any]) -> Decimal:
    return line_total(
        Decimal(item["quantity"]), Decimal(item["unit_price"]), Decimal(item.get("discount_percent") or 0)
    )


def _require(stage: Stage, values: dict[str, Any]) -> None:
    """A deal entering `stage` must have what the stage requires (the 422 names every missing field)."""
    missing = []
    for name in stage.required_fields:
        if name.startswith("custom."):
            present = (values.get("custom_fields") or {}).get(name[len("custom.") :])
        else:
            present = values.get(name)
        if present is None or present == "" or present == [] or (name == "amount" and not present):
            missing.append(FieldError(name, f"is required to enter the stage {stage.name!r}"))
    if missing:
        raise ValidationFailed(missing, "; ".join(f"{e.field}: {e.message}" for e in missing))


def _check_closing(stage: Stage, values: dict[str, Any]) -> None:
    if values.get("expected_close_date") is None:
        raise ValidationFailed.one("expected_close_date", "a won or lost deal needs its close date")
    if stage.kind == StageKind.LOST and not values.get("lost_reason"):
        raise ValidationFailed.one("lost_reason", "a lost deal needs the reason")
