"""Lead analysis (`GET /analytics/leads`): the leads created in a window, per source, channel,
campaign or owner: how many, how many converted (and the rate), the average and median time to
convert, the revenue won by the deals they converted into (per currency), and per bucket of the
window how many came and converted.

Campaign and channel follow Step 6 attribution (app/domain/marketing/attribution.py): the lead's
last touch by default, its first touch with `touch=first`; the channel is that campaign's.
Leads are counted within the caller's leads read range; the won revenue also only from deals within
their opportunities read range (none without opportunities:read), so a figure never shows a deal
the caller cannot open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.analytics.parts import days, drill, instants_query, local_today, money, rate, window_echo, zero_filled
from app.domain.analytics.window import Window
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.scope import DataScope


class LeadDimension(StrEnum):
    SOURCE = "source"
    CHANNEL = "channel"
    CAMPAIGN = "campaign"
    OWNER = "owner"


class Touch(StrEnum):
    FIRST = "first"
    LAST = "last"


@dataclass(slots=True)
class LeadGroup:
    """The figures of one key (or of all, key None and `total` set), as the repository sums them."""

    leads: int = 0
    converted: int = 0
    avg_days: float | None = None
    median_days: float | None = None
    won_count: int = 0
    won: dict[str, Decimal] = field(default_factory=dict)  # per currency
    buckets: dict[date, dict[str, int]] = field(default_factory=dict)  # bucket -> leads, converted


@dataclass(slots=True)
class LeadFigures:
    groups: dict[str | None, LeadGroup]
    total: LeadGroup
    labels: dict[str, str]  # owner and campaign names


class LeadAnalysisRepository(Protocol):
    async def time_zone(self, tenant_id: UUID) -> str: ...

    async def lead_figures(
        self,
        leads: DataScope,
        deals: DataScope | None,
        window: Window,
        time_zone: str,
        by: LeadDimension,
        touch: Touch,
    ) -> LeadFigures:
        """Figures of the live leads created in the window within `leads`, grouped by `by`; won
        revenue from the live deals they converted into, in a won stage, within `deals` (none when
        None)."""
        ...


def parse_dimension(raw: str) -> LeadDimension:
    try:
        return LeadDimension(raw)
    except ValueError:
        raise ValidationFailed.one("by", f"must be one of: {', '.join(LeadDimension)}") from None


class LeadAnalysisService:
    def __init__(self, repo: LeadAnalysisRepository) -> None:
        self.repo = repo

    async def analyse(
        self,
        principal: Principal,
        start: date | None,
        to: date | None,
        grain: str | None,
        by: str,
        touch: Touch,
        now: datetime,
    ) -> dict[str, Any]:
        scope = principal.scope("leads", "read")
        dimension = parse_dimension(by)
        deals = principal.scope("opportunities", "read") if principal.can("opportunities", "read") else None
        time_zone = await self.repo.time_zone(principal.tenant_id)
        window = Window.parse(start, to, grain, today=local_today(now, time_zone))
        figures = await self.repo.lead_figures(scope, deals, window, time_zone, dimension, touch)
        base = instants_query(window, time_zone, "created_from", "created_to")

        def shaped(group: LeadGroup, query: dict[str, Any] | None) -> dict[str, Any]:
            return {
                "leads": group.leads,
                "converted": group.converted,
                "conversion_rate": rate(group.converted, group.leads),
                "avg_days_to_convert": days(group.avg_days),
                "median_days_to_convert": days(group.median_days),
                "won_deals": group.won_count,
                "won_revenue": money(group.won),
                "series": zero_filled(window, group.buckets, {"leads": 0, "converted": 0}),
                "drill": None if query is None else drill("/api/v1/leads", {**base, **query}),
                "converted_drill": None
                if query is None
                else drill("/api/v1/leads", {**base, **query, "status": "converted"}),
            }

        rows = []
        for key in sorted(figures.groups, key=lambda k: (k is None, -figures.groups[k].leads, k or "")):
            query = _drill_query(dimension, touch, key)
            rows.append(
                {"key": key, "label": _label(dimension, key, figures.labels), **shaped(figures.groups[key], query)}
            )
        return {
            "window": window_echo(window, time_zone),
            "by": dimension.value,
            "touch": touch.value,
            "rows": rows,
            "total": shaped(figures.total, {}),
        }


def _label(dimension: LeadDimension, key: str | None, labels: dict[str, str]) -> str | None:
    if key is None:
        return None
    if dimension in (LeadDimension.OWNER, LeadDimension.CAMPAIGN):
        return labels.get(key, key)
    return key  # source and channel are codes the client translates


def _drill_query(dimension: LeadDimension, touch: Touch, key: str | None) -> dict[str, Any] | None:
    """The leads list's own filters for a row; None where the list has no filter for it (leads
    without a campaign or channel)."""
    if dimension is LeadDimension.SOURCE:
        return {"source": key}
    if dimension is LeadDimension.OWNER:
        return {"owner": key or "none"}
    if key is None:
        return None
    if dimension is LeadDimension.CAMPAIGN:
        return {"campaign" if touch is Touch.FIRST else "last_campaign": key}
    return {"channel" if touch is Touch.FIRST else "last_channel": key}
