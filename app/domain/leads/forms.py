"""Public lead forms: a tenant's web forms post leads to /api/v1/public/lead-forms/{form_key}
with nothing but the key. Each form names the fields a submission may set; the key is a random
secret-looking token, but a form is public by nature, so it grants nothing else."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.attribution import NOT_LIVE, CampaignDirectory
from app.domain.shared.configured import ConfiguredRecords, ConfiguredRepository
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.ports import AuditTrail

RESOURCE = "leads"
# What a form may let the public set. Owner, status, score and the like are never among them.
SUBMITTABLE = frozenset({"name", "company", "title", "phone", "email", "description", "region_id", "custom_fields"})


@dataclass(slots=True)
class LeadForm:
    id: UUID
    name: str
    form_key: str
    fields: list[str]
    campaign_id: UUID | None
    tags: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


def check_fields(fields: list[str]) -> list[str]:
    if "name" not in fields:
        raise ValidationFailed.one("fields", "a form must let the visitor give a name")
    for index, field in enumerate(fields):
        if field not in SUBMITTABLE:
            raise ValidationFailed.one(f"fields.{index}", f"must be one of {', '.join(sorted(SUBMITTABLE))}")
    return list(dict.fromkeys(fields))


class LeadFormService(ConfiguredRecords[LeadForm]):
    resource = RESOURCE
    entity = "lead_form"
    read_action = "manage"  # the keys are for the tenant's web pages, not for every reader

    def __init__(self, records: ConfiguredRepository[LeadForm], audit: AuditTrail, campaigns: CampaignDirectory):
        super().__init__(records, audit)
        self.campaigns = campaigns

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: LeadForm | None) -> None:
        campaign: UUID | None = values.get("campaign_id")
        if campaign is not None and (current is None or campaign != current.campaign_id):
            live = await self.campaigns.live(principal.tenant_id, {campaign})
            if campaign not in live:
                raise ValidationFailed.one("campaign_id", NOT_LIVE)
        if "fields" in values:
            values["fields"] = check_fields(values["fields"])
        if current is None:
            values["form_key"] = "lf_" + secrets.token_urlsafe(18)
