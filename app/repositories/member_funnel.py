"""Moving campaign members along their funnel in SQL (the rule: app/domain/marketing/funnel.py).

One UPDATE per call, whatever the number of members: the status moves only forward (or to a final
bounced/unsubscribed), and the step's timestamp is kept from the first time it was reached.
Returns the ids of the members whose status changed (their `campaign_member.<step>` events).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.funnel import FINAL, FUNNEL, RANK, STATUSES
from app.repositories.tables import campaign_members as m

_RANK_OF_STATUS = sa.case({s: RANK[s] for s in FUNNEL}, value=m.c.status, else_=-1)


def _next_status(step: str) -> sa.ColumnElement[str]:
    if step in FINAL:
        return sa.case((m.c.status.in_(FINAL), m.c.status), else_=sa.literal(step))
    return sa.case(
        (m.c.status.in_(FINAL), m.c.status),
        (RANK[step] > _RANK_OF_STATUS, sa.literal(step)),
        else_=m.c.status,
    )


async def advance_members(
    conn: AsyncConnection,
    tenant_id: UUID,
    step: str,
    *,
    member_ids: Sequence[UUID] | None = None,
    campaign_id: UUID | None = None,
    contact_id: UUID | None = None,
    lead_id: UUID | None = None,
    at: datetime | None = None,
    actor: UUID | None = None,
) -> list[UUID]:
    """Move the members chosen by ids, or by campaign and contact/lead (either may be omitted to
    mean "every campaign" / "every member of the campaign"), to `step`."""
    if step not in STATUSES:
        raise ValueError(f"unknown member status {step!r}")
    where = [m.c.tenant_id == tenant_id, m.c.deleted_at.is_(None)]
    if member_ids is not None:
        where.append(m.c.id == sa.any_(sa.literal(list(member_ids), sa.ARRAY(sa.Uuid))))
    if campaign_id is not None:
        where.append(m.c.campaign_id == campaign_id)
    if contact_id is not None:
        where.append(m.c.contact_id == contact_id)
    if lead_id is not None:
        where.append(m.c.lead_id == lead_id)
    if len(where) == 2:
        raise ValueError("advance_members needs a selection")
    when = sa.func.now() if at is None else sa.literal(at)
    stamp = m.c[f"{step}_at"]
    if step in FUNNEL:
        changed = sa.and_(m.c.status.not_in(FINAL), RANK[step] > _RANK_OF_STATUS)
    else:
        changed = m.c.status.not_in(FINAL)
    statement = (
        m.update()
        .where(*where, sa.or_(stamp.is_(None), changed))
        .values(
            status=_next_status(step),
            **{stamp.name: sa.func.coalesce(stamp, when)},
            updated_at=sa.func.now(),
            updated_by=actor,
            version=m.c.version + 1,
        )
        .returning(m.c.id, m.c.status)
    )
    rows = (await conn.execute(statement)).all()
    return [row.id for row in rows if row.status == step]
