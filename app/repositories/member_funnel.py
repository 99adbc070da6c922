"""Moving campaign members along their funnel in SQL (the rule: app/domain/marketing/funnel.py).

One UPDATE per call, whatever the number of members: the status moves only forward (or to a final
bounced/unsubscribed), and the step's timestamp is kept from the first time it was reached. A
member already bounced or unsubscribed is not touched at all (its history stays as it was).
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
# `= ANY(array)` rather than IN: one bound array, so the statement also runs prepared straight on
# the driver (app/repositories/prepared.py, which has no IN-list expansion), as tracking's does.
_FINAL = sa.literal(list(FINAL), sa.ARRAY(sa.Text))
_NOT_FINAL = m.c.status != sa.all_(_FINAL)


def _next_status(step: str) -> sa.ColumnElement[str]:
    """The status of a member not yet final (the only ones the UPDATE selects)."""
    if step in FINAL:
        return sa.literal(step)
    return sa.case((RANK[step] > _RANK_OF_STATUS, sa.literal(step)), else_=m.c.status)


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
    statement = advance_statement(step, where, at=at, actor=actor).returning(m.c.id, m.c.status)
    rows = (await conn.execute(statement)).all()
    return [row.id for row in rows if row.status == step]


def advance_statement(
    step: str,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    at: datetime | None = None,
    actor: UUID | None = None,
    also: Sequence[str] = (),
) -> sa.Update:
    """The UPDATE of advance_members for the members `where` selects (which may name another
    table: the tracking statement moves the member of the delivery its CTE updated). `also`:
    earlier steps the step implies, whose times are kept too (a click is also an open). A member
    whose status changed comes back with `status == step`. A bounced or unsubscribed member is
    not selected: it ends the funnel, so no later step (a late click, a conversion) is stamped on it."""
    when = sa.func.now() if at is None else sa.literal(at)
    stamp = m.c[f"{step}_at"]
    implied = [m.c[f"{s}_at"] for s in also]
    # Not final yet (a final step always changes such a member), and something to write: a new
    # status, or a time the member lacks.
    moves = [_NOT_FINAL]
    if step in FUNNEL:
        moves.append(sa.or_(stamp.is_(None), *(c.is_(None) for c in implied), RANK[step] > _RANK_OF_STATUS))
    return (
        m.update()
        .where(*where, *moves)
        .values(
            status=_next_status(step),
            **{c.name: sa.func.coalesce(c, when) for c in (stamp, *implied)},
            updated_at=sa.func.now(),
            updated_by=actor,
            version=m.c.version + 1,
        )
    )
