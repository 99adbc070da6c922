"""Contacts in PostgreSQL, built like the customers' adapter: every statement on behalf of a caller
carries `scope_predicate`; SQL Core rows map straight to the domain dataclass."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.contacts.entities import SORTABLE, Contact, ContactQuery, email_keys, phone_keys
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import phone_key, search_pattern, search_text
from app.domain.shared.paging import Page, Sort
from app.domain.shared.scope import DataScope
from app.repositories.listing import keyset, page_of
from app.repositories.ownership import reassign_owner
from app.repositories.scoping import scope_predicate
from app.repositories.tables import contacts

t = contacts
COLUMNS = [t.c[name] for name in Contact.__dataclass_fields__]
TEXT_ARRAY = ARRAY(sa.Text)

# Foreign keys a client can point at a missing row; each becomes a 422 on that field.
FK_FIELDS = {"fk_contacts_customer": "customer_id", "fk_contacts_owner": "owner_id"}


def to_contact(row: Any) -> Contact:
    return Contact(*row[: len(COLUMNS)])


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """Columns kept in step with the record: duplicate keys and search text. `values` holds at
    least name, emails and phones (the demo seed calls this too, so seeded rows match)."""
    emails = list(values.get("emails") or [])
    phones = list(values.get("phones") or [])
    return {
        "emails_norm": email_keys(emails),
        "phones_norm": phone_keys(phones),
        # Phones twice: as written, and as digits so "13911" finds "139 1122 3344".
        "search_text": search_text(values.get("name"), *emails, *phones, *map(phone_key, phones)),
    }


def _integrity(error: IntegrityError) -> ValidationFailed:
    text = str(error.orig)
    for constraint, field in FK_FIELDS.items():
        if constraint in text:
            return ValidationFailed.one(field, "refers to no such record")
    raise error


def _live_item(row: Any) -> Contact | dict[str, Any]:
    return to_contact(row)


def filters(query: ContactQuery) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    simple = (
        (t.c.owner_id, query.owner_id),
        (t.c.department_id, query.department_id),
        (t.c.customer_id, query.customer_id),
    )
    where.extend(column == value for column, value in simple if value is not None)
    if query.tag is not None:
        where.append(t.c.tags.contains([query.tag]))
    if query.created_from is not None:
        where.append(t.c.created_at >= query.created_from)
    if query.created_to is not None:
        where.append(t.c.created_at < query.created_to)
    if query.custom:
        where.append(t.c.custom_fields.contains(query.custom))
    if query.q:
        where.append(t.c.search_text.like(search_pattern(query.q)))
    return where


class PgContactRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(
        self,
        scope: DataScope,
        contact_id: UUID,
        *,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Contact | None:
        live = t.c.deleted_at.isnot(None) if deleted else t.c.deleted_at.is_(None)
        stmt = sa.select(*COLUMNS).where(scope_predicate(t, scope), t.c.id == contact_id, live)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return to_contact(row) if row else None

    async def list_page(self, scope: DataScope, query: ContactQuery) -> Page[Contact | dict[str, Any]]:
        if query.updated_since is not None:
            return await self._changes_since(scope, query)
        sort = Sort.parse(query.sort, SORTABLE)
        stmt = sa.select(*COLUMNS).where(scope_predicate(t, scope), t.c.deleted_at.is_(None), *filters(query))
        rows = (await self.conn.execute(keyset(stmt, t, sort, query.cursor, query.limit))).all()
        return page_of(rows, sort, query.limit, _live_item)

    async def _changes_since(self, scope: DataScope, query: ContactQuery) -> Page[Contact | dict[str, Any]]:
        """Sync feed: everything changed since the instant, oldest first, deletions as tombstones."""
        sort = Sort("updated_at", descending=False)
        stmt = sa.select(*COLUMNS, t.c.deleted_at).where(
            scope_predicate(t, scope), t.c.updated_at >= query.updated_since, *filters(query)
        )
        rows = (await self.conn.execute(keyset(stmt, t, sort, query.cursor, query.limit))).all()

        def item(row: Any) -> Contact | dict[str, Any]:
            if row.deleted_at is not None:
                return {"id": row.id, "deleted": True, "updated_at": row.updated_at}
            return to_contact(row)

        return page_of(rows, sort, query.limit, item)

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Contact:
        stmt = (
            t.insert()
            .values(
                tenant_id=tenant_id,
                id=new_id(),
                created_by=actor,
                updated_by=actor,
                **values,
                **derived(values),
            )
            .returning(*COLUMNS)
        )
        try:
            return to_contact((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise _integrity(error)

    async def update(self, scope: DataScope, current: Contact, actor: UUID, values: dict[str, Any]) -> Contact:
        """Apply `values` to `current`, a row the caller has read (and locked) within `scope`."""
        merged = {"name": current.name, "emails": current.emails, "phones": current.phones, **values}
        stmt = (
            t.update()
            .where(scope_predicate(t, scope), t.c.id == current.id, t.c.deleted_at.is_(None))
            .values(
                **values,
                **derived(merged),
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*COLUMNS)
        )
        try:
            return to_contact((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise _integrity(error)

    async def set_deleted(self, scope: DataScope, contact_id: UUID, actor: UUID, *, deleted: bool) -> Contact | None:
        currently = t.c.deleted_at.is_(None) if deleted else t.c.deleted_at.isnot(None)
        stmt = (
            t.update()
            .where(scope_predicate(t, scope), t.c.id == contact_id, currently)
            .values(
                deleted_at=sa.func.now() if deleted else None,
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*COLUMNS)
        )
        row = (await self.conn.execute(stmt)).first()
        return to_contact(row) if row else None

    async def find_duplicate(
        self,
        tenant_id: UUID,
        emails: list[str],
        phones: list[str],
        *,
        exclude: UUID | None = None,
    ) -> UUID | None:
        """A live contact of the tenant holding any of these normalized emails or phones."""
        if not emails and not phones:
            return None
        # Serialize writers of the same keys, so two concurrent creates cannot both pass; the keys
        # are locked in one order so that two writers sharing several keys cannot deadlock.
        for key in sorted({*emails, *phones}):
            await self.conn.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"{tenant_id}:contact:{key}", 0)))
            )
        # `&&` (overlap) on the GIN-indexed key arrays.
        match = sa.or_(
            *([t.c.emails_norm.overlap(sa.literal(emails, TEXT_ARRAY))] if emails else []),
            *([t.c.phones_norm.overlap(sa.literal(phones, TEXT_ARRAY))] if phones else []),
        )
        stmt = sa.select(t.c.id).where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None), match)
        if exclude is not None:
            stmt = stmt.where(t.c.id != exclude)
        return (await self.conn.execute(stmt.limit(1))).scalar()

    async def reassign_owner(
        self,
        scope: DataScope,
        from_owner: UUID,
        to_owner: UUID,
        department_id: UUID | None,
        actor: UUID,
    ) -> list[UUID]:
        return await reassign_owner(self.conn, t, scope, from_owner, to_owner, department_id, actor)
