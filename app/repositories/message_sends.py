"""Message sends and their deliveries in PostgreSQL: the sends API's reads and writes
(PgSendRepository) and the worker's queue (PgDeliveryStore). The protocol the statements keep is
described in app/domain/marketing/delivery.py: prepare once (one INSERT ... SELECT with the skip
reasons), claim with FOR UPDATE SKIP LOCKED and a lease, record in one autocommitted statement,
book in batches (`booked_at`), complete once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.auth.principal import Principal
from app.domain.marketing.delivery import Claimed, Outcome, SendPlan
from app.domain.marketing.sends import MessageSend, TemplateRef
from app.domain.marketing.sms import SETTINGS_KEY as SMS_KEY
from app.domain.marketing.variables import CampaignFacts, CustomerFacts, Person, RecipientFacts, registration_link
from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataScope
from app.repositories.audit import PgEventOutbox
from app.repositories.member_funnel import advance_members
from app.repositories.principals import PgPrincipalRepository
from app.repositories.scoping import scope_predicate
from app.repositories.segments import UUID7_SQL
from app.repositories.tables import (
    campaign_members,
    campaign_sessions,
    campaigns,
    contacts,
    customers,
    leads,
    marketing_consents,
    marketing_suppressions,
    message_deliveries,
    message_sends,
    message_templates,
    outbox,
    segments,
    tenants,
    users,
)

s, d = message_sends, message_deliveries
FINISHED = ("sent", "bounced", "failed")
_ctid: sa.ColumnClause[object] = sa.literal_column("message_deliveries.ctid")
UUIDS = ARRAY(PGUUID(as_uuid=True))
TEXTS = ARRAY(sa.Text)

_SEND_COLUMNS = [s.c[name] for name in MessageSend.__dataclass_fields__]


def _send(row: Any) -> MessageSend:
    return MessageSend(*row[: len(_SEND_COLUMNS)])


class PgSendRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID, *, lock: bool = False) -> bool:
        c = campaigns
        stmt = sa.select(c.c.id).where(
            c.c.tenant_id == scope.tenant_id, c.c.id == campaign_id, c.c.deleted_at.is_(None), scope_predicate(c, scope)
        )
        if lock:
            stmt = stmt.with_for_update(key_share=True)
        return (await self.conn.execute(stmt)).first() is not None

    async def template(self, tenant_id: UUID, template_id: UUID) -> TemplateRef | None:
        t = message_templates
        stmt = sa.select(t.c.id, t.c.channel, t.c.name).where(
            t.c.tenant_id == tenant_id, t.c.id == template_id, t.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return TemplateRef(row.id, row.channel, row.name) if row else None

    async def segment_exists(self, tenant_id: UUID, segment_id: UUID) -> bool:
        g = segments
        stmt = sa.select(g.c.id).where(g.c.tenant_id == tenant_id, g.c.id == segment_id, g.c.deleted_at.is_(None))
        return (await self.conn.execute(stmt)).first() is not None

    async def insert(self, tenant_id: UUID, values: dict[str, Any]) -> MessageSend:
        stmt = s.insert().values(tenant_id=tenant_id, **values).returning(*_SEND_COLUMNS)
        return _send((await self.conn.execute(stmt)).one())

    async def list_for_campaign(self, tenant_id: UUID, campaign_id: UUID) -> list[MessageSend]:
        stmt = (
            sa.select(*_SEND_COLUMNS)
            .where(s.c.tenant_id == tenant_id, s.c.campaign_id == campaign_id, s.c.deleted_at.is_(None))
            .order_by(s.c.created_at.desc(), s.c.id.desc())
            .limit(200)
        )
        return [_send(r) for r in (await self.conn.execute(stmt)).all()]

    async def get(self, scope: DataScope, send_id: UUID, *, for_update: bool = False) -> MessageSend | None:
        c = campaigns
        in_range = (
            sa.select(c.c.id)
            .where(c.c.tenant_id == s.c.tenant_id, c.c.id == s.c.campaign_id, c.c.deleted_at.is_(None))
            .where(scope_predicate(c, scope))
            .exists()
        )
        stmt = sa.select(*_SEND_COLUMNS).where(
            s.c.tenant_id == scope.tenant_id, s.c.id == send_id, s.c.deleted_at.is_(None), in_range
        )
        if for_update:
            stmt = stmt.with_for_update(of=s)
        row = (await self.conn.execute(stmt)).first()
        return _send(row) if row else None

    async def cancel(self, tenant_id: UUID, send_id: UUID, actor: UUID) -> MessageSend:
        left = (
            d.update()
            .where(d.c.tenant_id == tenant_id, d.c.send_id == send_id, d.c.status == "queued")
            .values(status="skipped", skip_reason="cancelled", lease_until=None, updated_at=sa.func.now())
            .returning(d.c.id)
            .cte("left_over")
        )
        n = sa.select(sa.func.count()).select_from(left).scalar_subquery()
        stmt = (
            s.update()
            .where(s.c.tenant_id == tenant_id, s.c.id == send_id)
            .values(
                status="cancelled",
                queued=s.c.queued - n,
                skipped=s.c.skipped + n,
                skipped_reasons=s.c.skipped_reasons.op("||")(
                    sa.func.jsonb_build_object(
                        "cancelled", sa.func.coalesce(s.c.skipped_reasons["cancelled"].astext.cast(sa.Integer), 0) + n
                    )
                ),
                completed_at=sa.func.now(),
                updated_at=sa.func.now(),
                updated_by=actor,
                version=s.c.version + 1,
            )
            .returning(*_SEND_COLUMNS)
        )
        return _send((await self.conn.execute(stmt)).one())


# -- the worker's side -------------------------------------------------------------------------

_owner = users.alias("owner")


def _locale_of(custom_fields: Any) -> Any:
    value = custom_fields["locale"].astext
    return sa.case((value.in_(["zh-CN", "en"]), value), else_=None)


def _address_norm(kind: str, channel: str) -> tuple[Any, Any]:
    """(address, normalized address) of a contact or lead for a channel."""
    if kind == "contact":
        if channel == "email":
            return contacts.c.emails[1], contacts.c.emails_norm[1]
        return contacts.c.phones[1], contacts.c.phones_norm[1]
    if channel == "email":
        return leads.c.email, leads.c.email_norm
    return leads.c.phone, leads.c.phone_norm


class PgDeliveryStore:
    """The worker's statements. `engine` gives each use its own connection: preparing and booking
    are transactions, claiming and recording single autocommitted statements."""

    def __init__(
        self, engine: AsyncEngine, segment_tree: Callable[..., Any] | None = None, *, public_url: str | None = None
    ) -> None:
        self.engine = engine
        # The web client's address: an invitation's link to the event's public registration page.
        self.public_url = public_url
        # (conn, principal, segment row) -> the audience's rows per entity; set by app/worker.py
        # (the segment compiler lives with the segments).
        self.segment_tree = segment_tree
        self._recording: AsyncConnection | None = None
        self._recording_driver: Any = None  # its asyncpg connection, looked up once
        # Only this tenant's sends (tests and the benchmark share a database with other tenants).
        self.only_tenant: UUID | None = None

    # -- prepare -------------------------------------------------------------------------------

    async def prepare_due(self, limit: int) -> list[UUID]:
        prepared: list[UUID] = []
        for _ in range(limit):
            async with self.engine.begin() as conn:
                stmt = (
                    sa.select(
                        s.c.tenant_id,
                        s.c.id,
                        s.c.owner_id,
                        s.c.campaign_id,
                        s.c.channel,
                        s.c.audience,
                        s.c.segment_id,
                        s.c.member_statuses,
                        s.c.locale,
                    )
                    .where(s.c.status == "scheduled", s.c.scheduled_at <= sa.func.now(), s.c.deleted_at.is_(None))
                    .where(self._tenant_filter())
                    .order_by(s.c.scheduled_at)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                send = (await conn.execute(stmt)).first()
                if send is None:
                    break
                await self._prepare(conn, send)
                prepared.append(send.id)
        return prepared

    def _tenant_filter(self) -> sa.ColumnElement[bool]:
        return sa.true() if self.only_tenant is None else s.c.tenant_id == self.only_tenant

    async def _sender(self, conn: AsyncConnection, tenant_id: UUID, user_id: UUID) -> Principal | None:
        caller = await PgPrincipalRepository(conn).by_user(tenant_id, user_id, new_id())
        if caller is None or not caller.active:
            return None
        return Principal(
            tenant_id=caller.tenant_id,
            user_id=caller.user_id,
            email=caller.email,
            name=caller.name,
            department_id=caller.department_id,
            department_ids=caller.department_ids,
            roles=caller.roles,
        )

    async def _prepare(self, conn: AsyncConnection, send: Any) -> None:
        tenant_id = send.tenant_id
        sender = await self._sender(conn, tenant_id, send.owner_id)
        empty = DataScope(tenant_id, send.owner_id, (), ())
        scopes = {
            entity: sender.scope(entity, "read") if sender is not None and sender.can(entity, "read") else empty
            for entity in ("contacts", "leads")
        }
        tenant_locale = sa.select(_locale_of(tenants.c.settings)).where(tenants.c.id == tenant_id).scalar_subquery()
        m = campaign_members
        if send.audience == "segment":
            matched = None
            if self.segment_tree is not None and sender is not None:
                matched = await self.segment_tree(conn, sender, send.segment_id, scopes)
            if matched is None:
                await self._fail(conn, tenant_id, send.id, "the segment cannot be evaluated")
                return
            # The audience becomes members (as a freeze does), then the deliveries come from them.
            null = sa.cast(sa.null(), PGUUID(as_uuid=True))
            parts = []
            for entity, select in matched.items():
                q = select.subquery()
                ids = (q.c.id, null) if entity == "contacts" else (null, q.c.id)
                parts.append(sa.select(ids[0].label("contact_id"), ids[1].label("lead_id")))
            rows = sa.union_all(*parts).cte("matched") if len(parts) > 1 else parts[0].cte("matched")
            add = sa.select(
                sa.literal(tenant_id, PGUUID(as_uuid=True)),
                sa.literal_column(UUID7_SQL),
                sa.literal(send.campaign_id, PGUUID(as_uuid=True)),
                rows.c.contact_id,
                rows.c.lead_id,
                sa.literal("targeted"),
                sa.literal("segment"),
                sa.literal(send.owner_id, PGUUID(as_uuid=True)),
                sa.literal(send.owner_id, PGUUID(as_uuid=True)),
            )
            cols = [
                "tenant_id",
                "id",
                "campaign_id",
                "contact_id",
                "lead_id",
                "status",
                "source",
                "created_by",
                "updated_by",
            ]
            await conn.execute(insert(m).from_select(cols, add).on_conflict_do_nothing())
            audience = sa.or_(
                m.c.contact_id.in_(sa.select(rows.c.contact_id).where(rows.c.contact_id.is_not(None))),
                m.c.lead_id.in_(sa.select(rows.c.lead_id).where(rows.c.lead_id.is_not(None))),
            )
        else:
            audience = sa.true()
            if send.member_statuses:
                audience = m.c.status.in_(list(send.member_statuses))
        await conn.execute(self._insert_deliveries(send, scopes, audience, tenant_locale))
        await self._count_prepared(conn, tenant_id, send.id)
        await PgEventOutbox(conn).publish(
            tenant_id,
            "message_send.started",
            "message_send",
            send.id,
            {"id": str(send.id), "campaign_id": str(send.campaign_id)},
        )

    def _insert_deliveries(self, send: Any, scopes: dict[str, DataScope], audience: Any, tenant_locale: Any) -> Any:
        m, c, lead, channel = campaign_members, contacts, leads, send.channel
        c_addr, c_norm = _address_norm("contact", channel)
        l_addr, l_norm = _address_norm("lead", channel)
        c_on = sa.and_(c.c.tenant_id == m.c.tenant_id, c.c.id == m.c.contact_id, c.c.deleted_at.is_(None))
        l_on = sa.and_(lead.c.tenant_id == m.c.tenant_id, lead.c.id == m.c.lead_id, lead.c.deleted_at.is_(None))
        in_range = sa.or_(
            sa.and_(m.c.contact_id.is_not(None), c.c.id.is_not(None), scope_predicate(c, scopes["contacts"])),
            sa.and_(m.c.lead_id.is_not(None), lead.c.id.is_not(None), scope_predicate(lead, scopes["leads"])),
        )
        norm = sa.func.coalesce(c_norm, l_norm)
        sup, con = marketing_suppressions, marketing_consents
        suppressed = (
            sa.select(sup.c.address)
            .where(sup.c.tenant_id == m.c.tenant_id, sup.c.channel == channel, sup.c.address == norm)
            .exists()
        )
        consented = (
            sa.select(con.c.id)
            .where(
                con.c.tenant_id == m.c.tenant_id,
                con.c.channel == channel,
                con.c.status == "granted",
                sa.or_(
                    sa.and_(m.c.contact_id.is_not(None), con.c.contact_id == m.c.contact_id),
                    sa.and_(m.c.lead_id.is_not(None), con.c.lead_id == m.c.lead_id),
                ),
            )
            .exists()
        )
        reason = sa.case(
            (sa.not_(in_range), "out_of_range"),
            (norm.is_(None), "no_address"),
            (suppressed, "suppressed"),
            (sa.not_(consented), "no_consent"),
            else_=None,
        )
        locale = sa.func.coalesce(
            sa.literal(send.locale, sa.Text),
            _locale_of(c.c.custom_fields),
            _locale_of(lead.c.custom_fields),
            tenant_locale,
        )
        base = (
            sa.select(
                m.c.id.label("member_id"),
                m.c.contact_id,
                m.c.lead_id,
                # No address leaves the sender's range: out-of-range rows keep none.
                sa.case((in_range, sa.func.coalesce(c_addr, l_addr)), else_=None).label("address"),
                norm.label("norm"),
                reason.label("reason"),
                locale.label("locale"),
            )
            .select_from(m.outerjoin(c, c_on).outerjoin(lead, l_on))
            .where(m.c.tenant_id == send.tenant_id, m.c.campaign_id == send.campaign_id, m.c.deleted_at.is_(None))
            .where(audience)
            .cte("recipients")
        )
        first = sa.func.row_number().over(
            partition_by=(base.c.reason.is_(None), base.c.norm), order_by=base.c.member_id
        )
        ranked = sa.select(base, first.label("n")).cte("ranked")
        final = sa.case((sa.and_(ranked.c.reason.is_(None), ranked.c.n > 1), "duplicate"), else_=ranked.c.reason)
        rows = sa.select(
            sa.literal(send.tenant_id, PGUUID(as_uuid=True)),
            sa.literal_column(UUID7_SQL),
            sa.literal(send.id, PGUUID(as_uuid=True)),
            ranked.c.member_id,
            ranked.c.contact_id,
            ranked.c.lead_id,
            ranked.c.address,
            sa.case((final.is_(None), "queued"), else_="skipped"),
            final,
            ranked.c.locale,
        ).order_by(ranked.c.member_id)
        cols = [
            "tenant_id",
            "id",
            "send_id",
            "member_id",
            "contact_id",
            "lead_id",
            "address",
            "status",
            "skip_reason",
            "locale",
        ]
        return insert(d).from_select(cols, rows).on_conflict_do_nothing()

    async def _count_prepared(self, conn: AsyncConnection, tenant_id: UUID, send_id: UUID) -> None:
        by_reason = (
            sa.select(d.c.skip_reason, sa.func.count().label("n"))
            .where(d.c.tenant_id == tenant_id, d.c.send_id == send_id, d.c.status == "skipped")
            .group_by(d.c.skip_reason)
            .subquery()
        )
        reasons = sa.select(
            sa.func.coalesce(sa.func.jsonb_object_agg(by_reason.c.skip_reason, by_reason.c.n), sa.text("'{}'::jsonb"))
        ).scalar_subquery()
        queued = (
            sa.select(sa.func.count())
            .where(d.c.tenant_id == tenant_id, d.c.send_id == send_id, d.c.status == "queued")
            .scalar_subquery()
        )
        skipped = sa.select(sa.func.coalesce(sa.func.sum(by_reason.c.n), 0)).scalar_subquery()
        await conn.execute(
            s.update()
            .where(s.c.tenant_id == tenant_id, s.c.id == send_id)
            .values(
                status="sending",
                queued=queued,
                skipped=skipped,
                skipped_reasons=reasons,
                started_at=sa.func.now(),
                updated_at=sa.func.now(),
                version=s.c.version + 1,
            )
        )

    async def _fail(self, conn: AsyncConnection, tenant_id: UUID, send_id: UUID, error: str) -> None:
        await conn.execute(
            s.update()
            .where(s.c.tenant_id == tenant_id, s.c.id == send_id)
            .values(status="failed", error=error, completed_at=sa.func.now(), updated_at=sa.func.now())
        )
        await PgEventOutbox(conn).publish(
            tenant_id, "message_send.completed", "message_send", send_id, {"id": str(send_id), "status": "failed"}
        )

    async def fail(self, tenant_id: UUID, send_id: UUID, error: str) -> None:
        async with self.engine.begin() as conn:
            await self._fail(conn, tenant_id, send_id, error)

    # -- deliver -------------------------------------------------------------------------------

    async def active_sends(self) -> list[tuple[UUID, UUID]]:
        stmt = (
            sa.select(s.c.tenant_id, s.c.id)
            .where(s.c.status == "sending", s.c.scheduled_at <= sa.func.now(), self._tenant_filter())
            .order_by(s.c.scheduled_at)
            .limit(50)
        )
        async with self.engine.connect() as conn:
            return [(r.tenant_id, r.id) for r in (await conn.execute(stmt)).all()]

    async def plan(self, tenant_id: UUID, send_id: UUID) -> SendPlan | None:
        t, c = message_templates, campaigns
        first_session = (
            sa.select(
                campaign_sessions.c.starts_at,
                campaign_sessions.c.ends_at,
                sa.func.coalesce(campaign_sessions.c.location, campaign_sessions.c.online_url).label("place"),
            )
            .where(
                campaign_sessions.c.tenant_id == c.c.tenant_id,
                campaign_sessions.c.campaign_id == c.c.id,
                campaign_sessions.c.deleted_at.is_(None),
            )
            .order_by(campaign_sessions.c.starts_at)
            .limit(1)
            .lateral("first_session")
        )
        stmt = (
            sa.select(
                s.c.tenant_id,
                s.c.id,
                s.c.campaign_id,
                s.c.channel,
                s.c.rate_per_minute,
                t.c.content,
                t.c.default_locale,
                t.c.deleted_at.label("template_deleted"),
                c.c.name.label("campaign_name"),
                c.c.campaign_type,
                c.c.public_key,
                c.c.registration_open,
                first_session.c.starts_at,
                first_session.c.ends_at,
                first_session.c.place,
            )
            .select_from(
                s.outerjoin(t, sa.and_(t.c.tenant_id == s.c.tenant_id, t.c.id == s.c.template_id))
                .join(c, sa.and_(c.c.tenant_id == s.c.tenant_id, c.c.id == s.c.campaign_id))
                .outerjoin(first_session, sa.true())
            )
            .where(s.c.tenant_id == tenant_id, s.c.id == send_id)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        if row.content is None or row.template_deleted is not None or not row.content:
            await self.fail(tenant_id, send_id, "the message template was deleted")
            return None
        link = (
            registration_link(self.public_url, row.public_key)
            if self.public_url and row.public_key and row.registration_open
            else None
        )
        facts = CampaignFacts(row.campaign_name, row.campaign_type, row.starts_at, row.ends_at, row.place, link)
        return SendPlan(
            tenant_id,
            send_id,
            row.campaign_id,
            row.channel,
            row.rate_per_minute,
            row.content,
            row.default_locale,
            facts,
        )

    async def claim(
        self, tenant_id: UUID, send_id: UUID, worker: str, limit: int, lease: timedelta, interval: float
    ) -> tuple[list[Claimed], float]:
        stmt = self.claim_statement(tenant_id, send_id, worker, limit, lease, interval)
        async with self.engine.begin() as conn:
            rows = (await conn.execute(stmt)).all()
        if not rows:
            return [], 0.0
        ahead = float(rows[0].ahead or 0.0)
        first_wait = max(0.0, ahead - len(rows) * interval) if interval else 0.0
        return [_claimed(r) for r in rows], first_wait

    def claim_statement(
        self, tenant_id: UUID, send_id: UUID, worker: str, limit: int, lease: timedelta, interval: float
    ) -> Any:
        now = sa.func.now()
        live = sa.select(s.c.id).where(s.c.tenant_id == tenant_id, s.c.id == send_id, s.c.status == "sending").exists()
        claimable = sa.or_(
            sa.and_(d.c.status == "queued", sa.or_(d.c.lease_until.is_(None), d.c.lease_until <= now)),
            sa.and_(d.c.status == "sending", d.c.lease_until <= now),
        )
        pick = (
            sa.select(d.c.id, _ctid.label("row"))
            .where(d.c.tenant_id == tenant_id, d.c.send_id == send_id, d.c.status.in_(["queued", "sending"]))
            .where(claimable, live)
            .order_by(d.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("pick")
        )
        claimed = (
            d.update()
            # By the rows' ctids (a TID scan; they are locked by `pick`, so they stay put), whatever
            # the planner believes of a table just filled: joined by id, a send whose statistics
            # were not yet gathered made it scan the whole tenant.
            .where(_ctid == sa.any_(sa.func.array(sa.select(pick.c.row).scalar_subquery())))
            .values(
                status="sending", claimed_by=worker, lease_until=now + lease, attempts=d.c.attempts + 1, updated_at=now
            )
            .returning(d.c.id, d.c.contact_id, d.c.lead_id, d.c.address, d.c.locale, d.c.attempts)
            .cte("claimed")
        )
        count = sa.select(sa.func.count()).select_from(claimed).scalar_subquery()
        # The rate's slots: this batch takes the next `count` of them, after those already taken.
        start = sa.func.greatest(sa.func.coalesce(s.c.paced_until, now), now)
        pace = (
            s.update()
            .where(s.c.tenant_id == tenant_id, s.c.id == send_id, sa.literal(interval) > 0)
            .values(paced_until=start + count * sa.literal(timedelta(seconds=interval)))
            .returning(sa.func.extract("epoch", s.c.paced_until - now).label("ahead"), count.label("n"))
            .cte("pace")
        )
        cu, c, lead, o = customers, contacts, leads, _owner
        stmt = (
            sa.select(
                claimed.c.id,
                claimed.c.contact_id,
                claimed.c.lead_id,
                claimed.c.address,
                claimed.c.locale,
                claimed.c.attempts,
                sa.func.coalesce(c.c.name, lead.c.name).label("name"),
                sa.func.coalesce(c.c.title, lead.c.title).label("title"),
                c.c.phones[1].label("c_phone"),
                c.c.emails[1].label("c_email"),
                lead.c.email.label("l_email"),
                lead.c.phone.label("l_phone"),
                lead.c.company.label("l_company"),
                lead.c.source,
                lead.c.status.label("l_status"),
                cu.c.name.label("customer_name"),
                cu.c.level,
                cu.c.industry,
                cu.c.customer_type,
                cu.c.email.label("customer_email"),
                cu.c.phone.label("customer_phone"),
                cu.c.website,
                cu.c.address.label("customer_address"),
                o.c.name.label("owner_name"),
                o.c.email.label("owner_email"),
                sa.select(pace.c.ahead).scalar_subquery().label("ahead"),
            )
            .select_from(
                claimed.outerjoin(c, sa.and_(c.c.tenant_id == tenant_id, c.c.id == claimed.c.contact_id))
                .outerjoin(
                    cu, sa.and_(cu.c.tenant_id == tenant_id, cu.c.id == c.c.customer_id, cu.c.deleted_at.is_(None))
                )
                .outerjoin(lead, sa.and_(lead.c.tenant_id == tenant_id, lead.c.id == claimed.c.lead_id))
                .outerjoin(
                    o,
                    sa.and_(
                        o.c.tenant_id == tenant_id,
                        o.c.id == sa.func.coalesce(cu.c.owner_id, c.c.owner_id, lead.c.owner_id),
                    ),
                )
            )
            .order_by(claimed.c.id)
        )
        return stmt

    async def extend(self, tenant_id: UUID, ids: list[UUID], worker: str, lease: timedelta) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                d.update()
                .where(d.c.tenant_id == tenant_id, d.c.id == sa.any_(sa.literal(ids, UUIDS)))
                .where(d.c.claimed_by == worker, d.c.status == "sending")
                .values(lease_until=sa.func.now() + lease)
            )

    async def _recording_conn(self) -> Any:
        """The recorder's own connection, autocommit, driven through asyncpg directly: the hot
        path's one statement a message (or a few) costs no more Python than it must."""
        if self._recording_driver is not None and self._recording is not None and not self._recording.closed:
            return self._recording_driver
        if self._recording is None or self._recording.closed:
            conn = await self.engine.connect()
            self._recording = await conn.execution_options(isolation_level="AUTOCOMMIT")
            # A record is the commit point of a message already handed to SMTP: it must not wait for
            # a disk flush (a database crash forgets at most the last moments' records: those
            # messages are sent again with their Message-ID).
            await self._recording.execute(sa.text("SET synchronous_commit = off"))
        raw = await self._recording.get_raw_connection()
        self._recording_driver = raw.driver_connection
        return self._recording_driver

    async def close(self) -> None:
        self._recording_driver = None
        if self._recording is not None:
            await self._recording.close()
            self._recording = None

    async def record(self, tenant_id: UUID, send_id: UUID, worker: str, outcomes: list[Outcome]) -> None:
        conn = await self._recording_conn()
        try:
            args = _record_args(tenant_id, worker, outcomes)
            if len(args) == 1:
                await conn.execute(_RECORD, *args[0])
            else:
                await conn.executemany(_RECORD, args)
        except Exception:
            await self.close()
            raise

    # -- book and finish -----------------------------------------------------------------------

    async def book(self, tenant_id: UUID, send_id: UUID, worker: str, limit: int) -> int:
        async with self.engine.begin() as conn:
            # Rows another worker holds may still be corrected (a 5xx after the "."): only its own
            # rows, and those whose lease ran out, are final.
            final = sa.or_(d.c.claimed_by == worker, d.c.lease_until <= sa.func.now())
            stmt = (
                sa.select(d.c.id, d.c.status, d.c.member_id, d.c.contact_id, d.c.lead_id, d.c.address, d.c.error)
                .where(d.c.tenant_id == tenant_id, d.c.send_id == send_id, d.c.booked_at.is_(None))
                .where(d.c.status.in_(FINISHED), final)
                .order_by(d.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = (await conn.execute(stmt)).all()
            if not rows:
                return 0
            campaign_id = (
                await conn.execute(sa.select(s.c.campaign_id).where(s.c.tenant_id == tenant_id, s.c.id == send_id))
            ).scalar_one()
            for step in ("sent", "bounced"):
                chosen = [r for r in rows if r.status == step and r.member_id is not None]
                if not chosen:
                    continue
                changed = set(await advance_members(conn, tenant_id, step, member_ids=[r.member_id for r in chosen]))
                events = [
                    {
                        "tenant_id": tenant_id,
                        "id": new_id(),
                        "event_type": f"campaign_member.{step}",
                        "entity": "campaign_member",
                        "entity_id": r.member_id,
                        "payload": {
                            "campaign_id": str(campaign_id),
                            "member_id": str(r.member_id),
                            "contact_id": str(r.contact_id) if r.contact_id else None,
                            "lead_id": str(r.lead_id) if r.lead_id else None,
                            "step": step,
                            "send_id": str(send_id),
                            "delivery_id": str(r.id),
                        },
                    }
                    for r in chosen
                    if r.member_id in changed
                ]
                if events:
                    await conn.execute(outbox.insert(), events)
            bounced = [r for r in rows if r.status == "bounced" and r.address]
            if bounced:
                channel = (
                    await conn.execute(sa.select(s.c.channel).where(s.c.tenant_id == tenant_id, s.c.id == send_id))
                ).scalar_one()
                values = [
                    {
                        "tenant_id": tenant_id,
                        "channel": channel,
                        "address": _normalized(channel, r.address),
                        "reason": "hard_bounce",
                        "detail": r.error,
                        "delivery_id": r.id,
                    }
                    for r in bounced
                    if _normalized(channel, r.address)
                ]
                if values:
                    await conn.execute(insert(marketing_suppressions).values(values).on_conflict_do_nothing())
            await conn.execute(
                d.update()
                .where(d.c.tenant_id == tenant_id, d.c.id == sa.any_(sa.literal([r.id for r in rows], UUIDS)))
                .values(booked_at=sa.func.now())
            )
            # The progress counters move here, once per row (booked_at), whoever books it.
            sent = sum(1 for r in rows if r.status == "sent")
            await conn.execute(
                s.update()
                .where(s.c.tenant_id == tenant_id, s.c.id == send_id)
                .values(queued=s.c.queued - len(rows), sent=s.c.sent + sent, failed=s.c.failed + len(rows) - sent,
                        updated_at=sa.func.now())
            )  # fmt: skip
            return len(rows)

    async def finish(self, tenant_id: UUID, send_id: UUID) -> bool:
        pending = (
            sa.select(d.c.id)
            .where(d.c.tenant_id == tenant_id, d.c.send_id == send_id)
            .where(
                sa.or_(
                    d.c.status.in_(["queued", "sending"]),
                    sa.and_(d.c.status.in_(FINISHED), d.c.booked_at.is_(None)),
                )
            )
            .exists()
        )
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    s.update()
                    .where(s.c.tenant_id == tenant_id, s.c.id == send_id, s.c.status == "sending", ~pending)
                    .values(
                        status="completed",
                        completed_at=sa.func.now(),
                        updated_at=sa.func.now(),
                        version=s.c.version + 1,
                    )
                    .returning(s.c.campaign_id, s.c.sent, s.c.failed, s.c.skipped)
                )
            ).first()
            if row is None:
                return False
            payload = {
                "id": str(send_id),
                "campaign_id": str(row.campaign_id),
                "status": "completed",
                "sent": row.sent,
                "failed": row.failed,
                "skipped": row.skipped,
            }
            await PgEventOutbox(conn).publish(tenant_id, "message_send.completed", "message_send", send_id, payload)
            return True


def _normalized(channel: str, address: str) -> str | None:
    from app.domain.shared.normalize import email_key, phone_key

    return email_key(address) if channel == "email" else phone_key(address)


def _claimed(r: Any) -> Claimed:
    customer = None
    if r.customer_name is not None:
        customer = CustomerFacts(
            r.customer_name,
            r.level,
            r.industry,
            None,
            r.customer_type,
            r.customer_email,
            r.customer_phone,
            r.website,
            r.customer_address,
        )
    kind = "contact" if r.contact_id is not None else "lead"
    recipient = RecipientFacts(
        kind,
        r.contact_id or r.lead_id,
        r.name or "",
        r.title,
        r.customer_name if kind == "contact" else r.l_company,
        r.c_email if kind == "contact" else r.l_email,
        r.c_phone if kind == "contact" else r.l_phone,
        r.source,
        r.l_status,
        customer,
        Person(r.owner_name, r.owner_email) if r.owner_name is not None else None,
    )
    return Claimed(r.id, r.address, r.locale, r.attempts, recipient)


# One statement per outcome (sent in one pipelined round trip, asyncpg's executemany), on a row
# this worker still holds (`claimed_by`, and `sending` or its own optimistic `sent`): a primary-key
# update; the counters follow when the rows are booked.
_RECORD = """
UPDATE message_deliveries d SET
    status = CASE WHEN $3 = 'released' THEN 'queued' ELSE $3 END,
    error = coalesce($4, d.error),
    message_id = coalesce($5, d.message_id),
    sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE d.sent_at END,
    attempts = CASE WHEN $3 = 'released' THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
    claimed_by = CASE WHEN $3 IN ('queued', 'released') THEN NULL ELSE d.claimed_by END,
    lease_until = CASE WHEN $3 = 'queued' THEN now() + make_interval(secs => $6::float8)
                       WHEN $3 = 'released' THEN NULL ELSE d.lease_until END,
    updated_at = now()
 WHERE d.tenant_id = $1 AND d.id = $2 AND d.claimed_by = $7 AND d.status IN ('sending', 'sent')
"""


def _record_args(tenant_id: UUID, worker: str, outcomes: list[Outcome]) -> list[tuple[Any, ...]]:
    return [
        (tenant_id, o.delivery_id, o.status, o.error, o.message_id,
         o.retry_in.total_seconds() if o.retry_in else 0.0, worker)
        for o in outcomes
    ]  # fmt: skip


class PgSmsSettings:
    """The tenant's SMS provider in `tenants.settings` (key app/domain/marketing/sms.SETTINGS_KEY)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def read(self, tenant_id: UUID) -> dict[str, Any] | None:
        stmt = sa.select(tenants.c.settings[SMS_KEY]).where(tenants.c.id == tenant_id)
        value = (await self.conn.execute(stmt)).scalar()
        return value if isinstance(value, dict) else None

    async def write(self, tenant_id: UUID, value: dict[str, Any] | None) -> None:
        settings = (
            tenants.c.settings.op("-")(SMS_KEY)
            if value is None
            else tenants.c.settings.op("||")(sa.func.jsonb_build_object(SMS_KEY, sa.cast(value, JSONB)))
        )
        await self.conn.execute(
            tenants.update().where(tenants.c.id == tenant_id).values(settings=settings, updated_at=sa.func.now())
        )
