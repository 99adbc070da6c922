"""Campaign figures in SQL (what they mean: app/domain/marketing/stats.py).

Every figure is taken over a `groups` CTE of (campaign id, group key): one campaign (its own id as
the key), a campaign and its descendants in the caller's range (the root's id), or the campaigns
in range per channel or type. Members, leads (first and last touch), deals and costs are each one
aggregate joined to it; leads and deals carry the caller's own leads and opportunities ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.funnel import FUNNEL, STATUSES
from app.domain.marketing.stats import CampaignFacts, Raw
from app.domain.shared.scope import DataScope
from app.repositories.scoping import scope_clause, scope_params, scope_predicate, scope_shape
from app.repositories.tables import (
    campaign_members,
    campaigns,
    leads,
    opportunities,
    pipeline_stages,
    survey_invitations,
    survey_responses,
    surveys,
)

c, m, ld, o, st = campaigns, campaign_members, leads, opportunities, pipeline_stages
TOUCH_COLUMNS = {"first_touch": "campaign_id", "last_touch": "last_campaign_id"}
_count = sa.func.count


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class PgCampaignStats:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def visible(self, scope: DataScope, campaign_id: UUID) -> CampaignFacts | None:
        stmt = sa.select(c.c.id, c.c.name, c.c.survey_id).where(
            scope_predicate(c, scope), c.c.id == campaign_id, c.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return CampaignFacts(*row) if row else None

    async def campaign(
        self,
        campaigns_scope: DataScope,
        campaign_id: UUID,
        include_children: bool,
        leads_scope: DataScope | None,
        deals_scope: DataScope | None,
    ) -> Raw:
        tenant = campaigns_scope.tenant_id
        root = sa.select(c.c.id, c.c.id.label("key")).where(c.c.tenant_id == tenant, c.c.id == campaign_id)
        if not include_children:
            groups = root.cte("groups")
        else:
            tree = root.cte("groups", recursive=True)
            child = c.alias("child")
            in_range = scope_clause(
                child, scope_shape(campaigns_scope), scope_params(campaigns_scope), resource="campaigns"
            )
            step = sa.select(child.c.id, tree.c.key).where(
                child.c.tenant_id == tenant, child.c.parent_id == tree.c.id, child.c.deleted_at.is_(None), in_range
            )
            groups = tree.union(step)  # UNION, not ALL: a parent cycle ends instead of looping
        found = await self._figures(groups, tenant, leads_scope, deals_scope)
        return found.get(campaign_id, Raw())

    async def by_campaign_field(
        self,
        field: str,
        campaigns_scope: DataScope,
        start: date | None,
        end: date | None,
        leads_scope: DataScope | None,
        deals_scope: DataScope | None,
    ) -> dict[str | None, Raw]:
        where = [scope_predicate(c, campaigns_scope), c.c.deleted_at.is_(None)]
        if start is not None:
            where.append(c.c.starts_on >= start)
        if end is not None:
            where.append(c.c.starts_on <= end)
        groups = sa.select(c.c.id, c.c[field].label("key")).where(*where).cte("groups")
        return await self._figures(groups, campaigns_scope.tenant_id, leads_scope, deals_scope)

    async def by_source(
        self, start: date | None, end: date | None, leads_scope: DataScope, deals_scope: DataScope | None
    ) -> dict[str | None, Raw]:
        where = [scope_predicate(ld, leads_scope), ld.c.deleted_at.is_(None)]
        if start is not None:
            where.append(ld.c.created_at >= _day_start(start))
        if end is not None:
            where.append(ld.c.created_at < _day_start(end + timedelta(days=1)))
        out: dict[Any, Raw] = {}
        stmt = sa.select(ld.c.source, _count(), _count().filter(ld.c.status == "converted")).where(*where)
        for key, n, converted in await self.conn.execute(stmt.group_by(ld.c.source)):
            raw = out.setdefault(key, Raw())
            for touch in TOUCH_COLUMNS:  # a lead's source is both its first and its last touch
                raw.leads[touch], raw.converted_leads[touch] = n, converted
        if deals_scope is not None:
            won = st.c.kind == "won"
            stmt = (
                sa.select(
                    ld.c.source, o.c.currency, _count(), _count().filter(won), sa.func.sum(o.c.amount).filter(won)
                )
                .select_from(
                    o.join(ld, sa.and_(ld.c.tenant_id == o.c.tenant_id, ld.c.id == o.c.source_lead_id)).join(
                        st, sa.and_(st.c.tenant_id == o.c.tenant_id, st.c.id == o.c.stage_id)
                    )
                )
                .where(*where, scope_predicate(o, deals_scope), o.c.deleted_at.is_(None))
                .group_by(ld.c.source, o.c.currency)
            )
            for row in await self.conn.execute(stmt):
                raw = out.setdefault(row[0], Raw())
                for touch in TOUCH_COLUMNS:
                    _add_deals(raw, touch, row[1:])
        return out

    async def survey(
        self, tenant_id: UUID, campaign_id: UUID, survey_id: UUID, question_id: str | None
    ) -> dict[str, Any]:
        inv, r = survey_invitations, survey_responses
        mine = [inv.c.tenant_id == tenant_id, inv.c.campaign_id == campaign_id, inv.c.survey_id == survey_id,
                inv.c.deleted_at.is_(None)]  # fmt: skip
        invited = (await self.conn.execute(sa.select(_count()).where(*mine))).scalar_one()
        score: Any = sa.null()
        if question_id is not None:
            answer = r.c.answers[question_id]
            score = sa.case((sa.func.jsonb_typeof(answer) == "number", answer.astext.cast(sa.Numeric)))
        stmt = (
            sa.select(_count(r.c.id), _count(score), sa.func.coalesce(sa.func.sum(score), 0))
            .select_from(r.join(inv, sa.and_(inv.c.tenant_id == r.c.tenant_id, inv.c.id == r.c.invitation_id)))
            .where(*mine, r.c.deleted_at.is_(None))
        )
        responses, answered, total = (await self.conn.execute(stmt)).one()
        return {"invited": invited, "responses": responses, "answered": answered, "score_sum": Decimal(total)}

    # -- the figures of every group --------------------------------------------------------

    async def _figures(
        self, groups: Any, tenant_id: UUID, leads_scope: DataScope | None, deals_scope: DataScope | None
    ) -> dict[Any, Raw]:
        out: dict[Any, Raw] = {}

        def raw(key: Any) -> Raw:
            return out.setdefault(key, Raw())

        # The campaigns and their money, per currency.
        stmt = (
            sa.select(groups.c.key, c.c.currency, _count(), sa.func.sum(c.c.budget), sa.func.sum(c.c.actual_cost))
            .select_from(c.join(groups, sa.and_(c.c.tenant_id == tenant_id, c.c.id == groups.c.id)))
            .group_by(groups.c.key, c.c.currency)
        )
        for key, currency, n, budget, cost in await self.conn.execute(stmt):
            raw(key).campaigns += n
            raw(key).costs[currency] = (budget, cost)

        # Members: the funnel now (status) and how many ever reached each step (its time is kept).
        statuses = [_count().filter(m.c.status == s) for s in STATUSES]
        reached = [_count(m.c[f"{s}_at"]) for s in FUNNEL]
        registration = [_count().filter(m.c.registration_status == s) for s in ("registered", "waitlisted")]
        stmt = (
            sa.select(groups.c.key, _count(), *statuses, *reached, *registration, _count(m.c.attended_at))
            .select_from(m.join(groups, sa.and_(m.c.tenant_id == tenant_id, m.c.campaign_id == groups.c.id)))
            .where(m.c.deleted_at.is_(None))
            .group_by(groups.c.key)
        )
        for row in await self.conn.execute(stmt):
            values = list(row[2:])
            r = raw(row[0])
            r.members = row[1]
            r.by_status = dict(zip(STATUSES, values[: len(STATUSES)], strict=True))
            values = values[len(STATUSES) :]
            r.reached = dict(zip(FUNNEL, values[: len(FUNNEL)], strict=True))
            r.registrations, r.waitlisted, r.attended = values[len(FUNNEL) :]

        for touch, column in TOUCH_COLUMNS.items():
            if leads_scope is not None:
                stmt = (
                    sa.select(groups.c.key, _count(), _count().filter(ld.c.status == "converted"))
                    .select_from(ld.join(groups, sa.and_(ld.c.tenant_id == tenant_id, ld.c[column] == groups.c.id)))
                    .where(scope_predicate(ld, leads_scope), ld.c.deleted_at.is_(None))
                    .group_by(groups.c.key)
                )
                for key, n, converted in await self.conn.execute(stmt):
                    raw(key).leads[touch], raw(key).converted_leads[touch] = n, converted
            if deals_scope is not None:
                won = st.c.kind == "won"
                stmt = (
                    sa.select(groups.c.key, o.c.currency, _count(), _count().filter(won),
                              sa.func.sum(o.c.amount).filter(won))
                    .select_from(
                        o.join(groups, sa.and_(o.c.tenant_id == tenant_id, o.c[column] == groups.c.id))
                        .join(st, sa.and_(st.c.tenant_id == o.c.tenant_id, st.c.id == o.c.stage_id))
                    )
                    .where(scope_predicate(o, deals_scope), o.c.deleted_at.is_(None))
                    .group_by(groups.c.key, o.c.currency)
                )  # fmt: skip
                for row in await self.conn.execute(stmt):
                    _add_deals(raw(row[0]), touch, row[1:])
        return out


def _add_deals(raw: Raw, touch: str, row: Iterable[Any]) -> None:
    currency, n, won_n, won_amount = row
    raw.deals[touch] = raw.deals.get(touch, 0) + n
    raw.won_deals[touch] = raw.won_deals.get(touch, 0) + won_n
    if won_n:
        won = raw.won.setdefault(touch, {})
        won[currency] = won.get(currency, Decimal(0)) + won_amount


class PgSurveyQuestions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def questions(self, tenant_id: UUID, survey_id: UUID) -> list[dict[str, Any]] | None:
        stmt = sa.select(surveys.c.questions).where(surveys.c.tenant_id == tenant_id, surveys.c.id == survey_id)
        found: list[dict[str, Any]] | None = (await self.conn.execute(stmt)).scalar()
        return found
