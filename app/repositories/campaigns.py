"""Campaigns, their sessions and members in PostgreSQL.

Campaigns are owned records on the shared adapter (app/repositories/owned.py): data range, list
filters by naming convention, keyset paging and the sync feed. Members are read joined to their
contact (and its customer, for the company) or lead, and only where that contact or lead is within
the caller's contacts / leads range (app/repositories/scoping.py); funnel moves go through
app/repositories/member_funnel.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.campaign_entities import (
    MEMBER_SORTABLE,
    SORTABLE,
    Campaign,
    CampaignSession,
    Member,
    MemberQuery,
    NewMember,
)
from app.domain.shared.clock import utcnow
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import search_pattern, search_text
from app.domain.shared.paging import Page, Sort
from app.domain.shared.ports import NewEvent
from app.domain.shared.scope import DataScope
from app.repositories.conditions import compile_tree
from app.repositories.listing import keyset, page_of
from app.repositories.member_funnel import advance_members
from app.repositories.owned import OwnedTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import campaign_members, campaign_sessions, campaigns, contacts, customers, leads, outbox

t = campaigns
s = campaign_sessions
m = campaign_members
UUIDS = ARRAY(sa.Uuid)


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """What `q` finds: the name, channel and tags (Chinese included: NFKC-folded substrings)."""
    return {"search_text": search_text(values.get("name"), values.get("channel"), *(values.get("tags") or ()))}


class PgCampaignRepository(OwnedTable[Campaign]):
    table = t
    record = Campaign
    sortable = SORTABLE
    fk_fields = {"fk_campaigns_owner": "owner_id", "fk_campaigns_parent": "parent_id"}
    derived_from = ("name", "channel", "tags")
    derived = staticmethod(derived)

    async def ancestors(self, tenant_id: UUID, campaign_id: UUID) -> list[UUID]:
        chain = (
            sa.select(t.c.parent_id.label("id"), sa.literal(1).label("depth"))
            .where(t.c.tenant_id == tenant_id, t.c.id == campaign_id)
            .cte("chain", recursive=True)
        )
        up = t.alias("up")
        chain = chain.union_all(
            sa.select(up.c.parent_id, chain.c.depth + 1).where(
                up.c.tenant_id == tenant_id, up.c.id == chain.c.id, chain.c.depth < 200
            )
        )
        rows = await self.conn.execute(sa.select(chain.c.id).where(chain.c.id.isnot(None)).order_by(chain.c.depth))
        return [row.id for row in rows]


_SESSION_COLUMNS = [s.c[name] for name in CampaignSession.__dataclass_fields__]


class PgCampaignSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list(self, tenant_id: UUID, campaign_id: UUID) -> list[CampaignSession]:
        rows = await self.conn.execute(
            sa.select(*_SESSION_COLUMNS)
            .where(s.c.tenant_id == tenant_id, s.c.campaign_id == campaign_id, s.c.deleted_at.is_(None))
            .order_by(s.c.starts_at, s.c.id)
        )
        return [CampaignSession(*row) for row in rows]

    async def get(
        self, tenant_id: UUID, campaign_id: UUID, session_id: UUID, *, for_update: bool = False
    ) -> CampaignSession | None:
        stmt = sa.select(*_SESSION_COLUMNS).where(
            s.c.tenant_id == tenant_id, s.c.campaign_id == campaign_id, s.c.id == session_id, s.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt.with_for_update() if for_update else stmt)).first()
        return CampaignSession(*row) if row else None

    async def insert(self, tenant_id: UUID, campaign_id: UUID, actor: UUID, values: dict[str, Any]) -> CampaignSession:
        row = (
            await self.conn.execute(
                s.insert()
                .values(
                    tenant_id=tenant_id,
                    id=new_id(),
                    campaign_id=campaign_id,
                    created_by=actor,
                    updated_by=actor,
                    **values,
                )
                .returning(*_SESSION_COLUMNS)
            )
        ).one()
        return CampaignSession(*row)

    async def update(self, tenant_id: UUID, session_id: UUID, actor: UUID, values: dict[str, Any]) -> CampaignSession:
        row = (
            await self.conn.execute(
                s.update()
                .where(s.c.tenant_id == tenant_id, s.c.id == session_id)
                .values(**values, updated_by=actor, updated_at=sa.func.now(), version=s.c.version + 1)
                .returning(*_SESSION_COLUMNS)
            )
        ).one()
        return CampaignSession(*row)

    async def delete(self, tenant_id: UUID, session_id: UUID, actor: UUID) -> int:
        await self.conn.execute(
            s.update()
            .where(s.c.tenant_id == tenant_id, s.c.id == session_id)
            .values(deleted_at=sa.func.now(), updated_by=actor, updated_at=sa.func.now(), version=s.c.version + 1)
        )
        # Members registered for it keep their registration, for no session in particular.
        released = await self.conn.execute(
            m.update()
            .where(m.c.tenant_id == tenant_id, m.c.session_id == session_id)
            .values(session_id=None, updated_by=actor, updated_at=sa.func.now(), version=m.c.version + 1)
        )
        return released.rowcount


# A member with who it is: the contact (its first e-mail and phone, its customer's name) or lead.
_KIND = sa.case((m.c.contact_id.isnot(None), sa.literal("contact")), else_=sa.literal("lead"))
_MEMBER_COLUMNS = [
    m.c.id,
    m.c.campaign_id,
    _KIND.label("kind"),
    m.c.contact_id,
    m.c.lead_id,
    sa.func.coalesce(contacts.c.name, leads.c.name).label("name"),
    sa.func.coalesce(customers.c.name, leads.c.company).label("company"),
    sa.func.coalesce(contacts.c.emails[1], leads.c.email).label("email"),
    sa.func.coalesce(contacts.c.phones[1], leads.c.phone).label("phone"),
    m.c.status,
    m.c.source,
    *(m.c[f"{step}_at"] for step in (
        "targeted", "sent", "opened", "clicked", "registered", "attended", "responded", "converted", "bounced",
        "unsubscribed",
    )),
    m.c.registration_status,
    m.c.session_id,
    m.c.created_at,
    m.c.updated_at,
    m.c.version,
]  # fmt: skip
assert [c.name for c in _MEMBER_COLUMNS] == list(Member.__dataclass_fields__)

_JOINED = (
    m.outerjoin(contacts, sa.and_(contacts.c.tenant_id == m.c.tenant_id, contacts.c.id == m.c.contact_id))
    .outerjoin(
        customers, sa.and_(customers.c.tenant_id == contacts.c.tenant_id, customers.c.id == contacts.c.customer_id)
    )
    .outerjoin(leads, sa.and_(leads.c.tenant_id == m.c.tenant_id, leads.c.id == m.c.lead_id))
)


def _visible(contacts_scope: DataScope, leads_scope: DataScope) -> sa.ColumnElement[bool]:
    """The member's contact or lead is live and within the caller's range."""
    return sa.or_(
        sa.and_(m.c.contact_id.isnot(None), contacts.c.deleted_at.is_(None), scope_predicate(contacts, contacts_scope)),
        sa.and_(m.c.lead_id.isnot(None), leads.c.deleted_at.is_(None), scope_predicate(leads, leads_scope)),
    )


def _members(tenant_id: UUID, campaign_id: UUID, contacts_scope: DataScope, leads_scope: DataScope) -> list[Any]:
    return [
        m.c.tenant_id == tenant_id,
        m.c.campaign_id == campaign_id,
        m.c.deleted_at.is_(None),
        _visible(contacts_scope, leads_scope),
    ]


class PgMemberRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list_page(
        self, campaign_id: UUID, contacts_scope: DataScope, leads_scope: DataScope, query: MemberQuery
    ) -> Page[Member]:
        where = _members(contacts_scope.tenant_id, campaign_id, contacts_scope, leads_scope)
        if query.status is not None:
            where.append(m.c.status == query.status)
        if query.kind == "contact":
            where.append(m.c.contact_id.isnot(None))
        elif query.kind == "lead":
            where.append(m.c.lead_id.isnot(None))
        if query.registration_status is not None:
            where.append(m.c.registration_status == query.registration_status)
        if query.session_id is not None:
            where.append(m.c.session_id == query.session_id)
        if query.q is not None:
            pattern = search_pattern(query.q)
            where.append(sa.or_(contacts.c.search_text.like(pattern), leads.c.search_text.like(pattern)))
        if query.where is not None:
            where.append(compile_tree(query.where, "campaign_members", now=utcnow()))
        sort = Sort.parse(query.sort, MEMBER_SORTABLE)
        stmt = sa.select(*_MEMBER_COLUMNS).select_from(_JOINED).where(*where)
        stmt = keyset(stmt, m, sort, query.cursor, query.limit)
        rows = (await self.conn.execute(stmt)).all()
        return page_of(rows, sort, query.limit, lambda row: Member(*row))

    async def funnel(self, campaign_id: UUID, contacts_scope: DataScope, leads_scope: DataScope) -> dict[str, int]:
        rows = await self.conn.execute(
            sa.select(m.c.status, sa.func.count())
            .select_from(_JOINED)
            .where(*_members(contacts_scope.tenant_id, campaign_id, contacts_scope, leads_scope))
            .group_by(m.c.status)
        )
        return {row[0]: row[1] for row in rows}

    async def get(
        self,
        campaign_id: UUID,
        member_id: UUID,
        contacts_scope: DataScope,
        leads_scope: DataScope,
        *,
        for_update: bool = False,
    ) -> Member | None:
        stmt = (
            sa.select(*_MEMBER_COLUMNS)
            .select_from(_JOINED)
            .where(*_members(contacts_scope.tenant_id, campaign_id, contacts_scope, leads_scope), m.c.id == member_id)
        )
        if for_update:
            stmt = stmt.with_for_update(of=m)
        row = (await self.conn.execute(stmt)).first()
        return Member(*row) if row else None

    async def visible_ids(self, scope: DataScope, kind: str, ids: Sequence[UUID]) -> set[UUID]:
        if not ids:
            return set()
        table = contacts if kind == "contact" else leads
        rows = await self.conn.execute(
            sa.select(table.c.id).where(
                scope_predicate(table, scope),
                table.c.deleted_at.is_(None),
                table.c.id == sa.any_(sa.literal(list(ids), UUIDS)),
            )
        )
        return {row.id for row in rows}

    async def add(
        self,
        tenant_id: UUID,
        campaign_id: UUID,
        actor: UUID,
        contact_ids: Sequence[UUID],
        lead_ids: Sequence[UUID],
        source: str,
    ) -> list[NewMember]:
        added: list[NewMember] = []
        for column, ids in (("contact_id", contact_ids), ("lead_id", lead_ids)):
            if not ids:
                continue
            rows = [
                {
                    "tenant_id": tenant_id,
                    "id": new_id(),
                    "campaign_id": campaign_id,
                    column: subject,
                    "source": source,
                    "created_by": actor,
                    "updated_by": actor,
                }
                for subject in ids
            ]
            # One already a member stays as it is; one removed earlier comes back (with its history).
            stmt = (
                insert(m)
                .values(rows)
                .on_conflict_do_update(
                    index_elements=[m.c.tenant_id, m.c.campaign_id, m.c[column]],
                    index_where=m.c[column].isnot(None),
                    set_={
                        "deleted_at": None,
                        "updated_by": actor,
                        "updated_at": sa.func.now(),
                        "version": m.c.version + 1,
                    },
                    where=m.c.deleted_at.isnot(None),
                )
                .returning(m.c.id, m.c.contact_id, m.c.lead_id)
            )
            added += [NewMember(row.id, row.contact_id, row.lead_id) for row in await self.conn.execute(stmt)]
        return added

    async def advance(self, tenant_id: UUID, step: str, member_ids: Sequence[UUID], actor: UUID) -> list[UUID]:
        return await advance_members(self.conn, tenant_id, step, member_ids=member_ids, actor=actor)

    async def remove(self, tenant_id: UUID, member_id: UUID, actor: UUID) -> None:
        await self.conn.execute(
            m.update()
            .where(m.c.tenant_id == tenant_id, m.c.id == member_id)
            .values(deleted_at=sa.func.now(), updated_by=actor, updated_at=sa.func.now(), version=m.c.version + 1)
        )

    async def publish(self, tenant_id: UUID, events: Sequence[NewEvent]) -> None:
        if not events:
            return
        await self.conn.execute(
            outbox.insert().values(
                [
                    {
                        "tenant_id": tenant_id,
                        "id": new_id(),
                        "event_type": e.event_type,
                        "entity": e.entity,
                        "entity_id": e.entity_id,
                        "payload": e.payload,
                    }
                    for e in events
                ]
            )
        )
