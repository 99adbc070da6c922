"""Leads in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py), the
duplicate search across leads, contacts and customers, conversion, and the scoring rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.domain.leads.entities import OPEN_STATUSES, SORTABLE, Lead, LeadStatus
from app.domain.leads.forms import LeadForm
from app.domain.leads.ports import FormEntry
from app.domain.leads.rescoring import ScoredLead
from app.domain.leads.routing import AssignmentRule
from app.domain.leads.scoring import SCORABLE, ScoringRule
from app.domain.shared.normalize import email_key, phone_key, search_text
from app.repositories.configured import ConfiguredTable
from app.repositories.locks import lock_keys
from app.repositories.owned import OwnedTable, Term, query_terms
from app.repositories.prepared import Prepared
from app.repositories.routing import RoutingRuleTable
from app.repositories.tables import (
    campaigns,
    contacts,
    customers,
    lead_assignment_rules,
    lead_forms,
    lead_scoring_rules,
    leads,
)

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


def _channel_of(touch: sa.Column[Any]) -> Any:
    """The lead's touch names a campaign of this channel."""

    def predicate(channel: Any) -> sa.ColumnElement[bool]:
        c = campaigns
        return sa.exists().where(c.c.tenant_id == t.c.tenant_id, c.c.id == touch, c.c.channel == channel)

    return predicate


class PgLeadRepository(OwnedTable[Lead]):
    table = t
    record = Lead
    sortable = SORTABLE
    # Open work: every lead not yet converted (what it became moves as customer, contact and deal).
    open_records = t.c.status != "converted"
    fk_fields = {"fk_leads_region": "region_id", "fk_leads_owner": "owner_id"}
    derived_from = ("name", "company", "email", "phone")
    derived = staticmethod(derived)

    def query_terms(self, query: Any) -> list[Term]:
        terms = query_terms(t, replace(query, channel=None, last_channel=None))
        for name, touch in (("channel", t.c.campaign_id), ("last_channel", t.c.last_campaign_id)):
            value = getattr(query, name)
            if value is not None:
                terms.append(Term(name, value, _channel_of(touch), sa.Text))
        return terms

    async def mark_converted(
        self,
        tenant_id: UUID,
        lead_id: UUID,
        actor: UUID,
        customer_id: UUID,
        contact_id: UUID | None,
        opportunity_id: UUID | None,
    ) -> Lead:
        stmt = (
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == lead_id)
            .values(
                status=LeadStatus.CONVERTED.value,
                converted_customer_id=customer_id,
                converted_contact_id=contact_id,
                converted_opportunity_id=opportunity_id,
                converted_at=sa.func.now(),
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*self.columns)
        )
        return self._to_record((await self.conn.execute(stmt)).one())


def _duplicates(exclude_lead: bool) -> sa.ClauseElement:
    """Up to five of each: live leads, contacts and customers sharing a normalized email or phone."""
    tenant = sa.bindparam("tenant_id", type_=t.c.tenant_id.type)
    email_list, phone_list = sa.bindparam("emails", type_=TEXTS), sa.bindparam("phones", type_=TEXTS)
    lead_match = sa.or_(t.c.email_norm == sa.any_(email_list), t.c.phone_norm == sa.any_(phone_list))
    if exclude_lead:
        lead_match = sa.and_(lead_match, t.c.id != sa.bindparam("exclude_lead", type_=t.c.id.type))
    c, k = customers, contacts
    return sa.union_all(
        sa.select(sa.literal("lead").label("entity"), t.c.id)
        .where(t.c.tenant_id == tenant, t.c.deleted_at.is_(None), lead_match)
        .limit(5),
        sa.select(sa.literal("contact"), k.c.id)
        .where(
            k.c.tenant_id == tenant,
            k.c.deleted_at.is_(None),
            sa.or_(k.c.emails_norm.overlap(email_list), k.c.phones_norm.overlap(phone_list)),
        )
        .limit(5),
        sa.select(sa.literal("customer"), c.c.id)
        .where(
            c.c.tenant_id == tenant,
            c.c.deleted_at.is_(None),
            sa.or_(c.c.email_norm == sa.any_(email_list), c.c.phone_norm == sa.any_(phone_list)),
        )
        .limit(5),
    )


# Every capture of a public form runs it: prepared once (app/repositories/prepared.py).
_DUPLICATES = {exclude: Prepared.of(_duplicates(exclude)) for exclude in (False, True)}


class PgLeadDuplicateFinder:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def matching(
        self, tenant_id: UUID, emails: list[str], phones: list[str], *, exclude_lead: UUID | None
    ) -> list[dict[str, Any]]:
        # Serialize writers of the same keys (as customers and contacts do), so two concurrent
        # captures of one person cannot both pass; keys locked in one order against deadlocks.
        await lock_keys(self.conn, (f"{tenant_id}:lead:{key}" for key in (*emails, *phones)))
        params: dict[str, Any] = {"tenant_id": tenant_id, "emails": emails, "phones": phones}
        if exclude_lead is not None:
            params["exclude_lead"] = exclude_lead
        rows = await _DUPLICATES[exclude_lead is not None].rows(self.conn, params)
        return [{"entity": row.entity, "id": row.id} for row in rows]


class PgLeadRescoring:
    """Batches of open leads for rescoring, and their new scores (app/domain/leads/rescoring.py)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def open_leads_after(self, tenant_id: UUID, after: UUID | None, limit: int) -> list[ScoredLead]:
        looked_at = [t.c[name] for name in sorted(SCORABLE)]
        stmt = (
            sa.select(t.c.id, t.c.version, t.c.score, t.c.score_reasons, t.c.custom_fields, *looked_at)
            .where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None), t.c.status.in_(OPEN_STATUSES))
            .order_by(t.c.id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(t.c.id > after)
        return [
            ScoredLead(
                row.id,
                row.version,
                {c.name: row._mapping[c.name] for c in [t.c.custom_fields, *looked_at]},
                row.score,
                row.score_reasons,
            )
            for row in await self.conn.execute(stmt)
        ]

    async def set_scores(self, tenant_id: UUID, scored: list[ScoredLead]) -> int:
        # The version moves (the representation changed), updated_at does not: nobody edited it.
        stmt = (
            t.update()
            .where(
                t.c.tenant_id == sa.bindparam("b_tenant"),
                t.c.id == sa.bindparam("b_id"),
                t.c.version == sa.bindparam("b_version"),
            )
            .values(score=sa.bindparam("b_score"), score_reasons=sa.bindparam("b_reasons"), version=t.c.version + 1)
        )
        rows = [
            {"b_tenant": tenant_id, "b_id": s.id, "b_version": s.version, "b_score": s.score, "b_reasons": s.reasons}
            for s in scored
        ]
        result = await self.conn.execute(stmt, rows)
        return result.rowcount


class PgScoringRuleRepository(ConfiguredTable[ScoringRule]):
    table = lead_scoring_rules
    record = ScoringRule

    async def active(self, tenant_id: UUID) -> list[ScoringRule]:
        return [rule for rule in await self.list(tenant_id) if rule.active]


class PgAssignmentRuleRepository(RoutingRuleTable[AssignmentRule]):
    table = lead_assignment_rules
    record = AssignmentRule
    records = leads
    works = "leads:update"
    open_statuses = OPEN_STATUSES
    fk_fields = {
        "fk_lead_assignment_rules_region": "region_id",
        "fk_lead_assignment_rules_user": "user_id",
        "fk_lead_assignment_rules_department": "department_id",
    }


class PgLeadFormRepository(ConfiguredTable[LeadForm]):
    table = lead_forms
    record = LeadForm


class PgLeadFormGate:
    """A public form's lookup and the address's rate-limit hit on it (rate_limit_hit, migration
    0016) in one autocommitted statement, on a connection of the autocommit engine as
    app/repositories/rate_limits.py's hits (committed asynchronously like those): a round trip
    and a transaction's first statement fewer per submission. The bucket is
    lead-form:<form id>:<address>; an unknown key counts nothing."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def enter(self, form_key: str, address: str, limit: int, window_seconds: int) -> FormEntry | None:
        params = {"form_key": form_key, "address": address, "limit": limit, "window": window_seconds}
        async with self.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            rows = await _ENTER.rows(auto, params)
        if not rows:
            return None
        row = rows[0]
        return FormEntry(row[0], PgLeadFormRepository.record(*row[1:-2]), row[-2])


_f = lead_forms
_ENTER = Prepared.of(
    sa.select(
        _f.c.tenant_id,
        *PgLeadFormRepository.columns,
        sa.func.rate_limit_hit(
            sa.literal("lead-form:") + sa.cast(_f.c.id, sa.Text) + ":" + sa.bindparam("address", type_=sa.Text),
            sa.bindparam("limit", type_=sa.Integer),
            sa.bindparam("window", type_=sa.Integer),
            type_=sa.Integer,
        ),
        sa.func.set_config("synchronous_commit", "off", True),
    ).where(_f.c.form_key == sa.bindparam("form_key", type_=sa.Text), _f.c.active, _f.c.deleted_at.is_(None))
)
