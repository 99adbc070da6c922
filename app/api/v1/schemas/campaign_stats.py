from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.common import RequestModel


class TouchCounts(BaseModel):
    first_touch: int = Field(description="Records whose first touch (campaign_id) is the campaign.")
    last_touch: int = Field(description="Records whose last touch (last_campaign_id) is the campaign.")


class Money(BaseModel):
    currency: str
    amount: Decimal


class TouchMoney(BaseModel):
    first_touch: list[Money]
    last_touch: list[Money]


class TouchRatio(BaseModel):
    first_touch: float | None
    last_touch: float | None


class CampaignCost(BaseModel):
    currency: str
    budget: Decimal | None
    actual_cost: Decimal | None


class MemberFunnel(BaseModel):
    total: int
    by_status: dict[str, int] = Field(description="Members per current status (every status, zeros included).")
    reached: dict[str, int] = Field(
        description="Per funnel step (targeted ... converted): members who ever reached it (its time is set)."
    )


class Figures(BaseModel):
    campaigns: int = Field(description="Campaigns counted (the campaign, with its children when rolled up).")
    members: MemberFunnel
    registrations: int = Field(description="Members holding a registration (not waitlisted, not cancelled).")
    waitlisted: int
    attended: int = Field(description="Members checked in.")
    costs: list[CampaignCost] = Field(description="Budget and actual cost per currency.")
    leads: TouchCounts | None = Field(description="Leads in your leads range; null without leads:read.")
    converted_leads: TouchCounts | None
    deals: TouchCounts | None = Field(description="Deals in your deals range; null without opportunities:read.")
    won_deals: TouchCounts | None
    won: TouchMoney | None = Field(description="Won amount per currency (never summed across currencies).")
    cost_per_lead: Money | None = Field(
        description="Actual cost / first-touch leads; null without leads, or with costs in several currencies."
    )
    roi: TouchRatio | None = Field(
        description="(won - cost) / cost in the cost's currency; null when the cost is zero or unknown, in "
        "several currencies, or a won deal is in another currency."
    )


class CampaignSurveySummary(BaseModel):
    survey_id: UUID
    invited: int
    responses: int
    score_question_id: str | None = Field(description="The survey's first rating question (else its first NPS one).")
    score_scale: Literal["rating", "nps"] | None
    average_score: float | None


class CampaignStatsOut(Figures):
    campaign_id: UUID
    include_children: bool
    survey: CampaignSurveySummary | None = Field(description="The event's satisfaction survey, once sent.")


class ChannelRow(Figures):
    key: str | None = Field(description="The channel, campaign type or lead source; null: none set.")


class ChannelAnalysisOut(BaseModel):
    group_by: Literal["channel", "campaign_type", "source"]
    from_: date | None = Field(alias="from")
    to: date | None
    items: list[ChannelRow]


class SurveySendBody(RequestModel):
    survey_id: UUID


class SurveySent(BaseModel):
    campaign_id: UUID
    survey_id: UUID
    attendees: int = Field(description="Members checked in.")
    invited: int = Field(description="Invitations made now.")
    already_invited: int = Field(description="Attending contacts invited to this survey before.")
    skipped_leads: int = Field(description="Attending leads: no contact to invite.")
    skipped_out_of_range: int = Field(description="Attending contacts outside your contacts range.")
