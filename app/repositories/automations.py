"""Automations in PostgreSQL: the rules, their runs (log and queue at once), and the record side
of a run — which lead or contact an event names, whether it is in a data range, whether a
condition tree matches it (through the one filter compiler, app/repositories/conditions.py), its
e-mail consent and suppression, and adding it to a campaign."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.principal import Principal
from app.domain.marketing.automations import (
    Automation,
    NewRun,
    RecordRef,
    Run,
    Step,
    Trigger,
    TriggerEvent,
)
from app.domain.shared.conditions import Group
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import email_key
from app.domain.shared.scope import DataScope
from app.repositories.conditions import ENTITY_TABLES, compile_tree
from app.repositories.configured import ConfiguredTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    automation_runs,
    automations,
    campaign_members,
    campaigns,
    marketing_consents,
    marketing_suppressions,
    message_templates,
    opportunities,
    outbox,
    tickets,
    users,
)
from app.repositories.users import PgUserRepository

a = automations
r = automation_runs
RUN_COLUMNS = [r.c[name] for name in Run.__dataclass_fields__]


class PgAutomationRepository(ConfiguredTable[Automation]):
    table = automations
    record = Automation
    order_by = ("name", "id")

    async def get(
        self, tenant_id: UUID, automation_id: UUID, *, for_update: bool = False, deleted: bool = False
    ) -> Automation | None:
        if not for_update and not deleted:
            return await super().get(tenant_id, automation_id)
        alive = a.c.deleted_at.is_not(None) if deleted else a.c.deleted_at.is_(None)
        stmt = sa.select(*self.columns).where(a.c.tenant_id == tenant_id, a.c.id == automation_id, alive)
        row = (await self.conn.execute(stmt.with_for_update() if for_update else stmt)).first()
        return self._to_record(row) if row else None

    async def set_deleted(self, tenant_id: UUID, automation_id: UUID, actor: UUID, *, deleted: bool) -> None:
        when = sa.func.now() if deleted else None
        await self.conn.execute(
            a.update()
            .where(a.c.tenant_id == tenant_id, a.c.id == automation_id)
            .values(deleted_at=when, updated_by=actor, updated_at=sa.func.now(), version=a.c.version + 1)
        )

    async def active_for(self, tenant_id: UUID, triggers: builtins.list[str]) -> builtins.list[Automation]:
        stmt = self._live(tenant_id).where(a.c.status == "active", a.c.trigger.in_(triggers)).order_by(a.c.id)
        return [self._to_record(row) for row in await self.conn.execute(stmt)]


class PgRunRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, tenant_id: UUID, run: NewRun) -> bool:
        finished = sa.func.now() if run.status != "pending" else None
        stmt = (
            insert(r)
            .values(
                tenant_id=tenant_id,
                id=new_id(),
                automation_id=run.automation_id,
                trigger=run.trigger,
                event_id=run.event_id,
                record_kind=run.record.kind,
                record_id=run.record.id,
                source_entity=run.record.source_entity,
                source_id=run.record.source_id,
                status=run.status,
                run_at=run.run_at,
                reason=run.reason,
                finished_at=finished,
            )
            .on_conflict_do_nothing(
                index_elements=[r.c.tenant_id, r.c.automation_id, r.c.trigger, r.c.record_kind, r.c.record_id]
            )
        )
        return (await self.conn.execute(stmt)).rowcount > 0

    async def claim_due(self, now: datetime) -> tuple[UUID, Run] | None:
        stmt = (
            sa.select(r.c.tenant_id, *RUN_COLUMNS)
            .where(r.c.status == "pending", r.c.run_at <= now)
            .order_by(r.c.run_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        await self.conn.execute(
            r.update().where(r.c.tenant_id == row.tenant_id, r.c.id == row.id).values(started_at=sa.func.now())
        )
        return row.tenant_id, Run(*row[1:])

    async def finish(
        self, tenant_id: UUID, run_id: UUID, status: str, steps: builtins.list[Step], reason: str | None = None
    ) -> None:
        done = [{"type": s.type, "result": s.result, "detail": s.detail} for s in steps]
        await self.conn.execute(
            r.update()
            .where(r.c.tenant_id == tenant_id, r.c.id == run_id)
            .values(
                status=status,
                actions_done=done,
                reason=reason,
                error=None,
                finished_at=sa.func.now(),
                updated_at=sa.func.now(),
                attempts=r.c.attempts + 1,
            )
        )

    async def retry_later(self, tenant_id: UUID, run_id: UUID, error: str, at: datetime, *, failed: bool) -> None:
        values: dict[str, Any] = {"attempts": r.c.attempts + 1, "error": error[:2000], "updated_at": sa.func.now()}
        values |= {"status": "failed", "finished_at": sa.func.now()} if failed else {"run_at": at}
        await self.conn.execute(r.update().where(r.c.tenant_id == tenant_id, r.c.id == run_id).values(**values))

    async def list(
        self, tenant_id: UUID, automation_id: UUID, status: str | None, limit: int, before: UUID | None
    ) -> builtins.list[Run]:
        stmt = sa.select(*RUN_COLUMNS).where(r.c.tenant_id == tenant_id, r.c.automation_id == automation_id)
        if status is not None:
            stmt = stmt.where(r.c.status == status)
        if before is not None:
            stmt = stmt.where(r.c.id < before)
        rows = await self.conn.execute(stmt.order_by(r.c.id.desc()).limit(limit))
        return [Run(*row) for row in rows]


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


class PgRecordGate:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def resolve(self, event: TriggerEvent, trigger: Trigger) -> RecordRef | None:
        if trigger.source == "leads":
            return RecordRef("lead", event.entity_id)
        if trigger.source == "contacts":
            return RecordRef("contact", event.entity_id)
        if trigger.source == "member":
            source = ("campaign_member", _uuid(event.payload.get("member_id")) or event.entity_id)
            contact, lead = _uuid(event.payload.get("contact_id")), _uuid(event.payload.get("lead_id"))
            if contact is None and lead is None:  # an event without them: read the member
                m = campaign_members
                stmt = sa.select(m.c.contact_id, m.c.lead_id).where(
                    m.c.tenant_id == event.tenant_id, m.c.id == source[1]
                )
                row = (await self.conn.execute(stmt)).first()
                contact, lead = (row.contact_id, row.lead_id) if row else (None, None)
        elif trigger.source == "deal":
            o = opportunities
            stmt = sa.select(o.c.primary_contact_id).where(o.c.tenant_id == event.tenant_id, o.c.id == event.entity_id)
            contact, lead = (await self.conn.execute(stmt)).scalar(), None
            source = ("opportunity", event.entity_id)
        else:  # ticket
            k = tickets
            stmt = sa.select(k.c.contact_id, k.c.lead_id).where(
                k.c.tenant_id == event.tenant_id, k.c.id == event.entity_id
            )
            row = (await self.conn.execute(stmt)).first()
            contact, lead = (row.contact_id, row.lead_id) if row else (None, None)
            source = ("ticket", event.entity_id)
        if contact is not None:
            return RecordRef("contact", contact, *source)
        if lead is not None:
            return RecordRef("lead", lead, *source)
        return None

    async def in_scope(self, scope: DataScope, record: RecordRef) -> bool:
        t = ENTITY_TABLES[record.entity]
        stmt = sa.select(t.c.id).where(scope_predicate(t, scope), t.c.id == record.id, t.c.deleted_at.is_(None))
        return (await self.conn.execute(stmt)).first() is not None

    async def matches(self, scope: DataScope, entity: str, record_id: UUID, conditions: Group, now: datetime) -> bool:
        t = ENTITY_TABLES[entity]
        where = compile_tree(conditions, entity, now=now)
        stmt = sa.select(t.c.id).where(scope_predicate(t, scope), t.c.id == record_id, t.c.deleted_at.is_(None), where)
        return (await self.conn.execute(stmt)).first() is not None

    async def recent_events(self, tenant_id: UUID, event_type: str, limit: int) -> builtins.list[TriggerEvent]:
        o = outbox
        stmt = (
            sa.select(o.c.tenant_id, o.c.id, o.c.event_type, o.c.entity, o.c.entity_id, o.c.payload)
            .where(o.c.tenant_id == tenant_id, o.c.event_type == event_type)
            .order_by(o.c.occurred_at.desc(), o.c.id.desc())
            .limit(limit)
        )
        return [TriggerEvent(*row) for row in await self.conn.execute(stmt)]


class PgReferences:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def template_channel(self, tenant_id: UUID, template_id: UUID) -> str | None:
        t = message_templates
        stmt = sa.select(t.c.channel).where(t.c.tenant_id == tenant_id, t.c.id == template_id, t.c.deleted_at.is_(None))
        return (await self.conn.execute(stmt)).scalar()

    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID) -> bool:
        c = campaigns
        stmt = sa.select(c.c.id).where(scope_predicate(c, scope), c.c.id == campaign_id, c.c.deleted_at.is_(None))
        return (await self.conn.execute(stmt)).first() is not None

    async def active_user(self, tenant_id: UUID, user_id: UUID) -> bool:
        u = users
        stmt = sa.select(u.c.id).where(
            u.c.tenant_id == tenant_id, u.c.id == user_id, u.c.active, u.c.deleted_at.is_(None)
        )
        return (await self.conn.execute(stmt)).first() is not None


class PgMemberWriter(PgReferences):
    async def add_member(self, tenant_id: UUID, campaign_id: UUID, record: RecordRef, actor: UUID) -> UUID | None:
        m = campaign_members
        stmt = (
            insert(m)
            .values(
                tenant_id=tenant_id,
                id=new_id(),
                campaign_id=campaign_id,
                status="targeted",
                source="automation",
                created_by=actor,
                updated_by=actor,
                **{f"{record.kind}_id": record.id},
            )
            .on_conflict_do_nothing()
            .returning(m.c.id)
        )
        member_id: UUID | None = (await self.conn.execute(stmt)).scalar()
        return member_id


class PgOwners:
    def __init__(self, conn: AsyncConnection) -> None:
        self.users = PgUserRepository(conn)

    async def principal(self, tenant_id: UUID, user_id: UUID) -> Principal | None:
        return await self.users.principal(tenant_id, user_id, address=None, request_id=None)


class PgReachability:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def email_refusal(self, tenant_id: UUID, record: RecordRef, address: str) -> str | None:
        s, c = marketing_suppressions, marketing_consents
        key = email_key(address) or address
        suppressed = (
            sa.select(s.c.reason)
            .where(s.c.tenant_id == tenant_id, s.c.channel == "email", s.c.address == key)
            .scalar_subquery()
        )
        consent = (
            sa.select(c.c.status)
            .where(c.c.tenant_id == tenant_id, c.c[f"{record.kind}_id"] == record.id, c.c.channel == "email")
            .order_by(c.c.recorded_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        row = (await self.conn.execute(sa.select(suppressed.label("suppressed"), consent.label("consent")))).one()
        if row.suppressed is not None:
            return f"the address is suppressed ({row.suppressed})"
        if row.consent != "granted":
            return "no e-mail consent" if row.consent is None else "e-mail consent withdrawn"
        return None
