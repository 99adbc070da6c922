"""What campaigns brought: a campaign's funnel and attribution figures (GET /campaigns/{id}/stats)
and the same figures per channel, campaign type or lead source (GET /campaigns/analysis/channels).

- The campaign must be in the caller's campaigns read range (404 otherwise); children rolled up
  with `include_children` are those in the range too.
- Lead figures count only leads in the caller's leads read range, deal figures only deals in the
  opportunities read range (a sales rep sees their own); without the permission they are null.
- Money is never summed across currencies: won amounts and costs are lists per currency. Cost per
  lead and ROI = (won - cost) / cost are given only when the cost is in one currency and every won
  deal is in that currency (else null), and not when the cost is zero or unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.funnel import FUNNEL, STATUSES
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import NotFound, ValidationFailed
from app.domain.shared.scope import DataScope
from app.domain.surveys.questions import QuestionType, first_of

RESOURCE = "campaigns"
CENT = Decimal("0.01")
TOUCHES = ("first_touch", "last_touch")
# The longest period the channel analysis covers in one request.
MAX_PERIOD_DAYS = 3 * 366


class ChannelGrouping(StrEnum):
    CHANNEL = "channel"
    CAMPAIGN_TYPE = "campaign_type"
    SOURCE = "source"


@dataclass(slots=True)
class Raw:
    """The counts a repository takes in SQL for one group of campaigns (or one lead source)."""

    campaigns: int = 0
    members: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    reached: dict[str, int] = field(default_factory=dict)  # funnel step -> members whose <step>_at is set
    registrations: int = 0
    waitlisted: int = 0
    attended: int = 0
    # per touch ("first_touch" | "last_touch")
    leads: dict[str, int] = field(default_factory=dict)
    converted_leads: dict[str, int] = field(default_factory=dict)
    deals: dict[str, int] = field(default_factory=dict)
    won_deals: dict[str, int] = field(default_factory=dict)
    won: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # touch -> currency -> amount
    # currency -> (budget, actual cost); None: not given on any campaign of the group
    costs: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    id: UUID
    name: str
    survey_id: UUID | None


class StatsRepository(Protocol):
    async def visible(self, scope: DataScope, campaign_id: UUID) -> CampaignFacts | None: ...

    async def campaign(
        self,
        campaigns: DataScope,
        campaign_id: UUID,
        include_children: bool,
        leads: DataScope | None,
        deals: DataScope | None,
    ) -> Raw:
        """The campaign's figures (with its live children in `campaigns`, rolled up)."""
        ...

    async def by_campaign_field(
        self,
        field: str,
        campaigns: DataScope,
        start: date | None,
        end: date | None,
        leads: DataScope | None,
        deals: DataScope | None,
    ) -> dict[str | None, Raw]:
        """Figures per value of `field` (channel, campaign_type) over the campaigns in range
        starting within [start, end]."""
        ...

    async def by_source(
        self, start: date | None, end: date | None, leads: DataScope, deals: DataScope | None
    ) -> dict[str | None, Raw]:
        """Per lead source: the leads created within [start, end] (UTC days) and the deals made from them."""
        ...

    async def survey(
        self, tenant_id: UUID, campaign_id: UUID, survey_id: UUID, question_id: str | None
    ) -> dict[str, Any]:
        """{invited, responses, answered, score_sum} of the campaign's invitations to the survey."""
        ...


class SurveyLookup(Protocol):
    async def questions(self, tenant_id: UUID, survey_id: UUID) -> list[dict[str, Any]] | None: ...


def ratio(part: Decimal, whole: Decimal) -> float:
    return float((part / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def figures(raw: Raw, *, leads_visible: bool, deals_visible: bool) -> dict[str, Any]:
    """The API's figures from the counts: the funnel, touches, money per currency, cost per lead, ROI."""
    costs = sorted(raw.costs.items())
    cost_currency, cost = None, None
    actual = [(cur, c) for cur, (_, c) in costs if c is not None]
    if len(actual) == 1 and all(c is None for cur, (_, c) in costs if cur != actual[0][0]):
        cost_currency, cost = actual[0]
    out: dict[str, Any] = {
        "campaigns": raw.campaigns,
        "members": {
            "total": raw.members,
            "by_status": {s: raw.by_status.get(s, 0) for s in STATUSES},
            "reached": {s: raw.reached.get(s, 0) for s in FUNNEL},
        },
        "registrations": raw.registrations,
        "waitlisted": raw.waitlisted,
        "attended": raw.attended,
        "costs": [{"currency": cur, "budget": b, "actual_cost": c} for cur, (b, c) in costs],
        "leads": None,
        "converted_leads": None,
        "deals": None,
        "won_deals": None,
        "won": None,
        "cost_per_lead": None,
        "roi": None,
    }
    if leads_visible:
        out["leads"] = {t: raw.leads.get(t, 0) for t in TOUCHES}
        out["converted_leads"] = {t: raw.converted_leads.get(t, 0) for t in TOUCHES}
        leads = raw.leads.get("first_touch", 0)
        if cost is not None and leads:
            out["cost_per_lead"] = {"currency": cost_currency, "amount": (cost / leads).quantize(CENT, ROUND_HALF_UP)}
    if deals_visible:
        out["deals"] = {t: raw.deals.get(t, 0) for t in TOUCHES}
        out["won_deals"] = {t: raw.won_deals.get(t, 0) for t in TOUCHES}
        won = {t: raw.won.get(t, {}) for t in TOUCHES}
        out["won"] = {t: [{"currency": c, "amount": a} for c, a in sorted(won[t].items())] for t in TOUCHES}
        out["roi"] = {t: roi(won[t], cost_currency, cost) for t in TOUCHES}
    return out


def roi(won: dict[str, Decimal], currency: str | None, cost: Decimal | None) -> float | None:
    """(won - cost) / cost in the cost's currency; None when the cost is zero or unknown, or a won
    deal is in another currency (no rate is assumed between currencies)."""
    if cost is None or not cost or currency is None or set(won) - {currency}:
        return None
    return ratio(won.get(currency, Decimal(0)) - cost, cost)


class CampaignStatsService:
    def __init__(self, stats: StatsRepository, surveys: SurveyLookup) -> None:
        self.stats = stats
        self.surveys = surveys

    async def campaign(self, principal: Principal, campaign_id: UUID, *, include_children: bool) -> dict[str, Any]:
        principal.require(RESOURCE, "read")
        scope = principal.scope(RESOURCE, "read")
        found = await self.stats.visible(scope, campaign_id)
        if found is None:
            raise NotFound("no such campaign")
        leads, deals = _ranges(principal)
        raw = await self.stats.campaign(scope, campaign_id, include_children, leads, deals)
        out = {
            "campaign_id": found.id,
            "include_children": include_children,
            **figures(raw, leads_visible=leads is not None, deals_visible=deals is not None),
            "survey": await self._survey(principal.tenant_id, found),
        }
        return out

    async def channels(
        self, principal: Principal, group_by: ChannelGrouping, start: date | None, end: date | None
    ) -> dict[str, Any]:
        principal.require(RESOURCE, "read")
        if start is not None and end is not None:
            if start > end:
                raise ValidationFailed.one("from", "must not be after to")
            if (end - start).days > MAX_PERIOD_DAYS:
                raise ValidationFailed.one("to", f"the period is at most {MAX_PERIOD_DAYS} days")
        leads, deals = _ranges(principal)
        if group_by == ChannelGrouping.SOURCE:
            rows = {} if leads is None else await self.stats.by_source(start, end, leads, deals)
        else:
            scope = principal.scope(RESOURCE, "read")
            rows = await self.stats.by_campaign_field(group_by.value, scope, start, end, leads, deals)
        items = [
            {"key": key, **figures(raw, leads_visible=leads is not None, deals_visible=deals is not None)}
            for key, raw in sorted(rows.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
        ]
        return {"group_by": group_by.value, "from": start, "to": end, "items": items}

    async def _survey(self, tenant_id: UUID, found: CampaignFacts) -> dict[str, Any] | None:
        if found.survey_id is None:
            return None
        questions = await self.surveys.questions(tenant_id, found.survey_id) or []
        rating = first_of(questions, QuestionType.RATING)
        question, kind = (
            (rating, QuestionType.RATING) if rating else (first_of(questions, QuestionType.NPS), QuestionType.NPS)
        )
        counts = await self.stats.survey(tenant_id, found.id, found.survey_id, question)
        answered = counts["answered"]
        return {
            "survey_id": found.survey_id,
            "invited": counts["invited"],
            "responses": counts["responses"],
            "score_question_id": question,
            "score_scale": kind.value if question else None,
            "average_score": round(float(counts["score_sum"]) / answered, 2) if answered else None,
        }


def _ranges(principal: Principal) -> tuple[DataScope | None, DataScope | None]:
    """The caller's leads and deals read ranges (None without the permission: figures hidden)."""
    leads = scope_or_empty(principal, "leads", "read") if principal.can("leads", "read") else None
    deals = scope_or_empty(principal, "opportunities", "read") if principal.can("opportunities", "read") else None
    return leads, deals
