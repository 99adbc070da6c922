"""PostgreSQL adapters of consent, the suppression list, the deliveries as the public endpoints
see them (unsubscribe, bounces), the member funnel and the bounce webhook's secret."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.consent import Consent, Subject
from app.domain.marketing.ports import DeliveryRef
from app.domain.marketing.suppressions import Suppression, SuppressionQuery
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import search_pattern
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope
from app.repositories.member_funnel import advance_members
from app.repositories.prepared import Prepared
from app.repositories.scoping import scope_predicate
from app.repositories.tables import campaigns, contacts, leads
from app.repositories.tables import marketing_consents as mc
from app.repositories.tables import marketing_suppressions as ms
from app.repositories.tables import marketing_webhook_secrets as secrets
from app.repositories.tables import message_deliveries as dl
from app.repositories.tables import message_sends as sends

_CONSENT = (mc.c.id, mc.c.contact_id, mc.c.lead_id, mc.c.channel, mc.c.status, mc.c.source, mc.c.proof,
            mc.c.recorded_at, mc.c.recorded_by)  # fmt: skip
_SUPPRESSION = (ms.c.channel, ms.c.address, ms.c.reason, ms.c.detail, ms.c.delivery_id, ms.c.created_at,
                ms.c.created_by)  # fmt: skip


def _subject_column(subject: Subject) -> sa.ColumnElement[bool]:
    return (mc.c.contact_id if subject.kind == "contact" else mc.c.lead_id) == subject.id


class PgConsentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def subject_in_scope(self, scope: DataScope, subject: Subject, *, lock: bool = False) -> bool:
        table = contacts if subject.kind == "contact" else leads
        stmt = sa.select(table.c.id).where(
            scope_predicate(table, scope), table.c.id == subject.id, table.c.deleted_at.is_(None)
        )
        # A consent change holds the record (FOR SHARE) against a concurrent delete or reassignment.
        if lock:
            stmt = stmt.with_for_update(read=True)
        return (await self.conn.execute(stmt)).first() is not None

    async def list_for(self, tenant_id: UUID, subject: Subject) -> list[Consent]:
        rows = await self.conn.execute(
            sa.select(*_CONSENT).where(mc.c.tenant_id == tenant_id, _subject_column(subject)).order_by(mc.c.channel)
        )
        return [Consent(*row) for row in rows]

    async def current(self, tenant_id: UUID, subject: Subject, channel: str) -> Consent | None:
        row = (
            await self.conn.execute(
                sa.select(*_CONSENT).where(
                    mc.c.tenant_id == tenant_id, _subject_column(subject), mc.c.channel == channel
                )
            )
        ).first()
        return Consent(*row) if row else None

    async def put(
        self,
        tenant_id: UUID,
        subject: Subject,
        channel: str,
        status: str,
        source: str,
        proof: str | None,
        actor: UUID | None,
        *,
        status_only: bool = False,
    ) -> tuple[Consent, Consent | None] | None:
        """Insert or update: (the new state, the state before it), or None when the row already
        said so (its status, and unless `status_only` its source and proof): decided by the upsert
        itself, so of two concurrent identical writes only one changes anything. One prepared
        statement: a registration's consent boxes cost a round trip each."""
        key = "contact_id" if subject.kind == "contact" else "lead_id"
        params = {
            "tenant_id": tenant_id, "id": new_id(), "subject": subject.id, "channel": channel, "status": status,
            "source": source, "proof": proof, "actor": actor,
        }  # fmt: skip
        rows = await _PUT[(key, status_only)].rows(self.conn, params)
        if not rows:
            return None
        row = rows[0]
        after = Consent(*row[: len(_CONSENT)])
        if row.before_status is None:
            return after, None
        before = replace(
            after, status=row.before_status, source=row.before_source, proof=row.before_proof,
            recorded_at=row.before_recorded_at, recorded_by=row.before_recorded_by,
        )  # fmt: skip
        return after, before


def _put(key: str, status_only: bool) -> Prepared:
    """The upsert of one subject's consent on a channel, returning the row and what it held before."""

    def param(name: str, column: sa.Column[Any]) -> sa.BindParameter[Any]:
        return sa.bindparam(name, type_=column.type)

    subject = param("subject", mc.c[key])
    before = (
        sa.select(mc.c.status, mc.c.source, mc.c.proof, mc.c.recorded_at, mc.c.recorded_by)
        .where(
            mc.c.tenant_id == param("tenant_id", mc.c.tenant_id),
            mc.c[key] == subject,
            mc.c.channel == param("channel", mc.c.channel),
        )
        .cte("before")
    )
    values = {
        "status": param("status", mc.c.status),
        "source": param("source", mc.c.source),
        "proof": param("proof", mc.c.proof),
        "recorded_at": sa.func.now(),
        "recorded_by": param("actor", mc.c.recorded_by),
    }
    insert = pg_insert(mc).values(
        tenant_id=param("tenant_id", mc.c.tenant_id), id=param("id", mc.c.id),
        channel=param("channel", mc.c.channel), **{key: subject}, **values,
    )  # fmt: skip
    compared = ("status",) if status_only else ("status", "source", "proof")
    stmt = (
        insert.on_conflict_do_update(
            index_elements=[mc.c.tenant_id, mc.c[key], mc.c.channel],
            index_where=mc.c[key].is_not(None),
            set_=values,
            where=sa.or_(*(mc.c[c].is_distinct_from(insert.excluded[c]) for c in compared)),
        )
        .returning(
            *_CONSENT,
            *(
                sa.select(before.c[c]).scalar_subquery().label(f"before_{c}")
                for c in ("status", "source", "proof", "recorded_at", "recorded_by")
            ),
        )
        .add_cte(before)
    )
    return Prepared.of(stmt)


_PUT = {(key, only): _put(key, only) for key in ("contact_id", "lead_id") for only in (False, True)}


def _encode(created_at: datetime, channel: str, address: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([created_at.isoformat(), channel, address])).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str, str]:
    try:
        at, channel, address = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(at), str(channel), str(address)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise ValidationFailed.one("cursor", "is not a cursor this list handed out")


class PgSuppressionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list_page(self, tenant_id: UUID, query: SuppressionQuery) -> Page[Suppression]:
        """Newest first, keyset on (created_at, channel, address): ix_marketing_suppressions_created."""
        where: list[Any] = [ms.c.tenant_id == tenant_id]
        if query.channel:
            where.append(ms.c.channel == query.channel)
        if query.reason:
            where.append(ms.c.reason == query.reason)
        if query.q:
            where.append(ms.c.address.like(search_pattern(query.q)))
        if query.cursor:
            at, channel, address = _decode(query.cursor)
            where.append(
                sa.or_(
                    ms.c.created_at < at,
                    sa.and_(ms.c.created_at == at, sa.tuple_(ms.c.channel, ms.c.address) > sa.tuple_(channel, address)),
                )
            )
        stmt = (
            sa.select(*_SUPPRESSION)
            .where(*where)
            .order_by(ms.c.created_at.desc(), ms.c.channel, ms.c.address)
            .limit(query.limit + 1)
        )
        rows = [Suppression(*r) for r in await self.conn.execute(stmt)]
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        last = rows[-1] if more else None
        return Page(rows, _encode(last.created_at, last.channel, last.address) if last else None)

    async def add(
        self,
        tenant_id: UUID,
        channel: str,
        address: str,
        reason: str,
        *,
        detail: str | None,
        delivery_id: UUID | None,
        actor: UUID | None,
    ) -> Suppression | None:
        stmt = (
            pg_insert(ms)
            .values(
                tenant_id=tenant_id,
                channel=channel,
                address=address,
                reason=reason,
                detail=detail,
                delivery_id=delivery_id,
                created_by=actor,
            )
            .on_conflict_do_nothing(index_elements=[ms.c.tenant_id, ms.c.channel, ms.c.address])
            .returning(*_SUPPRESSION)
        )
        row = (await self.conn.execute(stmt)).first()
        return Suppression(*row) if row else None

    async def listed(self, tenant_id: UUID, channel: str, address: str) -> bool:
        stmt = sa.select(ms.c.reason).where(
            ms.c.tenant_id == tenant_id, ms.c.channel == channel, ms.c.address == address
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def remove(self, tenant_id: UUID, channel: str, address: str) -> Suppression | None:
        stmt = (
            ms.delete()
            .where(ms.c.tenant_id == tenant_id, ms.c.channel == channel, ms.c.address == address)
            .returning(*_SUPPRESSION)
        )
        row = (await self.conn.execute(stmt)).first()
        return Suppression(*row) if row else None


# The delivery with its send's channel and its campaign.
_DELIVERY = (
    sa.select(
        dl.c.tenant_id, dl.c.id, sends.c.channel, dl.c.address, dl.c.status, dl.c.member_id, dl.c.contact_id,
        dl.c.lead_id, sends.c.campaign_id, campaigns.c.name.label("campaign_name"),
    )
    .join(sends, sa.and_(sends.c.tenant_id == dl.c.tenant_id, sends.c.id == dl.c.send_id))
    .join(campaigns, sa.and_(campaigns.c.tenant_id == sends.c.tenant_id, campaigns.c.id == sends.c.campaign_id))
)  # fmt: skip


class PgDeliveryRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: UUID, delivery_id: UUID) -> DeliveryRef | None:
        row = (await self.conn.execute(_DELIVERY.where(dl.c.tenant_id == tenant_id, dl.c.id == delivery_id))).first()
        return DeliveryRef(**row._mapping) if row else None

    async def by_message_ids(self, tenant_id: UUID, message_ids: Sequence[str]) -> list[DeliveryRef]:
        if not message_ids:
            return []
        stmt = _DELIVERY.where(
            dl.c.tenant_id == tenant_id, dl.c.message_id == sa.any_(sa.literal(list(message_ids), sa.ARRAY(sa.Text)))
        )
        return [DeliveryRef(**row._mapping) for row in await self.conn.execute(stmt.order_by(dl.c.id))]

    async def mark(self, tenant_id: UUID, delivery_ids: Sequence[UUID], *, bounced: bool, error: str) -> None:
        if not delivery_ids:
            return
        values: dict[str, Any] = {"error": error, "updated_at": sa.func.now()}
        if bounced:
            values["status"] = "bounced"
        await self.conn.execute(
            dl.update()
            .where(dl.c.tenant_id == tenant_id, dl.c.id == sa.any_(sa.literal(list(delivery_ids), sa.ARRAY(sa.Uuid))))
            .values(**values)
        )


class PgMemberFunnel:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def advance(self, tenant_id: UUID, step: str, member_ids: Sequence[UUID]) -> list[UUID]:
        return await advance_members(self.conn, tenant_id, step, member_ids=member_ids)


class PgWebhookSecrets:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: UUID) -> str | None:
        found: str | None = (
            await self.conn.execute(sa.select(secrets.c.secret).where(secrets.c.tenant_id == tenant_id))
        ).scalar()
        return found

    async def put(self, tenant_id: UUID, secret: str, actor: UUID) -> None:
        values = {"secret": secret, "created_at": sa.func.now(), "created_by": actor}
        stmt = pg_insert(secrets).values(tenant_id=tenant_id, **values)
        await self.conn.execute(stmt.on_conflict_do_update(index_elements=[secrets.c.tenant_id], set_=values))
