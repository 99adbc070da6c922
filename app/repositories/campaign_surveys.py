"""An event's satisfaction survey in PostgreSQL (app/domain/marketing/satisfaction.py): the
campaign within the caller's range, its attendees, and their invitations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.satisfaction import SurveyedCampaign
from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataScope
from app.domain.surveys.entities import Invitation
from app.repositories.scoping import scope_predicate
from app.repositories.tables import campaign_members, campaigns, contacts, survey_invitations

c, m, k, inv = campaigns, campaign_members, contacts, survey_invitations
UUIDS = sa.ARRAY(sa.Uuid)
_INVITATION = [inv.c[name] for name in Invitation.__dataclass_fields__]


class PgCampaignSurveys:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def campaign_for_update(self, scope: DataScope, campaign_id: UUID) -> SurveyedCampaign | None:
        stmt = (
            sa.select(c.c.id, c.c.owner_id, c.c.department_id, c.c.survey_id)
            .where(scope_predicate(c, scope), c.c.id == campaign_id, c.c.deleted_at.is_(None))
            .with_for_update()
        )
        row = (await self.conn.execute(stmt)).first()
        return SurveyedCampaign(*row) if row else None

    async def attendees(self, tenant_id: UUID, campaign_id: UUID) -> list[tuple[UUID | None, UUID | None]]:
        stmt = sa.select(m.c.contact_id, m.c.lead_id).where(
            m.c.tenant_id == tenant_id,
            m.c.campaign_id == campaign_id,
            m.c.deleted_at.is_(None),
            m.c.attended_at.isnot(None),
        )
        return [(row[0], row[1]) for row in await self.conn.execute(stmt.order_by(m.c.id))]

    async def contacts_in(self, scope: DataScope, contact_ids: list[UUID]) -> dict[UUID, UUID | None]:
        if not contact_ids:
            return {}
        stmt = sa.select(k.c.id, k.c.customer_id).where(
            scope_predicate(k, scope), k.c.id == sa.any_(sa.literal(contact_ids, UUIDS)), k.c.deleted_at.is_(None)
        )
        return {row[0]: row[1] for row in await self.conn.execute(stmt)}

    async def invite(self, tenant_id: UUID, rows: list[dict[str, Any]]) -> list[Invitation]:
        stmt = (
            insert(inv)
            .values([{"tenant_id": tenant_id, "id": new_id(), **row} for row in rows])
            .on_conflict_do_nothing(
                index_elements=[inv.c.tenant_id, inv.c.campaign_id, inv.c.survey_id, inv.c.contact_id],
                index_where=inv.c.campaign_id.isnot(None),
            )
            .returning(*_INVITATION)
        )
        return [Invitation(*row) for row in await self.conn.execute(stmt)]

    async def set_survey(self, tenant_id: UUID, campaign_id: UUID, survey_id: UUID, actor: UUID) -> None:
        await self.conn.execute(
            c.update()
            .where(c.c.tenant_id == tenant_id, c.c.id == campaign_id)
            .values(survey_id=survey_id, updated_by=actor, updated_at=sa.func.now(), version=c.c.version + 1)
        )
