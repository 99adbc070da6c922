"""Customers in PostgreSQL. Every statement that reads or changes a customer on behalf of a caller
carries `scope_predicate`; SQL Core statements map rows straight to the domain dataclass."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.customers.entities import SORTABLE, Customer, CustomerQuery
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import email_key, phone_key, search_pattern, search_text
from app.domain.shared.paging import Page, Sort
from app.domain.shared.scope import DataScope
from app.repositories.custom_fields import definitions_query
from app.repositories.listing import keyset_placeholders, keyset_values, page_of
from app.repositories.ownership import reassign_owner
from app.repositories.prepared import Prepared, StatementCache
from app.repositories.scoping import scope_clause, scope_params, scope_predicate, scope_shape
from app.repositories.tables import activities, contacts, customers, tenants, users

t = customers
COLUMNS = [t.c[name] for name in Customer.__dataclass_fields__]

# Foreign keys a client can point at a missing row; each becomes a 422 on that field.
FK_FIELDS = {"fk_customers_region": "region_id", "fk_customers_owner": "owner_id"}


def to_customer(row: Any) -> Customer:
    return Customer(*row[: len(COLUMNS)])


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


def _integrity(error: IntegrityError) -> ValidationFailed:
    text = str(error.orig)
    for constraint, field in FK_FIELDS.items():
        if constraint in text:
            return ValidationFailed.one(field, "refers to no such record")
    raise error


def _live_item(row: Any) -> Customer | dict[str, Any]:
    return to_customer(row)


def _feed_item(row: Any) -> Customer | dict[str, Any]:
    if row.deleted_at is not None:
        return {"id": row.id, "deleted": True, "updated_at": row.updated_at}
    return to_customer(row)


def _filters(query: CustomerQuery) -> list[tuple[str, Any, Callable[[Any], sa.ColumnElement[bool]]]]:
    """(parameter name, value, predicate on a placeholder) for each filter the query sets."""
    terms: list[tuple[str, Any, Callable[[Any], sa.ColumnElement[bool]]]] = []
    for column, value in (
        (t.c.owner_id, query.owner_id),
        (t.c.department_id, query.department_id),
        (t.c.region_id, query.region_id),
        (t.c.customer_type, query.customer_type),
        (t.c.status, query.status),
        (t.c.level, query.level),
    ):
        if value is not None:
            terms.append((column.name, value, column.__eq__))
    if query.tag is not None:
        terms.append(("tag", [query.tag], t.c.tags.contains))
    if query.created_from is not None:
        terms.append(("created_from", query.created_from, t.c.created_at.__ge__))
    if query.created_to is not None:
        terms.append(("created_to", query.created_to, t.c.created_at.__lt__))
    if query.custom:
        terms.append(("custom", query.custom, t.c.custom_fields.contains))
    if query.q:
        terms.append(("q", search_pattern(query.q), t.c.search_text.like))
    return terms


_TYPES: dict[str, Any] = {
    "tag": ARRAY(sa.Text),
    "created_from": t.c.created_at.type,
    "created_to": t.c.created_at.type,
    "custom": JSONB,
    "q": sa.Text,
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
_ADVISORY_LOCK = Prepared.of(
    sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(sa.bindparam("key", type_=sa.Text), 0)))
)


class PgCustomerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(
        self,
        scope: DataScope,
        customer_id: UUID,
        *,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Customer | None:
        shape = scope_shape(scope)

        def build() -> sa.ClauseElement:
            live = t.c.deleted_at.isnot(None) if deleted else t.c.deleted_at.is_(None)
            stmt = sa.select(*COLUMNS).where(
                scope_clause(t, shape), t.c.id == sa.bindparam("id", type_=t.c.id.type), live
            )
            return stmt.with_for_update() if for_update else stmt

        prepared = _STATEMENTS.get(("get", shape, for_update, deleted), build)
        rows = await prepared.rows(self.conn, {**scope_params(scope), "id": customer_id})
        return to_customer(rows[0]) if rows else None

    async def list_page(self, scope: DataScope, query: CustomerQuery) -> Page[Customer | dict[str, Any]]:
        """A page of live customers, or with `updated_since` the sync feed: everything changed
        since the instant, oldest first, deletions as tombstones."""
        feed = query.updated_since is not None
        sort = Sort("updated_at", descending=False) if feed else Sort.parse(query.sort, SORTABLE)
        shape = scope_shape(scope)
        terms = _filters(query)
        names = tuple(name for name, _, _ in terms)

        def build() -> sa.ClauseElement:
            columns = [*COLUMNS, t.c.deleted_at] if feed else COLUMNS
            since = t.c.updated_at >= sa.bindparam("updated_since", type_=t.c.updated_at.type)
            where = [scope_clause(t, shape), since if feed else t.c.deleted_at.is_(None)]
            where += [
                predicate(sa.bindparam(name, type_=_TYPES.get(name, t.c[name].type if name in t.c else None)))
                for name, _, predicate in terms
            ]
            return keyset_placeholders(sa.select(*columns).where(*where), t, sort, bool(query.cursor))

        prepared = _STATEMENTS.get(("list", shape, names, feed, str(sort), bool(query.cursor)), build)
        params = {
            **scope_params(scope),
            **{name: value for name, value, _ in terms},
            **keyset_values(t, sort, query.cursor, query.limit),
        }
        if feed:
            params["updated_since"] = query.updated_since
        rows = await prepared.rows(self.conn, params)
        return page_of(rows, sort, query.limit, _feed_item if feed else _live_item)

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Customer:
        row = {
            "tenant_id": tenant_id,
            "id": new_id(),
            "created_by": actor,
            "updated_by": actor,
            **values,
            **derived(values),
        }
        names = tuple(sorted(row))

        def build() -> sa.ClauseElement:
            return t.insert().values({n: sa.bindparam(n, type_=t.c[n].type) for n in names}).returning(*COLUMNS)

        try:
            rows = await _STATEMENTS.get(("insert", names), build).rows(self.conn, row)
        except IntegrityError as error:
            raise _integrity(error)
        return to_customer(rows[0])

    async def update(self, scope: DataScope, current: Customer, actor: UUID, values: dict[str, Any]) -> Customer:
        """Apply `values` to `current`, a row the caller has read (and locked) within `scope`."""
        merged = {"name": current.name, "email": current.email, "phone": current.phone, **values}
        changes = {**values, **derived(merged), "updated_by": actor}
        names = tuple(sorted(changes))
        shape = scope_shape(scope)

        def build() -> sa.ClauseElement:
            return (
                t.update()
                .where(
                    scope_clause(t, shape),
                    t.c.id == sa.bindparam("row_id", type_=t.c.id.type),
                    t.c.deleted_at.is_(None),
                )
                .values({n: sa.bindparam(n, type_=t.c[n].type) for n in names})
                .values(updated_at=sa.func.now(), version=t.c.version + 1)
                .returning(*COLUMNS)
            )

        prepared = _STATEMENTS.get(("update", shape, names), build)
        try:
            rows = await prepared.rows(self.conn, {**scope_params(scope), **changes, "row_id": current.id})
        except IntegrityError as error:
            raise _integrity(error)
        return to_customer(rows[0])

    async def set_deleted(self, scope: DataScope, customer_id: UUID, actor: UUID, *, deleted: bool) -> Customer | None:
        currently = t.c.deleted_at.is_(None) if deleted else t.c.deleted_at.isnot(None)
        stmt = (
            t.update()
            .where(scope_predicate(t, scope), t.c.id == customer_id, currently)
            .values(
                deleted_at=sa.func.now() if deleted else None,
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*COLUMNS)
        )
        row = (await self.conn.execute(stmt)).first()
        return to_customer(row) if row else None

    async def find_duplicate(
        self, tenant_id: UUID, email: str | None, phone: str | None, *, exclude: UUID | None = None
    ) -> UUID | None:
        if email is None and phone is None:
            return None
        # Serialize creators of the same keys, so two concurrent creates cannot both pass.
        for key in filter(None, (email, phone)):
            await _ADVISORY_LOCK.rows(self.conn, {"key": f"{tenant_id}:{key}"})

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

    async def reassign_owner(
        self,
        scope: DataScope,
        from_owner: UUID,
        to_owner: UUID,
        department_id: UUID | None,
        actor: UUID,
    ) -> list[UUID]:
        return await reassign_owner(self.conn, t, scope, from_owner, to_owner, department_id, actor)

    async def move_children(self, tenant_id: UUID, source_id: UUID, target_id: UUID, actor: UUID) -> dict[str, int]:
        moved: dict[str, int] = {}
        for name, table in (("contacts", contacts), ("activities", activities)):
            result = await self.conn.execute(
                table.update()
                .where(table.c.tenant_id == tenant_id, table.c.customer_id == source_id)
                .values(
                    customer_id=target_id,
                    updated_by=actor,
                    updated_at=sa.func.now(),
                    version=table.c.version + 1,
                )
            )
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
