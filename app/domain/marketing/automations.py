"""Automations (issue 14): a trigger (an outbox event), conditions on the record it names, and
actions, optionally after a delay.

- The trigger is one of TRIGGERS; each names the outbox event it listens to and how the event
  leads to the *record* a run is about: a lead or a contact (a deal's primary contact, a ticket's
  contact or lead, a campaign member's contact or lead). Conditions are a condition tree
  (app/domain/shared/conditions.py, the segments' language and compiler) over that record; actions
  act on it.
- A run exists at most once per (automation, trigger, record): the repository's unique key, so a
  retried or duplicated event, or two workers, never run a rule twice for one record. An event
  whose record the conditions do not match starts no run (a later event may); a record outside
  the owner's range gets a `skipped` run saying so.
- The automation acts as its owner (its creator): the owner's permissions and data ranges, as
  they are when the run executes. A record outside them is skipped with the reason in the run
  log, an action the owner may not do is skipped with the reason: never more than the owner may
  do. Actions go through the owning modules' services, so their checks, audit and events apply.
- The worker executes a due run's actions in one transaction; an unexpected failure undoes them
  all, and the run is retried with a growing delay, MAX_ATTEMPTS times, then marked failed.
- A paused automation starts no runs; a run already waiting when it is paused is skipped.

Every write of an automation is audited and published (`automation.created|updated|deleted|
restored`); permissions `automations:read|create|update|delete`.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.shared import clock
from app.domain.shared.conditions import CUSTOM_ENTITY, Group, Schema, dump, parse, schema_for
from app.domain.shared.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.paging import Cursor, Page, Sort
from app.domain.shared.ports import AuditTrail, NewEvent, diff
from app.domain.shared.scope import DataScope

RESOURCE = "automations"
ENTITY = "automation"
MAX_ACTIONS = 10
MAX_ATTEMPTS = 5
MAX_DELAY = {"minutes": 60 * 24 * 90, "hours": 24 * 90, "days": 90}  # at most 90 days
DRY_RUN_DEFAULT = 10
RUN_ORDER = Sort("id", descending=True)
DRY_RUN_MAX = 50


# -- triggers ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trigger:
    key: str
    event_type: str
    # "leads" / "contacts": the event's entity is the record; "member" (payload contact_id or
    # lead_id), "deal" (its primary contact), "ticket" (its contact, else its lead).
    source: str
    label_en: str
    label_zh: str

    @property
    def entities(self) -> tuple[str, ...]:
        """The kinds of record a run can be about (what the conditions may use)."""
        return {"leads": ("leads",), "contacts": ("contacts",), "deal": ("contacts",)}.get(
            self.source, ("contacts", "leads")
        )


def _t(key: str, source: str, en: str, zh: str, event_type: str | None = None) -> Trigger:
    return Trigger(key, event_type or key, source, en, zh)


TRIGGERS: dict[str, Trigger] = {
    t.key: t
    for t in (
        _t("lead.created", "leads", "A lead is created", "新建线索"),
        # A public web form's capture publishes lead.created and the routing request; only a
        # capture publishes the latter (app/domain/leads/service.py LeadService.capture).
        _t("lead_form.submitted", "leads", "A web form is submitted", "网页表单提交", "lead.routing_requested"),
        _t("lead.converted", "leads", "A lead is converted", "线索转化"),
        _t("lead.assigned", "leads", "A lead is assigned", "线索分配"),
        _t("contact.created", "contacts", "A contact is created", "新建联系人"),
        _t("campaign_member.registered", "member", "A campaign member registers", "活动成员报名"),
        _t("campaign_member.opened", "member", "A campaign e-mail is opened", "活动邮件被打开"),
        _t("campaign_member.clicked", "member", "A campaign e-mail link is clicked", "活动邮件链接被点击"),
        _t("campaign_member.attended", "member", "A campaign member attends", "活动成员签到"),
        _t("campaign_member.converted", "member", "A campaign member converts", "活动成员转化"),
        _t("campaign_member.unsubscribed", "member", "A campaign member unsubscribes", "活动成员退订"),
        _t("opportunity.stage_changed", "deal", "A deal changes stage", "商机阶段变化"),
        _t("opportunity.won", "deal", "A deal is won", "商机赢单"),
        _t("opportunity.lost", "deal", "A deal is lost", "商机输单"),
        _t("ticket.resolved", "ticket", "A ticket is resolved", "工单已解决"),
    )
}
TRIGGERS_BY_EVENT: dict[str, list[Trigger]] = {}
for _trigger in TRIGGERS.values():
    TRIGGERS_BY_EVENT.setdefault(_trigger.event_type, []).append(_trigger)
EVENT_TYPES = frozenset(TRIGGERS_BY_EVENT)


# -- actions ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionKind:
    key: str
    # parameter -> "uuid" | "text" | "int" | "uuid?" (optional) | "int?" | "text?"
    params: dict[str, str]
    label_en: str
    label_zh: str


ACTIONS: dict[str, ActionKind] = {
    a.key: a
    for a in (
        ActionKind("send_template", {"template_id": "uuid"}, "Send an e-mail template", "发送邮件模板"),
        ActionKind("add_to_campaign", {"campaign_id": "uuid"}, "Add to a campaign", "加入营销活动"),
        ActionKind("add_tag", {"tag": "text"}, "Add a tag", "添加标签"),
        ActionKind("remove_tag", {"tag": "text"}, "Remove a tag", "移除标签"),
        ActionKind("assign_owner", {"user_id": "uuid"}, "Assign an owner", "分配负责人"),
        ActionKind(
            "create_task",
            {"subject": "text", "due_in_days": "int?", "assignee_id": "uuid?"},
            "Create a task",
            "创建任务",
        ),
        # user_id unset: the record's owner.
        ActionKind("notify_user", {"message": "text", "user_id": "uuid?"}, "Notify a user", "通知用户"),
    )
}
MAX_TEXT = {"tag": 100, "subject": 200, "message": 500}


def check_actions(raw: Any) -> list[dict[str, Any]]:
    """The actions, each {type, parameters} with only its declared parameters, typed; else 422
    naming `actions[i].<parameter>`."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed.one("actions", "must be a non-empty list of actions")
    if len(raw) > MAX_ACTIONS:
        raise ValidationFailed.one("actions", f"at most {MAX_ACTIONS} actions")
    errors: list[FieldError] = []
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        path = f"actions[{i}]"
        kind = ACTIONS.get(str(item.get("type"))) if isinstance(item, dict) else None
        if kind is None:
            errors.append(FieldError(f"{path}.type", f"must be one of: {', '.join(ACTIONS)}"))
            continue
        action: dict[str, Any] = {"type": kind.key}
        for name in sorted(set(item) - {"type"} - set(kind.params)):
            errors.append(FieldError(f"{path}.{name}", f"{kind.key} takes no parameter {name!r}"))
        for name, typ in kind.params.items():
            value = item.get(name)
            optional = typ.endswith("?")
            if value is None:
                if not optional:
                    errors.append(FieldError(f"{path}.{name}", "is required"))
                continue
            try:
                action[name] = _param(typ.rstrip("?"), name, value)
            except ValueError as bad:
                errors.append(FieldError(f"{path}.{name}", str(bad)))
        out.append(action)
    if errors:
        raise ValidationFailed(errors, "; ".join(f"{e.field}: {e.message}" for e in errors))
    return out


def _param(typ: str, name: str, value: Any) -> Any:
    if typ == "uuid":
        try:
            return str(UUID(str(value))) if isinstance(value, str) else _fail("must be an id (UUID)")
        except ValueError:
            _fail("must be an id (UUID)")
    if typ == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
            _fail("must be a whole number from 0 to 365")
        return value
    limit = MAX_TEXT.get(name, 500)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        _fail(f"must be a non-empty text of at most {limit} characters")
    return value.strip()


def _fail(message: str) -> Any:
    raise ValueError(message)


# -- records ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Automation:
    id: UUID
    name: str
    description: str | None
    trigger: str
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    delay_amount: int
    delay_unit: str
    status: str
    owner_id: UUID
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int

    @property
    def delay(self) -> timedelta:
        return timedelta(**{self.delay_unit: self.delay_amount})


@dataclass(slots=True)
class Run:
    id: UUID
    automation_id: UUID
    trigger: str
    event_id: UUID | None
    record_kind: str
    record_id: UUID
    source_entity: str | None
    source_id: UUID | None
    status: str
    run_at: datetime
    attempts: int
    error: str | None
    reason: str | None
    actions_done: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecordRef:
    """What a run is about: a lead or a contact; and the event's own record when it is another."""

    kind: str  # "lead" | "contact"
    id: UUID
    source_entity: str | None = None
    source_id: UUID | None = None

    @property
    def entity(self) -> str:
        return f"{self.kind}s"


@dataclass(frozen=True, slots=True)
class TriggerEvent:
    """An outbox event as automations read it."""

    tenant_id: UUID
    id: UUID
    event_type: str
    entity: str
    entity_id: UUID
    payload: dict[str, Any]


@dataclass(slots=True)
class NewRun:
    automation_id: UUID
    trigger: str
    event_id: UUID | None
    record: RecordRef
    run_at: datetime
    status: str = "pending"
    reason: str | None = None


@dataclass(slots=True)
class Step:
    """One action's outcome: done, skipped (with the reason) or, in a dry run, would do."""

    type: str
    result: str  # done | skipped | would_do
    detail: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class DryRunItem:
    record_kind: str
    record_id: UUID
    event_id: UUID | None
    matches: bool
    reason: str | None
    actions: list[Step]


@dataclass(slots=True)
class DryRun:
    items: list[DryRunItem]
    hidden: int  # records outside the caller's own read range (not shown)


# -- ports ------------------------------------------------------------------------------------------


class AutomationRepository(Protocol):
    async def list(self, tenant_id: UUID) -> builtins.list[Automation]: ...
    async def get(
        self, tenant_id: UUID, automation_id: UUID, *, for_update: bool = False, deleted: bool = False
    ) -> Automation | None: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Automation: ...
    async def update(self, tenant_id: UUID, automation_id: UUID, actor: UUID, values: dict[str, Any]) -> Automation: ...
    async def set_deleted(self, tenant_id: UUID, automation_id: UUID, actor: UUID, *, deleted: bool) -> None: ...
    async def active_for(self, tenant_id: UUID, triggers: builtins.list[str]) -> builtins.list[Automation]:
        """The live, active automations of these triggers."""
        ...


class RunRepository(Protocol):
    async def add(self, tenant_id: UUID, run: NewRun) -> bool:
        """Insert the run unless one exists for (automation, trigger, record): False then."""
        ...

    async def claim_due(self, now: datetime) -> tuple[UUID, Run] | None:
        """One pending run due at `now`, locked for the caller's transaction (others skip it)."""
        ...

    async def finish(
        self, tenant_id: UUID, run_id: UUID, status: str, steps: builtins.list[Step], reason: str | None = None
    ) -> None: ...

    async def retry_later(self, tenant_id: UUID, run_id: UUID, error: str, at: datetime, *, failed: bool) -> None: ...

    async def list(
        self, tenant_id: UUID, automation_id: UUID, status: str | None, limit: int, before: UUID | None
    ) -> builtins.list[Run]: ...


class RecordGate(Protocol):
    """The record side of automations, in SQL."""

    async def resolve(self, event: TriggerEvent, trigger: Trigger) -> RecordRef | None:
        """The lead or contact the event is about (None: it names none, e.g. a deal without contact)."""
        ...

    async def in_scope(self, scope: DataScope, record: RecordRef) -> bool:
        """Whether the live record is within `scope`."""
        ...

    async def matches(self, scope: DataScope, entity: str, record_id: UUID, conditions: Group, now: datetime) -> bool:
        """Whether the live record is within `scope` and the tree matches it (the one compiler)."""
        ...

    async def recent_events(self, tenant_id: UUID, event_type: str, limit: int) -> builtins.list[TriggerEvent]:
        """The newest outbox events of a type (a dry run's sample)."""
        ...


class References(Protocol):
    """Checks of an automation's parameters when it is saved."""

    async def template_channel(self, tenant_id: UUID, template_id: UUID) -> str | None: ...
    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID) -> bool: ...
    async def active_user(self, tenant_id: UUID, user_id: UUID) -> bool: ...


class CustomFieldReader(Protocol):
    async def list_all(self, tenant_id: UUID, entity: str | None) -> builtins.list[CustomFieldDef]: ...


class Owners(Protocol):
    async def principal(self, tenant_id: UUID, user_id: UUID) -> Principal | None:
        """The user as a principal (their roles now); None when gone or deactivated."""
        ...


class Actions(Protocol):
    """Carries out one action on a record as the owner (app/domain/marketing/automation_actions.py)."""

    async def run(
        self, owner: Principal, run_id: UUID, index: int, action: dict[str, Any], record: RecordRef, *, dry: bool
    ) -> Step: ...

    async def flush_mail(self) -> int:
        """Send the messages the run's actions prepared: last, as nothing undoes a sent message."""
        ...


# -- the service ------------------------------------------------------------------------------------


def _empty(tenant_id: UUID, user_id: UUID) -> DataScope:
    return DataScope(tenant_id, user_id, (), ())


def read_scope(principal: Principal, entity: str) -> DataScope:
    """The principal's read range on leads / contacts; empty without the permission."""
    if principal.can(entity, "read"):
        return principal.scope(entity, "read")
    return _empty(principal.tenant_id, principal.user_id)


class AutomationService:
    def __init__(
        self,
        automations: AutomationRepository,
        runs: RunRepository,
        records: RecordGate,
        references: References,
        custom_fields: CustomFieldReader,
        owners: Owners,
        actions: Actions,
        audit: AuditTrail,
    ) -> None:
        self.automations = automations
        self.runs = runs
        self.records = records
        self.references = references
        self.custom_fields = custom_fields
        self.owners = owners
        self.actions = actions
        self.audit = audit

    # -- the rule ------------------------------------------------------------------------------

    async def _schema(self, tenant_id: UUID, trigger: Trigger) -> Schema:
        custom = {e: await self.custom_fields.list_all(tenant_id, CUSTOM_ENTITY[e]) for e in trigger.entities}
        return schema_for(trigger.entities, custom)

    async def _tree(self, tenant_id: UUID, trigger: Trigger, raw: Any) -> Group:
        return parse(raw, await self._schema(tenant_id, trigger))

    async def _check(self, principal: Principal, values: dict[str, Any]) -> None:
        """Trigger, conditions, actions and delay of a new or changed automation (422 when bad)."""
        trigger = TRIGGERS[values["trigger"]]
        values["conditions"] = dump(await self._tree(principal.tenant_id, trigger, values["conditions"]))
        values["actions"] = check_actions(values["actions"])
        unit, amount = values["delay_unit"], values["delay_amount"]
        if amount > MAX_DELAY[unit]:
            raise ValidationFailed.one("delay_amount", f"at most {MAX_DELAY[unit]} {unit} (90 days)")
        errors: list[FieldError] = []
        for i, action in enumerate(values["actions"]):
            path = f"actions[{i}]"
            if "template_id" in action:
                channel = await self.references.template_channel(principal.tenant_id, UUID(action["template_id"]))
                if channel != "email":
                    errors.append(FieldError(f"{path}.template_id", "no such e-mail template"))
            if "campaign_id" in action:
                campaigns = read_scope(principal, "campaigns")
                if not await self.references.campaign_in_scope(campaigns, UUID(action["campaign_id"])):
                    errors.append(FieldError(f"{path}.campaign_id", "no such campaign"))
            for name in ("user_id", "assignee_id"):
                if name in action and not await self.references.active_user(principal.tenant_id, UUID(action[name])):
                    errors.append(FieldError(f"{path}.{name}", "no such active user"))
        if errors:
            raise ValidationFailed(errors, "; ".join(f"{e.field}: {e.message}" for e in errors))

    # -- reads ---------------------------------------------------------------------------------

    async def list(self, principal: Principal) -> builtins.list[Automation]:
        principal.require(RESOURCE, "read")
        return await self.automations.list(principal.tenant_id)

    async def get(self, principal: Principal, automation_id: UUID) -> Automation:
        principal.require(RESOURCE, "read")
        return await self._get(principal.tenant_id, automation_id)

    async def runs_of(
        self, principal: Principal, automation_id: UUID, status: str | None, limit: int, cursor: str | None
    ) -> Page[Run]:
        """The automation's runs, newest first (keyset on the time-ordered id)."""
        principal.require(RESOURCE, "read")
        await self._get(principal.tenant_id, automation_id)
        before = Cursor.decode(cursor, RUN_ORDER, datetime_field=False).id if cursor else None
        rows = await self.runs.list(principal.tenant_id, automation_id, status, limit + 1, before)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = Cursor(str(RUN_ORDER), 0, rows[-1].id).encode() if more else None
        return Page(rows, next_cursor)

    # -- writes --------------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any]) -> Automation:
        principal.require(RESOURCE, "create")
        await self._check(principal, values)
        values["owner_id"] = principal.user_id
        made = await self.automations.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "created", made.id, diff(None, _comparable(made)), _comparable(made))
        return made

    async def update(
        self, principal: Principal, automation_id: UUID, changes: dict[str, Any], *, expected_version: int | None
    ) -> Automation:
        principal.require(RESOURCE, "update")
        current = await self.automations.get(principal.tenant_id, automation_id, for_update=True)
        if current is None:
            raise NotFound("no such automation")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the automation is at version {current.version}, not {expected_version}")
        rule_fields = {"trigger", "conditions", "actions", "delay_amount", "delay_unit"}
        if rule_fields & changes.keys():
            merged = {name: changes.get(name, getattr(current, name)) for name in rule_fields}
            await self._check(principal, merged)
            changes |= merged
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return current
        updated = await self.automations.update(principal.tenant_id, automation_id, principal.user_id, changes)
        change_set = diff(_comparable(current), _comparable(updated))
        await self._record(
            principal, "updated", automation_id, change_set, {"id": automation_id, "changes": change_set}
        )
        return updated

    async def delete(self, principal: Principal, automation_id: UUID) -> None:
        principal.require(RESOURCE, "delete")
        await self._get(principal.tenant_id, automation_id)
        await self.automations.set_deleted(principal.tenant_id, automation_id, principal.user_id, deleted=True)
        deleted = {"deleted": {"before": False, "after": True}}
        await self._record(principal, "deleted", automation_id, deleted, {"id": automation_id})

    async def restore(self, principal: Principal, automation_id: UUID) -> Automation:
        principal.require(RESOURCE, "delete")
        if await self.automations.get(principal.tenant_id, automation_id, deleted=True) is None:
            raise NotFound("no deleted automation with this id")
        await self.automations.set_deleted(principal.tenant_id, automation_id, principal.user_id, deleted=False)
        restored = {"deleted": {"before": True, "after": False}}
        await self._record(principal, "restored", automation_id, restored, {"id": automation_id})
        return await self._get(principal.tenant_id, automation_id)

    # -- the worker's half ---------------------------------------------------------------------

    async def on_event(self, event: TriggerEvent, now: datetime | None = None) -> int:
        """Start the runs an outbox event calls for; returns how many were new. Idempotent: the
        same event (or another about the same record) adds nothing for a rule that already ran
        for the record."""
        now = now or clock.utcnow()
        triggers = TRIGGERS_BY_EVENT.get(event.event_type, [])
        if not triggers:
            return 0
        rules = await self.automations.active_for(event.tenant_id, [t.key for t in triggers])
        started = 0
        for rule in rules:
            trigger = TRIGGERS[rule.trigger]
            record = await self.records.resolve(event, trigger)
            if record is None:
                continue
            try:
                run: NewRun | None = await self._plan(event.tenant_id, rule, trigger, record, now)
            except ValidationFailed as stale:  # a custom field the conditions name was removed since
                run = NewRun(
                    rule.id, rule.trigger, None, record, now, "skipped", f"the conditions no longer apply: {stale}"
                )
            if run is not None:
                run.event_id = event.id
                started += await self.runs.add(event.tenant_id, run)
        return started

    async def _plan(
        self, tenant_id: UUID, rule: Automation, trigger: Trigger, record: RecordRef, now: datetime
    ) -> NewRun | None:
        """The run a record calls for: None when the conditions do not match it."""
        run = NewRun(rule.id, rule.trigger, None, record, now + rule.delay)
        owner = await self.owners.principal(tenant_id, rule.owner_id)
        reason = await self._out_of_reach(owner, record)
        if reason is not None:
            run.status, run.reason, run.run_at = "skipped", reason, now
            return run
        assert owner is not None
        tree = await self._tree(tenant_id, trigger, rule.conditions)
        if not await self.records.matches(read_scope(owner, record.entity), record.entity, record.id, tree, now):
            return None
        return run

    async def _out_of_reach(self, owner: Principal | None, record: RecordRef) -> str | None:
        if owner is None:
            return "the automation's owner is no longer an active user"
        if not await self.records.in_scope(read_scope(owner, record.entity), record):
            return f"the {record.kind} is outside the automation owner's data range"
        return None

    async def claim_due(self, now: datetime | None = None) -> tuple[UUID, Run] | None:
        """One due pending run, locked for the caller's transaction (other workers skip it)."""
        return await self.runs.claim_due(now or clock.utcnow())

    async def execute(self, tenant_id: UUID, run: Run) -> str:
        """Carry out a claimed run's actions in the caller's transaction; returns the run's
        status. Raises when an action fails unexpectedly: the caller undoes the actions and
        calls `failed`."""
        rule = await self.automations.get(tenant_id, run.automation_id)
        if rule is None or rule.status != "active":
            gone = "the automation was deleted" if rule is None else "the automation is paused"
            await self.runs.finish(tenant_id, run.id, "skipped", [], gone)
            return "skipped"
        record = RecordRef(run.record_kind, run.record_id, run.source_entity, run.source_id)
        owner = await self.owners.principal(tenant_id, rule.owner_id)
        reason = await self._out_of_reach(owner, record)
        if reason is not None:
            await self.runs.finish(tenant_id, run.id, "skipped", [], reason)
            return "skipped"
        assert owner is not None
        steps = [
            await self.actions.run(owner, run.id, i, action, record, dry=False) for i, action in enumerate(rule.actions)
        ]
        await self.actions.flush_mail()
        await self.runs.finish(tenant_id, run.id, "done", steps)
        return "done"

    async def failed(self, tenant_id: UUID, run_id: UUID, attempts: int, error: str, now: datetime) -> None:
        """A run whose actions failed (and were undone): retried later, or failed for good."""
        done = attempts + 1 >= MAX_ATTEMPTS
        await self.runs.retry_later(tenant_id, run_id, error, now + retry_delay(attempts), failed=done)

    # -- dry run -------------------------------------------------------------------------------

    async def dry_run(self, principal: Principal, automation_id: UUID, record_id: UUID | None, limit: int) -> DryRun:
        """What the automation would do, for a given record (a lead or contact id) or the
        records of the trigger's latest events; nothing changes. Shown only for records the
        caller may read as well (the others are counted in `hidden`)."""
        principal.require(RESOURCE, "update")
        rule = await self._get(principal.tenant_id, automation_id)
        trigger = TRIGGERS[rule.trigger]
        candidates: list[tuple[RecordRef, UUID | None]] = []
        if record_id is not None:
            for entity in trigger.entities:
                ref = RecordRef(entity[:-1], record_id)
                if await self.records.in_scope(read_scope(principal, entity), ref):
                    candidates.append((ref, None))
            if not candidates:
                raise NotFound("no such lead or contact (for this automation's trigger)")
            hidden = 0
        else:
            hidden = 0
            seen: set[tuple[str, UUID]] = set()
            for event in await self.records.recent_events(principal.tenant_id, trigger.event_type, limit * 3):
                found = await self.records.resolve(event, trigger)
                if found is None or (found.kind, found.id) in seen:
                    continue
                seen.add((found.kind, found.id))
                if not await self.records.in_scope(read_scope(principal, found.entity), found):
                    hidden += 1
                    continue
                candidates.append((found, event.id))
                if len(candidates) >= limit:
                    break
        items = [await self._dry_one(principal.tenant_id, rule, trigger, ref, event_id) for ref, event_id in candidates]
        return DryRun(items, hidden)

    async def _dry_one(
        self, tenant_id: UUID, rule: Automation, trigger: Trigger, ref: RecordRef, event_id: UUID | None
    ) -> DryRunItem:
        owner = await self.owners.principal(tenant_id, rule.owner_id)
        reason = await self._out_of_reach(owner, ref)
        if reason is not None or owner is None:
            return DryRunItem(ref.kind, ref.id, event_id, False, reason, [])
        now = clock.utcnow()
        tree = await self._tree(tenant_id, trigger, rule.conditions)
        if not await self.records.matches(read_scope(owner, ref.entity), ref.entity, ref.id, tree, now):
            return DryRunItem(ref.kind, ref.id, event_id, False, "the conditions do not match", [])
        steps = [await self.actions.run(owner, ref.id, i, a, ref, dry=True) for i, a in enumerate(rule.actions)]
        return DryRunItem(ref.kind, ref.id, event_id, True, None, steps)

    # -- helpers -------------------------------------------------------------------------------

    async def _get(self, tenant_id: UUID, automation_id: UUID) -> Automation:
        found = await self.automations.get(tenant_id, automation_id)
        if found is None:
            raise NotFound("no such automation")
        return found

    async def _record(
        self, principal: Principal, event: str, automation_id: UUID, changes: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        name = f"{ENTITY}.{event}"
        await self.audit.record(
            principal, name, RESOURCE, automation_id, changes, events=[NewEvent(name, ENTITY, automation_id, payload)]
        )


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes (capped at an hour) after each failed attempt."""
    return timedelta(minutes=min(2**attempts, 60))


def _comparable(rule: Automation) -> dict[str, Any]:
    keep = ("id", "name", "description", "trigger", "conditions", "actions", "delay_amount", "delay_unit", "status",
            "owner_id")  # fmt: skip
    return {k: getattr(rule, k) for k in keep}
