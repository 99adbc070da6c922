# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The demo tenant's saved reports (issue 15): the analyst's, shared with the sales and service
roles, so /reports shows something real on `make run`. Definitions are checked like any saved one
(parsed against the declared fields) before they are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.reports import catalogue, parse_report
from app.domain.shared.ids import new_id
from app.repositories.tables import reports, users

ANALYST = "analyst@demo.example.com"
# (name, chart, shared with, definition)
REPORTS: list[tuple[str, str, list[str], dict[str, Any]]] = [
    ("商机金额：负责人 × 月份 Deal amount by owner and month", "bar", ["sales_director", "sales_manager"],
     {"entity": "deals", "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}],
      "groupings": [{"field": "owner"}, {"field": "created_at", "grain": "month"}]}),
    ("客户：等级 × 状态 Customers by level and status", "table", ["sales_director", "sales_manager", "sales_rep"],
     {"entity": "customers", "measures": [{"fn": "count"}], "groupings": [{"field": "level"}, {"field": "status"}]}),
    ("工单：优先级 Tickets by priority", "pie", ["service_manager", "service_agent"],
     {"entity": "tickets", "measures": [{"fn": "count"}, {"fn": "avg", "field": "reopen_count"}],
      "groupings": [{"field": "priority"}]}),
    ("线索：来源 × 季度 Leads by source and quarter", "line", [],
     {"entity": "leads", "measures": [{"fn": "count"}, {"fn": "avg", "field": "score"}],
      "groupings": [{"field": "created_at", "grain": "quarter"}, {"field": "source"}]}),
]  # fmt: skip


async def seed_demo_reports(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> None:
    analyst = (
        await conn.execute(sa.select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.email == ANALYST))
    ).scalar()
    if analyst is None:
        return
    rows = []
    for name, chart, shared, raw in REPORTS:
        report = parse_report(raw, catalogue(raw["entity"]), today=today.date())
        rows.append({
            "tenant_id": tenant_id, "id": new_id(), "name": name, "entity": report.entity.name,
            "definition": report.definition(), "chart": chart, "owner_id": analyst, "shared_roles": shared,
            "created_by": analyst, "updated_by": analyst,
        })  # fmt: skip
    await conn.execute(reports.insert(), rows)
