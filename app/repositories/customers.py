"""Customers in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py) plus the
duplicate check, the merge's move of children, and the write context (tenant settings and
custom-field definitions in one round trip)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.customers.entities import SORTABLE, Customer
from app.domain.shared.normalize import email_key, phone_key, search_text
from app.repositories.custom_fields import definitions_query
from app.repositories.customer_filters import ANALYSIS_FILTERS, analysis_terms
from app.repositories.locks import lock_keys
from app.repositories.owned import OwnedTable, Term
from app.repositories.prepared import Prepared, StatementCache
from app.repositories.tables import (
    activities,
    contacts,
    customers,
    leads,
    opportunities,
    orders,
    quotes,
    survey_call_backs,
    survey_invitations,
    survey_responses,
    tenants,
    tickets,
    users,
)

t = customers
# What a merge moves from the source customer to the target: (audit name, table, column).
_CHILDREN = (
    ("contacts", contacts, "customer_id"),
    ("activities", activities, "customer_id"),
    ("opportunities", opportunities, "customer_id"),
    ("quotes", quotes, "customer_id"),
    ("orders", orders, "customer_id"),
    ("tickets", tickets, "customer_id"),
    ("converted_leads", leads, "converted_customer_id"),
    ("survey_invitations", survey_invitations, "customer_id"),
    ("survey_responses", survey_responses, "customer_id"),
    ("call_backs", survey_call_backs, "customer_id"),
)


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """Columns kept in step with the record: duplicate keys and search text."""
    return {
        "email_norm": email_key(values.get("email")),
        "phone_norm": phone_key(values.get("phone")),
        # The phone twice: as written, and as digits so "13911" finds "139 1122 3344".
        "search_text": search_text(
            values.get("name"),
            values.get("email"),
            values.get("phone"),
            phone_key(values.get("phone")),
        ),
    }


_STATEMENTS = StatementCache()


def _write_context_statement() -> sa.ClauseElement:
    tenant_id = sa.bindparam("tenant_id", type_=tenants.c.id.type)
    defs = definitions_query(tenant_id, sa.bindparam("entity", type_=sa.Text)).subquery()
    defs_json = sa.select(
        sa.func.coalesce(sa.func.jsonb_agg(sa.func.to_jsonb(sa.literal_column("d"))), sa.text("'[]'::jsonb"))
    ).select_from(defs.alias("d"))
    return sa.select(tenants.c.settings, defs_json.scalar_subquery().cast(JSONB).label("defs")).where(
        tenants.c.id == tenant_id
    )


_WRITE_CONTEXT = Prepared.of(_write_context_statement())


class PgCustomerRepository(OwnedTable[Customer]):
    table = t
    record = Customer
    sortable = SORTABLE
    fk_fields = {"fk_customers_region": "region_id", "fk_customers_owner": "owner_id"}
    derived_from = ("name", "email", "phone")
    derived = staticmethod(derived)

    def query_terms(self, query: Any) -> list[Term]:
        """The naming convention's filters, and the customer analysis' (customer_filters)."""
        analysis = {name: getattr(query, name) for name in ANALYSIS_FILTERS}
        plain = replace(query, **dict.fromkeys(ANALYSIS_FILTERS))
        return [*super().query_terms(plain), *analysis_terms(analysis)]

    async def find_duplicate(
        self, tenant_id: UUID, email: str | None, phone: str | None, *, exclude: UUID | None = None
    ) -> UUID | None:
        if email is None and phone is None:
            return None
        # Serialize creators of the same keys, so two concurrent creates cannot both pass.
        await lock_keys(self.conn, (f"{tenant_id}:{key}" for key in (email, phone) if key))

        def build() -> sa.ClauseElement:
            match = sa.or_(
                *([t.c.email_norm == sa.bindparam("email", type_=sa.Text)] if email else []),
                *([t.c.phone_norm == sa.bindparam("phone", type_=sa.Text)] if phone else []),
            )
            stmt = sa.select(t.c.id).where(
                t.c.tenant_id == sa.bindparam("tenant_id", type_=t.c.tenant_id.type), t.c.deleted_at.is_(None), match
            )
            if exclude is not None:
                stmt = stmt.where(t.c.id != sa.bindparam("exclude", type_=t.c.id.type))
            return stmt.limit(1)

        prepared = _STATEMENTS.get(("duplicate", email is not None, phone is not None, exclude is not None), build)
        rows = await prepared.rows(
            self.conn, {"tenant_id": tenant_id, "email": email, "phone": phone, "exclude": exclude}
        )
        return rows[0].id if rows else None

    async def move_children(self, tenant_id: UUID, source_id: UUID, target_id: UUID, actor: UUID) -> dict[str, int]:
        """Point everything that names `source` at `target`; per table, how many rows moved.
        Records get a new version (a sync feed sees them change); survey links are facts
        about an answer and carry no version. Tickets take the target's owner and department
        for their data ranges through their trigger (migration 0018)."""
        moved: dict[str, int] = {}
        for name, table, column in _CHILDREN:
            values: dict[str, Any] = {column: target_id}
            if "version" in table.c:
                values |= {"updated_by": actor, "updated_at": sa.func.now(), "version": table.c.version + 1}
            result = await self.conn.execute(
                table.update().where(table.c.tenant_id == tenant_id, table.c[column] == source_id).values(values)
            )
            if result.rowcount or name in ("contacts", "activities"):
                moved[name] = result.rowcount
        return moved


class PgWriteContextRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def write_context(self, tenant_id: UUID, entity: str) -> tuple[dict[str, Any], list[CustomFieldDef]]:
        row = (await _WRITE_CONTEXT.rows(self.conn, {"tenant_id": tenant_id, "entity": entity}))[0]
        return row.settings, [_def_from_json(d) for d in row.defs]

    async def active_user_department(self, tenant_id: UUID, user_id: UUID) -> tuple[bool, UUID | None] | None:
        row = (
            await self.conn.execute(
                sa.select(users.c.active, users.c.department_id).where(
                    users.c.tenant_id == tenant_id,
                    users.c.id == user_id,
                    users.c.deleted_at.is_(None),
                )
            )
        ).first()
        return (row.active, row.department_id) if row else None


def _def_from_json(d: dict[str, Any]) -> CustomFieldDef:
    return CustomFieldDef(
        **{
            **d,
            "id": UUID(d["id"]),
            "created_at": datetime.fromisoformat(d["created_at"]),
            "updated_at": datetime.fromisoformat(d["updated_at"]),
        }
    )
