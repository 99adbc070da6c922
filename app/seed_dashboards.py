"""The demo's shared dashboards (issue 15): the sales director's weekly board for the sales team,
the service manager's for the agents; each shows every viewer their own range's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.ids import new_id
from app.repositories.tables import dashboards, users


def _item(widget: str, x: int, y: int, w: int, h: int) -> dict[str, Any]:
    return {"widget": widget, "x": x, "y": y, "w": w, "h": h, "options": {}}


BOARDS = [
    (
        "director@demo.example.com",
        "销售周会 Sales weekly",
        ["sales_manager", "sales_rep"],
        [
            _item("pipeline_by_stage", 0, 0, 8, 4),
            _item("attainment", 8, 0, 4, 2),
            _item("closing_this_month", 8, 2, 4, 2),
            _item("per_rep", 0, 4, 12, 4),
        ],
    ),
    (
        "service.manager@demo.example.com",
        "客服看板 Service desk",
        ["service_agent"],
        [_item("ticket_queue", 0, 0, 6, 2), _item("sla_warnings", 6, 0, 6, 2), _item("csat", 0, 2, 6, 2)],
    ),
]


async def seed_demo_dashboards(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> None:
    for email, name, roles, layout in BOARDS:
        owner = (
            await conn.execute(sa.select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.email == email))
        ).scalar()
        if owner is None:
            continue
        await conn.execute(
            dashboards.insert().values(
                tenant_id=tenant_id, id=new_id(), name=name, layout=layout, shared_roles=roles, owner_id=owner,
                created_by=owner, updated_by=owner,
            )
        )  # fmt: skip
