"""Surveys in PostgreSQL: templates (a configured list), invitations (looked up by token across
tenants), responses, call-backs and the results' aggregates (a few statements per request, all in
SQL over the caller's range)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.errors import Conflict
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.domain.shared.scope import DataScope
from app.domain.surveys.entities import (
    CallBack,
    CallBackQuery,
    GroupBy,
    Invitation,
    PublicInvitation,
    ResultsQuery,
    Survey,
)
from app.domain.surveys.questions import QuestionType, first_of
from app.repositories.configured import ConfiguredTable
from app.repositories.integrity import foreign_key_error
from app.repositories.listing import keyset, page_of
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    campaigns,
    contacts,
    customers,
    departments,
    survey_call_backs,
    survey_invitations,
    survey_responses,
    surveys,
    tenants,
    tickets,
    users,
)

s, inv, r, cb = surveys, survey_invitations, survey_responses, survey_call_backs
_TICKET_FACTS = [tickets.c[n] for n in ("status", "number", "customer_id", "contact_id", "owner_id", "department_id")]


class PgSurveyRepository(ConfiguredTable[Survey]):
    table = surveys
    record = Survey
    order_by = ("name", "id")

    async def has_responses(self, tenant_id: UUID, survey_id: UUID) -> bool:
        stmt = sa.select(sa.exists().where(r.c.tenant_id == tenant_id, r.c.survey_id == survey_id))
        return bool((await self.conn.execute(stmt)).scalar())

    async def clear_ticket_csat(self, tenant_id: UUID, actor: UUID, keep: UUID | None) -> None:
        stmt = s.update().where(s.c.tenant_id == tenant_id, s.c.is_ticket_csat, s.c.deleted_at.is_(None))
        if keep is not None:
            stmt = stmt.where(s.c.id != keep)
        await self.conn.execute(
            stmt.values(is_ticket_csat=False, updated_by=actor, updated_at=sa.func.now(), version=s.c.version + 1)
        )

    async def ticket_csat(self, tenant_id: UUID) -> Survey | None:
        row = (await self.conn.execute(self._live(tenant_id).where(s.c.is_ticket_csat, s.c.active))).first()
        return self._to_record(row) if row else None


_INVITATION = [inv.c[name] for name in Invitation.__dataclass_fields__]
_SURVEY = [s.c[name] for name in Survey.__dataclass_fields__]


class PgInvitationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def ticket_facts(self, tenant_id: UUID, ticket_id: UUID) -> dict[str, Any] | None:
        stmt = sa.select(*_TICKET_FACTS).where(
            tickets.c.tenant_id == tenant_id, tickets.c.id == ticket_id, tickets.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return {str(k): v for k, v in row._mapping.items()} if row else None

    async def visible_ticket(self, scope: DataScope, ticket_id: UUID) -> dict[str, Any] | None:
        stmt = sa.select(*_TICKET_FACTS).where(
            scope_predicate(tickets, scope), tickets.c.id == ticket_id, tickets.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return {str(k): v for k, v in row._mapping.items()} if row else None

    async def insert(self, tenant_id: UUID, values: dict[str, Any]) -> Invitation | None:
        stmt = (
            insert(inv)
            .values(tenant_id=tenant_id, id=new_id(), **values)
            .on_conflict_do_nothing(index_elements=[inv.c.tenant_id, inv.c.source_event_id])
            .returning(*_INVITATION)
        )
        row = (await self.conn.execute(stmt)).first()
        return Invitation(*row) if row else None

    async def revoke_pending(self, tenant_id: UUID, ticket_id: UUID, keep: UUID, at: datetime) -> int:
        stmt = (
            inv.update()
            .where(
                inv.c.tenant_id == tenant_id,
                inv.c.ticket_id == ticket_id,
                inv.c.id != keep,
                inv.c.answered_at.is_(None),
                inv.c.revoked_at.is_(None),
                inv.c.expires_at > at,
            )
            .values(revoked_at=at, updated_at=sa.func.now(), version=inv.c.version + 1)
        )
        return (await self.conn.execute(stmt)).rowcount

    async def by_token(self, token: str, *, lock: bool) -> PublicInvitation | None:
        stmt = (
            sa.select(inv.c.tenant_id, *_INVITATION, *_SURVEY, tenants.c.name,
                      sa.func.coalesce(tickets.c.subject, campaigns.c.name), s.c.deleted_at.is_(None))
            .select_from(
                inv.join(s, sa.and_(s.c.tenant_id == inv.c.tenant_id, s.c.id == inv.c.survey_id))
                .join(tenants, tenants.c.id == inv.c.tenant_id)
                .outerjoin(tickets, sa.and_(tickets.c.tenant_id == inv.c.tenant_id, tickets.c.id == inv.c.ticket_id))
                # An event's satisfaction survey: the subject is the event's name.
                .outerjoin(campaigns, sa.and_(campaigns.c.tenant_id == inv.c.tenant_id,
                                              campaigns.c.id == inv.c.campaign_id))
            )
            .where(inv.c.token == token, inv.c.deleted_at.is_(None))
        )  # fmt: skip
        if lock:
            stmt = stmt.with_for_update(of=inv)
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        n, m = len(_INVITATION), len(_SURVEY)
        return PublicInvitation(
            tenant_id=row[0],
            invitation=Invitation(*row[1 : 1 + n]),
            survey=Survey(*row[1 + n : 1 + n + m]),
            tenant_name=row[1 + n + m],
            ticket_subject=row[2 + n + m],
            survey_live=bool(row[3 + n + m]),
        )

    async def mark_answered(self, tenant_id: UUID, invitation_id: UUID, at: datetime) -> None:
        await self.conn.execute(
            inv.update()
            .where(inv.c.tenant_id == tenant_id, inv.c.id == invitation_id)
            .values(answered_at=at, updated_at=sa.func.now(), version=inv.c.version + 1)
        )

    async def for_ticket(self, tenant_id: UUID, ticket_id: UUID) -> list[Invitation]:
        stmt = (
            sa.select(*_INVITATION)
            .where(inv.c.tenant_id == tenant_id, inv.c.ticket_id == ticket_id, inv.c.deleted_at.is_(None))
            .order_by(inv.c.created_at.desc(), inv.c.id.desc())
        )
        return [Invitation(*row) for row in await self.conn.execute(stmt)]


class PgResponseRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def insert(self, tenant_id: UUID, actor: UUID | None, values: dict[str, Any]) -> UUID:
        response_id = new_id()
        stmt = r.insert().values(tenant_id=tenant_id, id=response_id, created_by=actor, updated_by=actor, **values)
        try:
            await self.conn.execute(stmt)
        except IntegrityError as error:
            if "uq_survey_responses_invitation" in str(error.orig):
                raise Conflict("this survey was already answered; thank you")
            raise
        return response_id


_CALL_BACK = [cb.c[name] for name in CallBack.__dataclass_fields__ if name != "response_id"]
_CB_SORT = Sort("called_at", descending=True)


class PgCallBackRepository:
    fk_fields = {
        "fk_survey_call_backs_customer": "customer_id",
        "fk_survey_call_backs_contact": "contact_id",
        "fk_survey_call_backs_ticket": "ticket_id",
        "fk_survey_call_backs_survey": "survey_id",
    }

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def customer_exists(self, tenant_id: UUID, customer_id: UUID, contact_id: UUID | None) -> bool:
        c = customers
        found = sa.exists().where(c.c.tenant_id == tenant_id, c.c.id == customer_id, c.c.deleted_at.is_(None))
        if contact_id is not None:
            k = contacts
            found = found.where(
                sa.exists().where(
                    k.c.tenant_id == tenant_id, k.c.id == contact_id, k.c.customer_id == customer_id,
                    k.c.deleted_at.is_(None),
                )
            )  # fmt: skip
        return bool((await self.conn.execute(sa.select(found))).scalar())

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> CallBack:
        stmt = (
            cb.insert()
            .values(tenant_id=tenant_id, id=new_id(), created_by=actor, updated_by=actor, **values)
            .returning(*_CALL_BACK)
        )
        try:
            return CallBack(*(await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise foreign_key_error(error, self.fk_fields)

    async def list_page(self, scope: DataScope, query: CallBackQuery) -> Page[CallBack]:
        answered = (
            sa.select(r.c.id)
            .where(r.c.tenant_id == cb.c.tenant_id, r.c.call_back_id == cb.c.id)
            .limit(1)
            .scalar_subquery()
            .label("response_id")
        )
        stmt = sa.select(*_CALL_BACK, answered).where(scope_predicate(cb, scope), cb.c.deleted_at.is_(None))
        for column, value in (("customer_id", query.customer_id), ("ticket_id", query.ticket_id),
                              ("owner_id", query.owner_id)):  # fmt: skip
            if value is not None:
                stmt = stmt.where(cb.c[column] == value)
        rows = (await self.conn.execute(keyset(stmt, cb, _CB_SORT, query.cursor, query.limit))).all()
        return page_of(rows, _CB_SORT, query.limit, lambda row: CallBack(*row))


# Comments: the newest text answers, at most this many per request.
MAX_COMMENTS = 200


class PgSurveyResults:
    """Four statements: the headline counts (overall and per group in one GROUPING SETS pass),
    per-question value counts, how many answered each question, and the newest comments."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _where(self, scope: DataScope, survey: Survey, query: ResultsQuery) -> list[sa.ColumnElement[bool]]:
        where = [
            scope_predicate(r, scope),
            r.c.survey_id == survey.id,
            r.c.deleted_at.is_(None),
        ]
        if query.start is not None:
            where.append(r.c.answered_at >= query.start)
        if query.end is not None:
            where.append(r.c.answered_at < query.end)
        if query.owner_id is not None:
            where.append(r.c.owner_id == query.owner_id)
        if query.department_id is not None:
            where.append(r.c.department_id == query.department_id)
        if query.channel is not None:
            where.append(r.c.channel == query.channel)
        return where

    async def results(self, scope: DataScope, survey: Survey, query: ResultsQuery) -> dict[str, Any]:
        where = self._where(scope, survey, query)
        out: dict[str, Any] = {}
        out["overall"], out["groups"] = await self._headline(where, survey, query.group_by, scope.tenant_id)
        each = (
            sa.func.jsonb_each(r.c.answers)
            .table_valued(sa.column("key", sa.Text), sa.column("value", JSONB))
            .lateral("e")
        )
        kinds = {q["id"]: q["type"] for q in survey.questions}
        counted = [k for k, t in kinds.items() if t != QuestionType.TEXT]
        texts = [k for k, t in kinds.items() if t == QuestionType.TEXT]
        answered = (
            sa.select(each.c.key, sa.func.count())
            .select_from(r.join(each, sa.true()))
            .where(*where)
            .group_by(each.c.key)
        )
        out["answered"] = {key: n for key, n in await self.conn.execute(answered)}
        out["distribution"] = {}
        if counted:
            as_list = sa.case(
                (sa.func.jsonb_typeof(each.c.value) == "array", each.c.value),
                else_=sa.func.jsonb_build_array(each.c.value),
            )
            value = sa.func.jsonb_array_elements(as_list).table_valued(sa.column("value", JSONB)).lateral("v")
            values = (
                sa.select(each.c.key, value.c.value, sa.func.count())
                .select_from(r.join(each, sa.true()).join(value, sa.true()))
                .where(*where, each.c.key == sa.any_(sa.literal(counted, sa.ARRAY(sa.Text))))
                .group_by(each.c.key, value.c.value)
            )
            for key, given, n in await self.conn.execute(values):
                out["distribution"].setdefault(key, {})[given] = n
        out["comments"] = []
        if texts and query.comments:
            comments = (
                sa.select(
                    r.c.id.label("response_id"), each.c.key.label("question_id"),
                    (each.c.value.op("#>>")(sa.literal([], sa.ARRAY(sa.Text)))).label("text"),
                    r.c.answered_at, r.c.channel, r.c.ticket_id, r.c.customer_id, r.c.owner_id,
                )
                .select_from(r.join(each, sa.true()))
                .where(*where, each.c.key == sa.any_(sa.literal(texts, sa.ARRAY(sa.Text))))
                .order_by(r.c.answered_at.desc(), r.c.id.desc())
                .limit(min(query.comments, MAX_COMMENTS))
            )  # fmt: skip
            # str(): column names are str subclasses, which orjson does not take as keys.
            rows = await self.conn.execute(comments)
            out["comments"] = [{str(k): v for k, v in row._mapping.items()} for row in rows]
        return out

    async def _headline(
        self, where: list[sa.ColumnElement[bool]], survey: Survey, group_by: GroupBy | None, tenant_id: UUID
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        def score(kind: QuestionType) -> Any:
            qid = first_of(survey.questions, kind)
            if qid is None:  # typed: sum() of an untyped NULL is ambiguous in PostgreSQL
                return sa.cast(sa.null(), sa.Integer)
            return sa.cast(r.c.answers[qid].astext, sa.Integer)

        rating, nps = score(QuestionType.RATING), score(QuestionType.NPS)
        figures = [
            sa.func.count().label("responses"),
            sa.func.count(rating).label("csat_answered"),
            sa.func.count().filter(rating >= 4).label("csat_satisfied"),
            sa.func.coalesce(sa.func.sum(rating), 0).label("rating_sum"),
            sa.func.count(nps).label("nps_answered"),
            sa.func.count().filter(nps >= 9).label("promoters"),
            sa.func.count().filter(nps <= 6).label("detractors"),
        ]
        names = [f.name for f in figures]
        if group_by is None:
            row = (await self.conn.execute(sa.select(*figures).where(*where))).one()
            return {n: int(v) for n, v in zip(names, row, strict=True)}, []
        by: sa.ColumnElement[Any]
        if group_by == GroupBy.AGENT:
            by = r.c.owner_id
        elif group_by == GroupBy.TEAM:
            by = r.c.department_id
        else:
            by = sa.func.date_trunc(group_by.value, sa.func.timezone("UTC", r.c.answered_at))
        key = by.label("key")
        stmt = (
            sa.select(key, sa.func.grouping(key).label("g"), *figures)
            .where(*where)
            .group_by(sa.func.grouping_sets(sa.tuple_(), key))
        )
        overall: dict[str, Any] = {n: 0 for n in names}
        groups: list[dict[str, Any]] = []
        for row in await self.conn.execute(stmt):
            counts = {n: int(row._mapping[n]) for n in names}
            if row.g:
                overall = counts
            else:
                k = row.key.date().isoformat() if isinstance(row.key, datetime) else row.key
                groups.append({"key": k, "label": None, **counts})
        await self._label(groups, group_by, tenant_id)
        groups.sort(key=lambda g: (g["key"] is None, str(g["key"])))
        return overall, groups

    async def _label(self, groups: list[dict[str, Any]], group_by: GroupBy, tenant_id: UUID) -> None:
        names = {GroupBy.AGENT: users, GroupBy.TEAM: departments}
        table = names.get(group_by)
        if table is None:
            for g in groups:
                g["label"] = g["key"]
            return
        ids = [g["key"] for g in groups if g["key"] is not None]
        if not ids:
            return
        stmt = sa.select(table.c.id, table.c.name).where(table.c.tenant_id == tenant_id, table.c.id.in_(ids))
        found = {row.id: row.name for row in await self.conn.execute(stmt)}
        for g in groups:
            g["label"] = found.get(g["key"])
