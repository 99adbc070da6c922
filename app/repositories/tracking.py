"""Recording an open or a click: one statement, one round trip, no transaction of its own to
begin or commit (autocommit engine), sent straight to the pooled driver connection, as these are
the hottest public endpoints.

    WITH d AS (UPDATE message_deliveries ... RETURNING ...)      -- counters, first times
       , ev AS (INSERT INTO tracking_events SELECT ... FROM d)   -- the log row
       , mem AS (UPDATE campaign_members ... FROM d RETURNING ...) -- the funnel (member_funnel)
       , ob AS (INSERT INTO outbox SELECT ... FROM mem WHERE <status changed>)
    SELECT count(*) FROM d, set_config('synchronous_commit', 'off', true)

The member moves by the funnel's own UPDATE (app/repositories/member_funnel.advance_statement):
a click is also an open (both times kept). Its `campaign_member.opened|clicked` event is written
only when the member's status changed: its status is now the step and the step's time is this
statement's (a member already there keeps its older time).

The commit does not wait for the WAL flush (synchronous_commit off for this statement alone): a
crash may forget the last fraction of a second of opens and clicks, which costs nothing that
matters, while every request would otherwise wait for a disk flush."""

from __future__ import annotations

from typing import Final
from uuid import UUID

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.marketing.links import CLICK, OPEN
from app.domain.shared.ids import new_id
from app.repositories import faults
from app.repositories.member_funnel import advance_statement
from app.repositories.prepared import Prepared
from app.repositories.tables import campaign_members as m
from app.repositories.tables import message_deliveries as dl
from app.repositories.tables import outbox, tracking_events

STEPS: Final = {OPEN: "opened", CLICK: "clicked"}


def _statement(kind: str) -> sa.Select[tuple[int, str]]:
    step = STEPS[kind]
    uid = PGUUID(as_uuid=True)
    now = sa.func.now()
    counters = (
        {"opens": dl.c.opens + 1, "opened_at": sa.func.coalesce(dl.c.opened_at, now)}
        if kind == OPEN
        # A click is also an open: the first time, and at least one.
        else {
            "clicks": dl.c.clicks + 1,
            "clicked_at": sa.func.coalesce(dl.c.clicked_at, now),
            "opens": sa.func.greatest(dl.c.opens, 1),
            "opened_at": sa.func.coalesce(dl.c.opened_at, now),
        }
    )
    d = (
        dl.update()
        .where(
            dl.c.tenant_id == sa.bindparam("tenant_id", type_=uid), dl.c.id == sa.bindparam("delivery_id", type_=uid)
        )
        .values(**counters, updated_at=now)
        .returning(dl.c.tenant_id, dl.c.id, dl.c.member_id)
        .cte("d")
    )
    ev = (
        tracking_events.insert()
        .from_select(
            ["tenant_id", "id", "delivery_id", "kind", "url", "ip", "user_agent"],
            sa.select(
                d.c.tenant_id,
                sa.bindparam("event_id", type_=uid),
                d.c.id,
                sa.literal(kind),
                sa.bindparam("url", type_=sa.Text),
                sa.bindparam("ip", type_=sa.Text),
                sa.bindparam("user_agent", type_=sa.Text),
            ),
        )
        .cte("ev")
    )
    mem = (
        advance_statement(
            step,
            [m.c.tenant_id == d.c.tenant_id, m.c.id == d.c.member_id, m.c.deleted_at.is_(None)],
            also=("opened",) if kind == CLICK else (),
        )
        .returning(m.c.tenant_id, m.c.id, m.c.campaign_id, m.c.contact_id, m.c.lead_id, m.c.status, m.c[f"{step}_at"])
        .cte("mem")
    )
    payload = sa.func.jsonb_strip_nulls(
        sa.func.jsonb_build_object(
            "campaign_id", mem.c.campaign_id, "member_id", mem.c.id, "contact_id", mem.c.contact_id,
            "lead_id", mem.c.lead_id, "step", step,
        ),
        type_=JSONB,
    )  # fmt: skip
    ob = (
        outbox.insert()
        .from_select(
            ["tenant_id", "id", "event_type", "entity", "entity_id", "payload"],
            sa.select(
                mem.c.tenant_id,
                sa.bindparam("outbox_id", type_=uid),
                sa.literal(f"campaign_member.{step}"),
                sa.literal("campaign_member"),
                mem.c.id,
                payload,
            ).where(mem.c.status == step, mem.c[f"{step}_at"] == now),
        )
        .cte("ob")
    )
    return (
        sa.select(sa.func.count().label("recorded"), sa.func.set_config("synchronous_commit", "off", True))
        .select_from(d)
        .add_cte(ev, mem, ob)
    )


_RECORD: Final = {kind: Prepared.of(_statement(kind)) for kind in STEPS}


class PgTrackingRecorder:
    """On the autocommit engine: the statement is its own transaction. It goes straight to the
    pooled driver connection (no SQLAlchemy connection around it: a third of these requests' CPU)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(
        self, kind: str, tenant_id: UUID, delivery_id: UUID, url: str | None, ip: str | None, user_agent: str | None
    ) -> None:
        statement = _RECORD[kind]
        values = {
            **statement.constants,
            "tenant_id": tenant_id,
            "delivery_id": delivery_id,
            "event_id": new_id(),
            "outbox_id": new_id(),
            "url": url,
            "ip": ip,
            "user_agent": user_agent,
        }
        fairy = await self.engine.raw_connection()
        try:
            driver = fairy.driver_connection
            assert driver is not None
            try:
                await driver.fetch(statement.sql, *(values[n] for n in statement.names))
            except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError) as error:
                if faults.connection_lost(error, driver):
                    # As faults.discard: the pool replaces it and the connections of the same server.
                    self.engine.sync_engine.pool._invalidate(fairy, error, _checkin=False)
                raise
        finally:
            # The autocommit engine resets nothing on return: no I/O, the connection goes back at once.
            fairy.close()
