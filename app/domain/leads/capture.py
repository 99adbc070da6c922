"""Leads from the tenant's public web forms: POST /api/v1/public/lead-forms/{form_key}.

The caller is anonymous: the form key is all it holds and all it can reach. A submission may set
only the fields its form allows; a filled honeypot field (invisible to people, tempting to bots)
is accepted and dropped; each client address gets a few submissions per form and window. The
answer never says whether the person was already known."""

from __future__ import annotations

from typing import Any

from app.domain.leads.ports import LeadFormGate
from app.domain.leads.service import LeadService
from app.domain.shared.errors import NotFound, TooManyRequests, ValidationFailed

HONEYPOT = "website"
SUBMISSIONS_PER_WINDOW = 5
WINDOW_SECONDS = 600


class LeadCapture:
    def __init__(self, forms: LeadFormGate, leads: LeadService) -> None:
        self.forms = forms
        self.leads = leads

    async def submit(self, form_key: str, submission: dict[str, Any], address: str) -> None:
        # The form and the address's hit on it come in one step: a public post is hot.
        entry = await self.forms.enter(form_key, address, SUBMISSIONS_PER_WINDOW, WINDOW_SECONDS)
        if entry is None:
            raise NotFound("no such form")
        tenant_id, form, retry = entry
        if retry is not None:
            raise TooManyRequests("too many submissions from this address; try again later", retry_after=retry)
        if submission.pop(HONEYPOT, None):
            return
        for field in submission:
            if field not in form.fields:
                raise ValidationFailed.one(field, "this form does not take this field")
        values = {
            **submission,
            "source": "web_form",
            "campaign_id": form.campaign_id,
            "tags": list(form.tags),
        }
        await self.leads.capture(tenant_id, values, origin={"lead_form": str(form.id), "address": address})
