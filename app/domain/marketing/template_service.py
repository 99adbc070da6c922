"""Message-template use cases. Not a ranged resource: whoever holds message_templates:read reads
every template of the tenant; writes need message_templates:create / update / delete. Every write
is audited and published to the outbox as `message_template.<event>` in the same transaction.

A preview renders a template (saved, or as the editor holds it) for one contact or lead exactly as
a send would: the recipient, its customer and owner, and the campaign are read within the caller's
ranges (contacts / leads / campaigns: read); outside them they do not exist (404). Without a
record the preview uses sample values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.auth.principal import Principal
from app.domain.marketing.rendering import RenderedMessage, RenderError, content_for, render
from app.domain.marketing.template_ports import MessageTemplateRepository, RecipientDirectory
from app.domain.marketing.templates import (
    Channel,
    MessageTemplate,
    SmsLength,
    TemplateQuery,
    TemplateSummary,
    check_content,
    computed,
    fields_for_audit,
    sms_length,
    variables_of,
)
from app.domain.marketing.variables import SAMPLE, CampaignFacts, Links, RecipientFacts, build_context
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, NewEvent, diff

RESOURCE = "message_templates"
ENTITY = "message_template"


@dataclass(frozen=True, slots=True)
class PreviewRequest:
    contact_id: UUID | None = None
    lead_id: UUID | None = None
    campaign_id: UUID | None = None
    locale: str | None = None
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Preview:
    channel: str
    locale: str  # the one rendered: the template's default when it lacks the one asked
    message: RenderedMessage
    sms_length: SmsLength | None
    # Variables the template uses that have no value for this record (they print nothing).
    missing: list[str]
    sample: bool  # no record chosen: sample values


def _has(context: dict[str, dict[str, Any]], path: str) -> bool:
    root, _, name = path.partition(".")
    return root in context and (not name or name in context[root])


class MessageTemplateService:
    def __init__(
        self,
        templates: MessageTemplateRepository,
        directory: RecipientDirectory,
        audit: AuditTrail,
        *,
        public_url: str,
    ) -> None:
        self.templates = templates
        self.directory = directory
        self.audit = audit
        self.public_url = public_url

    # -- reads -----------------------------------------------------------------------------

    async def list_page(self, principal: Principal, query: TemplateQuery) -> Page[TemplateSummary]:
        principal.require(RESOURCE, "read")
        return await self.templates.list_page(principal.tenant_id, query)

    async def get(self, principal: Principal, template_id: UUID) -> MessageTemplate:
        principal.require(RESOURCE, "read")
        found = await self.templates.get(principal.tenant_id, template_id)
        if found is None:
            raise NotFound("no such message template")
        return computed(found)

    # -- writes ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any]) -> MessageTemplate:
        principal.require(RESOURCE, "create")
        values["content"], values["default_locale"] = check_content(
            values["channel"], values["content"], values.get("default_locale")
        )
        template = await self.templates.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "created", template, diff(None, fields_for_audit(template)))
        return computed(template)

    async def update(
        self, principal: Principal, template_id: UUID, changes: dict[str, Any], *, expected_version: int | None
    ) -> MessageTemplate:
        """Change name, description, default locale or content (the channel stays: an SMS is
        not an e-mail). The content replaces the whole content when given."""
        principal.require(RESOURCE, "update")
        current = await self.templates.get(principal.tenant_id, template_id, for_update=True)
        if current is None:
            raise NotFound("no such message template")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the template is at version {current.version}, not {expected_version}")
        if "content" in changes or "default_locale" in changes:
            changes["content"], changes["default_locale"] = check_content(
                current.channel,
                changes.get("content", current.content),
                changes.get("default_locale", current.default_locale),
            )
        changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changed:
            return computed(current)
        updated = await self.templates.update(principal.tenant_id, template_id, principal.user_id, changed)
        await self._record(principal, "updated", updated, diff(fields_for_audit(current), fields_for_audit(updated)))
        return computed(updated)

    async def delete(self, principal: Principal, template_id: UUID) -> None:
        principal.require(RESOURCE, "delete")
        gone = await self.templates.set_deleted(principal.tenant_id, template_id, principal.user_id, deleted=True)
        if gone is None:
            raise NotFound("no such message template")
        await self._record(principal, "deleted", gone, {"deleted": {"before": False, "after": True}})

    async def restore(self, principal: Principal, template_id: UUID) -> MessageTemplate:
        principal.require(RESOURCE, "delete")
        back = await self.templates.set_deleted(principal.tenant_id, template_id, principal.user_id, deleted=False)
        if back is None:
            raise NotFound("no deleted message template with this id")
        await self._record(principal, "restored", back, {"deleted": {"before": True, "after": False}})
        return computed(back)

    # -- previews --------------------------------------------------------------------------

    async def preview(self, principal: Principal, template_id: UUID, request: PreviewRequest) -> Preview:
        """A saved template rendered for the chosen record."""
        template = await self.get(principal, template_id)
        return await self._preview(principal, template.channel, template.content, template.default_locale, request)

    async def preview_unsaved(
        self,
        principal: Principal,
        channel: str,
        content: dict[str, dict[str, str | None]],
        default_locale: str | None,
        request: PreviewRequest,
    ) -> Preview:
        """The editor's content, checked as a save would check it, rendered for the chosen record."""
        principal.require(RESOURCE, "read")
        cleaned, default = check_content(channel, content, default_locale)
        return await self._preview(principal, channel, cleaned, default, request)

    async def _preview(
        self,
        principal: Principal,
        channel: str,
        content: dict[str, dict[str, str]],
        default_locale: str,
        request: PreviewRequest,
    ) -> Preview:
        try:
            ZoneInfo(request.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed.one("timezone", "is not an IANA time zone (such as Asia/Shanghai)")
        recipient = await self._recipient(principal, request)
        campaign = await self._campaign(principal, request.campaign_id)
        locale = request.locale or default_locale
        if recipient is None and campaign is None:
            context: dict[str, dict[str, Any]] = {k: dict(v) for k, v in SAMPLE.items()}
        else:
            context = build_context(
                recipient, campaign, self._preview_links(), locale=locale, timezone=request.timezone
            )
        chosen, parts = content_for(content, default_locale, request.locale)
        try:
            message = render(parts, context)
        except RenderError as error:  # a value the checks could not foresee (a filter's argument)
            raise ValidationFailed.one(f"content.{chosen}.{error.part}", error.message)
        missing = [v for v in variables_of({chosen: content[chosen]}) if not _has(context, v)]
        length = sms_length(message.text) if channel == Channel.SMS else None
        return Preview(channel, chosen, message, length, missing, sample=recipient is None and campaign is None)

    async def _recipient(self, principal: Principal, request: PreviewRequest) -> RecipientFacts | None:
        if request.contact_id is not None and request.lead_id is not None:
            raise ValidationFailed.one("lead_id", "choose a contact or a lead, not both")
        if request.contact_id is not None:
            found = await self.directory.contact(
                scope_or_empty(principal, "contacts", "read"),
                request.contact_id,
                customers_scope=scope_or_empty(principal, "customers", "read"),
            )
            if found is None:
                raise NotFound("no such contact")
            return found
        if request.lead_id is not None:
            found = await self.directory.lead(scope_or_empty(principal, "leads", "read"), request.lead_id)
            if found is None:
                raise NotFound("no such lead")
            return found
        return None

    async def _campaign(self, principal: Principal, campaign_id: UUID | None) -> CampaignFacts | None:
        if campaign_id is None:
            return None
        scope = scope_or_empty(principal, "campaigns", "read")
        found = await self.directory.campaign(scope, campaign_id, self.public_url)
        if found is None:
            raise NotFound("no such campaign")
        return found

    def _preview_links(self) -> Links:
        """A preview has no delivery, so no unsubscribe token of its own: the link shows where
        it goes, marked as a preview."""
        base = self.public_url.rstrip("/")
        return Links(unsubscribe=f"{base}/unsubscribe/preview", view_in_browser=f"{base}/messages/preview")

    # -- helpers ---------------------------------------------------------------------------

    async def _record(
        self, principal: Principal, event: str, template: MessageTemplate, changes: dict[str, Any]
    ) -> None:
        name = f"{ENTITY}.{event}"
        payload: dict[str, Any] = {"id": template.id, "name": template.name, "channel": template.channel}
        if event != "created":
            payload["changes"] = changes
        await self.audit.record(
            principal, name, RESOURCE, template.id, changes, events=[NewEvent(name, ENTITY, template.id, payload)]
        )
