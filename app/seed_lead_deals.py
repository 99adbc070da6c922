"""Demo: the deals that converted leads became. The demo's converted leads point at customers of
the book, whose deals the sales seed made; each such lead gets one of its customer's deals (a won
one first) as the deal it converted into, so lead analysis shows revenue won per source."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

LINK = sa.text("""
WITH picked AS (
    SELECT DISTINCT ON (o.customer_id) o.id, o.customer_id
    FROM opportunities o JOIN pipeline_stages s ON s.tenant_id = o.tenant_id AND s.id = o.stage_id
    WHERE o.tenant_id = :tenant AND o.deleted_at IS NULL AND o.source_lead_id IS NULL
    ORDER BY o.customer_id, (s.kind = 'won') DESC, o.created_at
), pairs AS (  -- one lead per deal: a deal came from one lead
    SELECT DISTINCT ON (p.id) l.id AS lead_id, p.id AS deal_id
    FROM leads l JOIN picked p ON l.converted_customer_id = p.customer_id
    WHERE l.tenant_id = :tenant AND l.converted_opportunity_id IS NULL AND l.deleted_at IS NULL
    ORDER BY p.id, l.converted_at
), linked AS (
    UPDATE leads l SET converted_opportunity_id = pairs.deal_id
    FROM pairs WHERE l.tenant_id = :tenant AND l.id = pairs.lead_id
    RETURNING l.id, pairs.deal_id
)
UPDATE opportunities o SET source_lead_id = linked.id
FROM linked WHERE o.tenant_id = :tenant AND o.id = linked.deal_id
""")


async def link_demo_lead_deals(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    found = await conn.execute(
        sa.text("SELECT 1 FROM leads WHERE tenant_id = :tenant AND converted_opportunity_id IS NOT NULL LIMIT 1"),
        {"tenant": tenant_id},
    )
    if found.first() is not None:
        return False
    await conn.execute(LINK, {"tenant": tenant_id})
    return True
