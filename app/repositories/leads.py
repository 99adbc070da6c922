"""Leads in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py), the
duplicate search across leads, contacts and customers, conversion, and the scoring rules."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.leads.entities import SORTABLE, Lead, LeadStatus
from app.domain.leads.scoring import ScoringRule
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import email_key, phone_key, search_text
from app.repositories.owned import OwnedTable
from app.repositories.tables import contacts, customers, lead_scoring_rules, leads

t = leads
TEXTS = ARRAY(sa.Text)


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """Columns kept in step with the lead: duplicate keys and search text."""
    return {
        "email_norm": email_key(values.get("email")),
        "phone_norm": phone_key(values.get("phone")),
        "search_text": search_text(
            values.get("name"),
            values.get("company"),
            values.get("email"),
            values.get("phone"),
            phone_key(values.get("phone")),
        ),
    }


class PgLeadRepository(OwnedTable[Lead]):
    table = t
    record = Lead
    sortable = SORTABLE
    fk_fields = {"fk_leads_region": "region_id", "fk_leads_owner": "owner_id"}
    derived_from = ("name", "company", "email", "phone")
    derived = staticmethod(derived)

    async def mark_converted(
        self, tenant_id: UUID, lead_id: UUID, actor: UUID, customer_id: UUID, contact_id: UUID | None
    ) -> Lead:
        stmt = (
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == lead_id)
            .values(
                status=LeadStatus.CONVERTED.value,
                converted_customer_id=customer_id,
                converted_contact_id=contact_id,
                converted_at=sa.func.now(),
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*self.columns)
        )
        return self._to_record((await self.conn.execute(stmt)).one())


class PgLeadDuplicateFinder:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def matching(
        self, tenant_id: UUID, emails: list[str], phones: list[str], *, exclude_lead: UUID | None
    ) -> list[dict[str, Any]]:
        # Serialize writers of the same keys (as customers and contacts do), so two concurrent
        # captures of one person cannot both pass; keys locked in one order against deadlocks.
        for key in sorted({*emails, *phones}):
            await self.conn.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"{tenant_id}:lead:{key}", 0)))
            )
        email_list, phone_list = sa.literal(emails, TEXTS), sa.literal(phones, TEXTS)
        lead_match = sa.or_(t.c.email_norm == sa.any_(email_list), t.c.phone_norm == sa.any_(phone_list))
        if exclude_lead is not None:
            lead_match = sa.and_(lead_match, t.c.id != exclude_lead)
        c, k = customers, contacts
        found = sa.union_all(
            sa.select(sa.literal("lead").label("entity"), t.c.id)
            .where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None), lead_match)
            .limit(5),
            sa.select(sa.literal("contact"), k.c.id)
            .where(
                k.c.tenant_id == tenant_id,
                k.c.deleted_at.is_(None),
                sa.or_(k.c.emails_norm.overlap(email_list), k.c.phones_norm.overlap(phone_list)),
            )
            .limit(5),
            sa.select(sa.literal("customer"), c.c.id)
            .where(
                c.c.tenant_id == tenant_id,
                c.c.deleted_at.is_(None),
                sa.or_(c.c.email_norm == sa.any_(email_list), c.c.phone_norm == sa.any_(phone_list)),
            )
            .limit(5),
        )
        return [{"entity": row.entity, "id": row.id} for row in await self.conn.execute(found)]


r = lead_scoring_rules
RULE_COLUMNS = [r.c[name] for name in ScoringRule.__dataclass_fields__]


def _rule(row: Any) -> ScoringRule:
    return ScoringRule(*row[: len(RULE_COLUMNS)])


class PgScoringRuleRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _live(self, tenant_id: UUID) -> sa.Select[Any]:
        return sa.select(*RULE_COLUMNS).where(r.c.tenant_id == tenant_id, r.c.deleted_at.is_(None))

    async def active(self, tenant_id: UUID) -> list[ScoringRule]:
        rows = await self.conn.execute(self._live(tenant_id).where(r.c.active).order_by(r.c.created_at, r.c.id))
        return [_rule(row) for row in rows]

    async def list(self, tenant_id: UUID) -> list[ScoringRule]:
        rows = await self.conn.execute(self._live(tenant_id).order_by(r.c.created_at, r.c.id))
        return [_rule(row) for row in rows]

    async def get(self, tenant_id: UUID, rule_id: UUID) -> ScoringRule | None:
        row = (await self.conn.execute(self._live(tenant_id).where(r.c.id == rule_id))).first()
        return _rule(row) if row else None

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> ScoringRule:
        stmt = (
            r.insert()
            .values(tenant_id=tenant_id, id=new_id(), created_by=actor, updated_by=actor, **values)
            .returning(*RULE_COLUMNS)
        )
        return _rule((await self.conn.execute(stmt)).one())

    async def update(self, tenant_id: UUID, rule_id: UUID, actor: UUID, values: dict[str, Any]) -> ScoringRule:
        stmt = (
            r.update()
            .where(r.c.tenant_id == tenant_id, r.c.id == rule_id, r.c.deleted_at.is_(None))
            .values(**values, updated_by=actor, updated_at=sa.func.now(), version=r.c.version + 1)
            .returning(*RULE_COLUMNS)
        )
        return _rule((await self.conn.execute(stmt)).one())

    async def delete(self, tenant_id: UUID, rule_id: UUID, actor: UUID) -> bool:
        stmt = (
            r.update()
            .where(r.c.tenant_id == tenant_id, r.c.id == rule_id, r.c.deleted_at.is_(None))
            .values(deleted_at=sa.func.now(), updated_by=actor, updated_at=sa.func.now(), version=r.c.version + 1)
        )
        return (await self.conn.execute(stmt)).rowcount > 0
