"""What an automation's actions do to a record (a lead or a contact), as the automation's owner.

Each action goes through the module that owns what it changes (leads and contacts: tags and owner;
activities: the task; notifications; campaign members; message templates and the mailer), with
the owner's principal: their permissions and data ranges apply, and their audit and outbox
entries are written as for any other change by that user. A refusal (outside the range, a missing
permission, a record without an e-mail address, no consent) skips the action with the reason; its
writes are undone (a savepoint) and the run goes on. Anything else propagates: the worker undoes
the whole run and retries it.

`dry=True` checks the same things and reads the same records, and changes nothing.

Send a template: the e-mail template is rendered (`rendering.render`) in the template's default
locale with the record's variables (app/domain/marketing/variables.py) and sent through the mail
adapter as one message, when the address is not suppressed and the record's latest e-mail consent
is `granted` (an automation is unsolicited mail: no consent, no message). It is sent after the
run's other actions: it is the one thing a rollback cannot undo.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.activities.service import ActivityService
from app.domain.contacts.service import ContactService
from app.domain.identity.entities import OutgoingMail
from app.domain.identity.ports import Mailer
from app.domain.leads.service import LeadService
from app.domain.marketing.automations import RecordRef, Step, read_scope
from app.domain.marketing.rendering import RenderError, content_for, render
from app.domain.marketing.template_ports import MessageTemplateRepository
from app.domain.marketing.variables import RecipientFacts, build_context
from app.domain.notifications.entities import NewNotification
from app.domain.notifications.ports import NotificationRepository
from app.domain.shared import clock
from app.domain.shared.errors import DomainError, NotFound, PermissionDenied
from app.domain.shared.ports import AuditTrail, NewEvent
from app.domain.shared.scope import DataScope


class Reachability(Protocol):
    async def email_refusal(self, tenant_id: UUID, record: RecordRef, address: str) -> str | None:
        """Why no marketing e-mail may go to `address` of the record (suppressed, no consent), or None."""
        ...


class MemberWriter(Protocol):
    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID) -> bool: ...

    async def add_member(self, tenant_id: UUID, campaign_id: UUID, record: RecordRef, actor: UUID) -> UUID | None:
        """The new member's id; None when the record is a member already."""
        ...


class Recipients(Protocol):
    """A recipient's variables, read within a range (the message templates' directory)."""

    async def contact(
        self, scope: DataScope, contact_id: UUID, *, customers_scope: DataScope
    ) -> RecipientFacts | None: ...

    async def lead(self, scope: DataScope, lead_id: UUID) -> RecipientFacts | None: ...


class _Skip(Exception):
    pass


class AutomationActions:
    def __init__(
        self,
        leads: LeadService,
        contacts: ContactService,
        activities: ActivityService,
        notifications: NotificationRepository,
        members: MemberWriter,
        templates: MessageTemplateRepository,
        recipients: Recipients,
        reachability: Reachability,
        mailer: Mailer | None,
        audit: AuditTrail,
        savepoint: Callable[[], AbstractAsyncContextManager[Any]],
    ) -> None:
        self.leads = leads
        self.contacts = contacts
        self.activities = activities
        self.notifications = notifications
        self.members = members
        self.templates = templates
        self.recipients = recipients
        self.reachability = reachability
        self.mailer = mailer
        self.audit = audit
        self.savepoint = savepoint
        self._mail: list[OutgoingMail] = []

    def _records(self, record: RecordRef) -> LeadService | ContactService:
        return self.leads if record.kind == "lead" else self.contacts

    async def run(
        self, owner: Principal, run_id: UUID, index: int, action: dict[str, Any], record: RecordRef, *, dry: bool
    ) -> Step:
        kind = action["type"]
        params = {k: v for k, v in action.items() if k != "type"}
        try:
            async with self.savepoint():
                detail = await getattr(self, f"_{kind}")(owner, run_id, index, params, record, dry)
        except (_Skip, DomainError) as refused:
            return Step(kind, "skipped", _reason(refused), params)
        return Step(kind, "would_do" if dry else "done", detail, params)

    async def flush_mail(self) -> int:
        """Send the messages the run's send_template actions prepared (after its other actions)."""
        sent = 0
        while self._mail:
            mail = self._mail.pop(0)
            if self.mailer is None:
                raise RuntimeError("no mailer configured")
            await self.mailer.send(mail)
            sent += 1
        return sent

    # -- actions ------------------------------------------------------------------------------

    async def _add_tag(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        return await self._tags(owner, record, params["tag"], add=True, dry=dry)

    async def _remove_tag(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        return await self._tags(owner, record, params["tag"], add=False, dry=dry)

    async def _tags(self, owner: Principal, record: RecordRef, tag: str, *, add: bool, dry: bool) -> str:
        service = self._records(record)
        owner.require(record.entity, "update")
        current = await service.get(owner, record.id)
        tags = list(current.tags)
        if (tag in tags) == add:
            raise _Skip(f"the {record.kind} {'already has' if add else 'has no'} tag {tag!r}")
        if dry:
            return f"would {'add' if add else 'remove'} tag {tag!r}"
        changed = [*tags, tag] if add else [t for t in tags if t != tag]
        await service.update(owner, record.id, {"tags": changed})
        return f"tag {tag!r} {'added' if add else 'removed'}"

    async def _assign_owner(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        service = self._records(record)
        user_id = UUID(params["user_id"])
        owner.require(record.entity, "assign")
        current = await service.get(owner, record.id)
        if current.owner_id == user_id:
            raise _Skip(f"the {record.kind} is already assigned to that user")
        if dry:
            return "would assign the owner"
        await service.assign(owner, record.id, user_id)
        return "owner assigned"

    async def _create_task(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        owner.require("activities", "create")
        await self._records(record).get(owner, record.id)  # within the owner's read range, or NotFound
        if dry:
            return f"would create the task {params['subject']!r}"
        values: dict[str, Any] = {"kind": "task", "subject": params["subject"], f"{record.kind}_id": record.id}
        if params.get("due_in_days") is not None:
            values["due_at"] = clock.utcnow() + timedelta(days=params["due_in_days"])
        if params.get("assignee_id"):
            values["assignee_id"] = UUID(params["assignee_id"])
        task = await self.activities.create(owner, values)
        return f"task {task.id} created"

    async def _notify_user(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        current = await self._records(record).get(owner, record.id)
        user_id = UUID(params["user_id"]) if params.get("user_id") else current.owner_id
        if user_id is None:
            raise _Skip(f"the {record.kind} has no owner to notify")
        if dry:
            return "would notify the user"
        note = NewNotification(
            owner.tenant_id, user_id, "automation", params["message"], record.kind, record.id,
            dedupe_key=f"automation-run:{run_id}:{index}",
        )  # fmt: skip
        await self.notifications.add(note)
        return "user notified"

    async def _add_to_campaign(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        campaign_id = UUID(params["campaign_id"])
        if not await self.members.campaign_in_scope(owner.scope("campaigns", "update"), campaign_id):
            raise NotFound("the campaign is gone or outside the owner's campaigns range")
        await self._records(record).get(owner, record.id)
        if dry:
            return "would add the record to the campaign"
        member_id = await self.members.add_member(owner.tenant_id, campaign_id, record, owner.user_id)
        if member_id is None:
            raise _Skip(f"the {record.kind} is a member of the campaign already")
        payload = {"campaign_id": campaign_id, "member_id": member_id, f"{record.kind}_id": record.id,
                   "source": "automation"}  # fmt: skip
        await self.audit.record(
            owner, "campaign_member.added", "campaigns", campaign_id,
            {"member_id": {"before": None, "after": member_id}},
            events=[NewEvent("campaign_member.added", "campaign_member", member_id, payload)],
        )  # fmt: skip
        return f"member {member_id} added"

    async def _send_template(
        self, owner: Principal, run_id: UUID, index: int, params: dict[str, Any], record: RecordRef, dry: bool
    ) -> str:
        owner.require("message_templates", "read")
        template = await self.templates.get(owner.tenant_id, UUID(params["template_id"]))
        if template is None or template.channel != "email":
            raise NotFound("the e-mail template is gone")
        recipient = await self._recipient(owner, record)
        if not recipient.email:
            raise _Skip(f"the {record.kind} has no e-mail address")
        refusal = await self.reachability.email_refusal(owner.tenant_id, record, recipient.email)
        if refusal is not None:
            raise _Skip(refusal)
        locale, content = content_for(template.content, template.default_locale)
        try:
            message = render(content, build_context(recipient, locale=locale))
        except RenderError as error:
            raise _Skip(f"the template cannot be rendered: {error}") from error
        if dry:
            return f"would e-mail {recipient.email} ({locale})"
        self._mail.append(
            OutgoingMail(recipient.email, recipient.name, message.subject or "", message.text, message.html or "")
        )
        return f"e-mail to {recipient.email} ({locale})"

    async def _recipient(self, owner: Principal, record: RecordRef) -> RecipientFacts:
        scope = read_scope(owner, record.entity)
        if record.kind == "lead":
            found = await self.recipients.lead(scope, record.id)
        else:
            found = await self.recipients.contact(scope, record.id, customers_scope=read_scope(owner, "customers"))
        if found is None:
            raise NotFound(f"no such {record.kind}")
        return found


def _reason(refused: Exception) -> str:
    if isinstance(refused, PermissionDenied):
        return f"the automation's owner may not: {refused}"
    if isinstance(refused, NotFound):
        return f"outside the automation owner's reach: {refused}"
    return str(refused) or type(refused).__name__
