"""Message templates in PostgreSQL, and the reads that fill a message's variables: a contact with
its customer (and region) and owner, a lead with its owner, a campaign with its first session, each
in one statement within the caller's data ranges."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.templates import (
    LOCALES,
    SORTABLE,
    MessageTemplate,
    TemplateQuery,
    TemplateSummary,
)
from app.domain.marketing.variables import CampaignFacts, CustomerFacts, Person, RecipientFacts, registration_link
from app.domain.shared.errors import Conflict
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.domain.shared.scope import DataScope
from app.repositories.listing import keyset, page_of
from app.repositories.scoping import UUIDS, scope_predicate
from app.repositories.tables import (
    campaign_sessions,
    campaigns,
    contacts,
    customers,
    leads,
    message_templates,
    regions,
    users,
)

t = message_templates
_COLUMNS = [t.c[f.name] for f in MessageTemplate.__dataclass_fields__.values() if not f.metadata.get("computed")]
_SUMMARY = [
    t.c.id, t.c.name, t.c.channel, t.c.description, t.c.default_locale,
    sa.func.array_remove(
        array([sa.case((t.c.content.has_key(locale), locale)) for locale in LOCALES]), sa.null()
    ).label("locales"),
    t.c.content[t.c.default_locale]["subject"].astext.label("subject"),
    t.c.created_at, t.c.updated_at, t.c.version,
]  # fmt: skip
_NAME_INDEX = "uq_message_templates_name"


def _template(row: Any) -> MessageTemplate:
    return MessageTemplate(*row)


class PgMessageTemplateRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(
        self, tenant_id: UUID, template_id: UUID, *, for_update: bool = False, deleted: bool = False
    ) -> MessageTemplate | None:
        stmt = sa.select(*_COLUMNS).where(
            t.c.tenant_id == tenant_id,
            t.c.id == template_id,
            t.c.deleted_at.isnot(None) if deleted else t.c.deleted_at.is_(None),
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _template(row) if row else None

    async def list_page(self, tenant_id: UUID, query: TemplateQuery) -> Page[TemplateSummary]:
        where: list[sa.ColumnElement[bool]] = [t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None)]
        if query.channel is not None:
            where.append(t.c.channel == query.channel)
        if query.q is not None:
            # A part of the name, any case (a tenant has tens of templates, not millions).
            where.append(sa.func.strpos(sa.func.lower(t.c.name), sa.func.lower(sa.literal(query.q, sa.Text))) > 0)
        sort = Sort.parse(query.sort, SORTABLE)
        stmt = keyset(sa.select(*_SUMMARY).where(*where), t, sort, query.cursor, query.limit)
        rows = (await self.conn.execute(stmt)).all()
        return page_of(rows, sort, query.limit, lambda row: TemplateSummary(*row))

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> MessageTemplate:
        row = {"tenant_id": tenant_id, "id": new_id(), "created_by": actor, "updated_by": actor, **values}
        return await self._write(tenant_id, t.insert().values(row).returning(*_COLUMNS), values["name"])

    async def update(self, tenant_id: UUID, template_id: UUID, actor: UUID, values: dict[str, Any]) -> MessageTemplate:
        stmt = (
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == template_id, t.c.deleted_at.is_(None))
            .values({**values, "updated_by": actor, "updated_at": sa.func.now(), "version": t.c.version + 1})
            .returning(*_COLUMNS)
        )
        return await self._write(tenant_id, stmt, values.get("name"))

    async def set_deleted(
        self, tenant_id: UUID, template_id: UUID, actor: UUID, *, deleted: bool
    ) -> MessageTemplate | None:
        stmt = (
            t.update()
            .where(
                t.c.tenant_id == tenant_id,
                t.c.id == template_id,
                t.c.deleted_at.is_(None) if deleted else t.c.deleted_at.isnot(None),
            )
            .values(
                deleted_at=sa.func.now() if deleted else None,
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*_COLUMNS)
        )
        name = None
        if not deleted:  # a restore may meet a live namesake made meanwhile
            name = (
                await self.conn.execute(sa.select(t.c.name).where(t.c.tenant_id == tenant_id, t.c.id == template_id))
            ).scalar()
        try:
            async with self.conn.begin_nested():
                row = (await self.conn.execute(stmt)).first()
        except IntegrityError as error:
            raise await self._conflict(tenant_id, error, name)
        return _template(row) if row else None

    async def _write(self, tenant_id: UUID, stmt: sa.Executable, name: str | None) -> MessageTemplate:
        try:
            # A savepoint: the 409 leaves the request's transaction usable (its audit of the refusal).
            async with self.conn.begin_nested():
                return _template((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise await self._conflict(tenant_id, error, name)

    async def _conflict(self, tenant_id: UUID, error: IntegrityError, name: str | None) -> Exception:
        if _NAME_INDEX not in str(error.orig) or name is None:
            return error
        existing = (
            await self.conn.execute(
                sa.select(t.c.id).where(
                    t.c.tenant_id == tenant_id, sa.func.lower(t.c.name) == name.lower(), t.c.deleted_at.is_(None)
                )
            )
        ).scalar()
        return Conflict("a message template with this name exists", existing_id=str(existing))


# -- the variables' data ------------------------------------------------------------------------

_owner = users.alias("owner")


def _customer(row: Any) -> CustomerFacts | None:
    if row.customer_name is None:
        return None
    return CustomerFacts(
        row.customer_name, row.level, row.industry, row.region, row.customer_type, row.customer_email,
        row.customer_phone, row.website, row.address,
    )  # fmt: skip


def _contact(row: Any) -> RecipientFacts:
    return RecipientFacts(
        "contact", row.id, row.name, row.title, row.customer_name, row.email, row.phone,
        customer=_customer(row), owner=_person(row),
    )  # fmt: skip


def _lead(row: Any) -> RecipientFacts:
    return RecipientFacts(
        "lead", row.id, row.name, row.title, row.company, row.email, row.phone, row.source, row.status,
        owner=_person(row),
    )  # fmt: skip


def _ids(ids: list[UUID]) -> sa.BindParameter[Any]:
    return sa.bindparam("ids", list(ids), type_=UUIDS)


def _person(row: Any) -> Person | None:
    return Person(row.owner_name, row.owner_email) if row.owner_name is not None else None


class PgRecipientDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def contact(self, scope: DataScope, contact_id: UUID, *, customers_scope: DataScope) -> RecipientFacts | None:
        found = await self.contacts(scope, [contact_id], customers_scope=customers_scope)
        return found.get(contact_id)

    async def lead(self, scope: DataScope, lead_id: UUID) -> RecipientFacts | None:
        return (await self.leads(scope, [lead_id])).get(lead_id)

    async def contacts(
        self, scope: DataScope, contact_ids: list[UUID], *, customers_scope: DataScope
    ) -> dict[UUID, RecipientFacts]:
        """Many recipients' facts in one statement (a send's batch), by id; those outside
        `scope` are left out."""
        c, cu, r = contacts, customers, regions
        # The customer's facts only where the caller may read the customer itself.
        customer_on = sa.and_(
            cu.c.tenant_id == c.c.tenant_id,
            cu.c.id == c.c.customer_id,
            cu.c.deleted_at.is_(None),
            scope_predicate(cu, customers_scope),
        )
        stmt = (
            sa.select(
                c.c.id,
                c.c.name,
                c.c.title,
                c.c.emails[1].label("email"),
                c.c.phones[1].label("phone"),
                cu.c.name.label("customer_name"),
                cu.c.level,
                cu.c.industry,
                r.c.name.label("region"),
                cu.c.customer_type,
                cu.c.email.label("customer_email"),
                cu.c.phone.label("customer_phone"),
                cu.c.website,
                cu.c.address,
                _owner.c.name.label("owner_name"),
                _owner.c.email.label("owner_email"),
            )
            .select_from(
                c.outerjoin(cu, customer_on)
                .outerjoin(r, sa.and_(r.c.tenant_id == cu.c.tenant_id, r.c.id == cu.c.region_id))
                .outerjoin(
                    _owner,
                    sa.and_(
                        _owner.c.tenant_id == c.c.tenant_id,
                        _owner.c.id == sa.func.coalesce(cu.c.owner_id, c.c.owner_id),
                    ),
                )
            )
            .where(scope_predicate(c, scope), c.c.id == sa.any_(_ids(contact_ids)), c.c.deleted_at.is_(None))
        )
        return {row.id: _contact(row) for row in await self.conn.execute(stmt)}

    async def leads(self, scope: DataScope, lead_ids: list[UUID]) -> dict[UUID, RecipientFacts]:
        """Many leads' facts in one statement, by id; those outside `scope` are left out."""
        le = leads
        stmt = (
            sa.select(
                le.c.id,
                le.c.name,
                le.c.title,
                le.c.company,
                le.c.email,
                le.c.phone,
                le.c.source,
                le.c.status,
                _owner.c.name.label("owner_name"),
                _owner.c.email.label("owner_email"),
            )
            .select_from(
                le.outerjoin(_owner, sa.and_(_owner.c.tenant_id == le.c.tenant_id, _owner.c.id == le.c.owner_id))
            )
            .where(scope_predicate(le, scope), le.c.id == sa.any_(_ids(lead_ids)), le.c.deleted_at.is_(None))
        )
        return {row.id: _lead(row) for row in await self.conn.execute(stmt)}

    async def campaign(self, scope: DataScope, campaign_id: UUID, public_url: str) -> CampaignFacts | None:
        ca, se = campaigns, campaign_sessions
        # The first live session gives an event its time and place; a campaign without sessions
        # has its dates.
        first = (
            sa.select(se.c.starts_at, se.c.ends_at, sa.func.coalesce(se.c.location, se.c.online_url).label("place"))
            .where(se.c.tenant_id == ca.c.tenant_id, se.c.campaign_id == ca.c.id, se.c.deleted_at.is_(None))
            .order_by(se.c.starts_at, se.c.id)
            .limit(1)
            .lateral("first_session")
        )
        stmt = (
            sa.select(
                ca.c.name,
                ca.c.campaign_type,
                ca.c.starts_on,
                ca.c.ends_on,
                ca.c.public_key,
                ca.c.registration_open,
                first.c.starts_at,
                first.c.ends_at,
                first.c.place,
            )
            .select_from(ca.outerjoin(first, sa.true()))
            .where(scope_predicate(ca, scope), ca.c.id == campaign_id, ca.c.deleted_at.is_(None))
        )
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        link = registration_link(public_url, row.public_key) if row.public_key and row.registration_open else None
        return CampaignFacts(
            row.name,
            row.campaign_type,
            starts_at=row.starts_at or row.starts_on,
            ends_at=row.ends_at or row.ends_on,
            location=row.place,
            registration_link=link,
        )
