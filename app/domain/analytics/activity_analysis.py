"""Activity analysis (`GET /analytics/activities`): the activities done in a window (calls,
visits, meetings, tasks... by when they happened: a task's due time, an appointment's start), per
rep or per type, per bucket, and a weekday x hour heat map in the tenant's time zone. Within the
caller's activities read range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.analytics.parts import drill, instants_query, local_today, window_echo, zero_filled
from app.domain.analytics.window import Window
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.scope import DataScope


class ActivityDimension(StrEnum):
    OWNER = "owner"
    TYPE = "type"


@dataclass(slots=True)
class ActivityGroup:
    done: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # by owner: per kind
    buckets: dict[date, int] = field(default_factory=dict)


@dataclass(slots=True)
class ActivityFigures:
    groups: dict[str, ActivityGroup]
    heat: dict[tuple[int, int], int]  # (ISO weekday 1-7, local hour 0-23) -> done
    labels: dict[str, str]
    source: str  # "rollups" or "activities": what was read (the benchmark's note)


class ActivityAnalysisRepository(Protocol):
    async def time_zone(self, tenant_id: UUID) -> str: ...

    async def activity_figures(
        self, scope: DataScope, window: Window, time_zone: str, by: ActivityDimension
    ) -> ActivityFigures:
        """Live done activities within `scope` that happened in the window, per owner (with each
        kind) or per kind, per bucket; and the heat map."""
        ...


class ActivityAnalysisService:
    def __init__(self, repo: ActivityAnalysisRepository) -> None:
        self.repo = repo

    async def analyse(
        self, principal: Principal, start: date | None, to: date | None, grain: str | None, by: str, now: datetime
    ) -> dict[str, Any]:
        scope = principal.scope("activities", "read")
        try:
            dimension = ActivityDimension(by)
        except ValueError:
            raise ValidationFailed.one("by", f"must be one of: {', '.join(ActivityDimension)}") from None
        time_zone = await self.repo.time_zone(principal.tenant_id)
        window = Window.parse(start, to, grain, today=local_today(now, time_zone))
        figures = await self.repo.activity_figures(scope, window, time_zone, dimension)
        base = {**instants_query(window, time_zone, "occurred_from", "occurred_to"), "status": "done"}
        rows = []
        for key in sorted(figures.groups, key=lambda k: (-figures.groups[k].done, k)):
            group = figures.groups[key]
            query = {**base, ("owner" if dimension is ActivityDimension.OWNER else "kind"): key}
            row: dict[str, Any] = {
                "key": key,
                "label": figures.labels.get(key, key),
                "done": group.done,
                "series": zero_filled(window, {at: {"done": n} for at, n in group.buckets.items()}, {"done": 0}),
                "drill": drill("/api/v1/activities", query),
            }
            if dimension is ActivityDimension.OWNER:
                # A kind's records are the row's drill-down with `kind` added: not repeated per kind
                # (a hundred reps' drill-downs per kind were most of a 200 kB answer).
                row["kinds"] = [{"kind": kind, "done": n} for kind, n in sorted(group.kinds.items())]
            rows.append(row)
        heat = [
            {"weekday": weekday, "hour": hour, "done": figures.heat.get((weekday, hour), 0)}
            for weekday in range(1, 8)
            for hour in range(24)
        ]
        return {
            "window": window_echo(window, time_zone),
            "by": dimension.value,
            "rows": rows,
            "total": sum(g.done for g in figures.groups.values()),
            "heat_map": heat,
            "drill": drill("/api/v1/activities", base),
        }
