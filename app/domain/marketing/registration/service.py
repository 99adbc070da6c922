"""Registration use cases. Staff (the campaign in their `campaigns` range): the settings, cancel a
registration, check in. The public (a campaign's public key, or a signed cancel link): the page,
register, cancel.

Capacity: every seat decision of a campaign (register, cancel and promote, capacity raised) runs
under one transaction-scoped lock of that campaign (its seat counter row), taken as late as
possible (after the person is found or made; a new member's registration takes it in the
statement that decides the seat and inserts the member), so two concurrent registrations never
take the same last seat and the lock is held from there to the commit only. A registration past
the campaign's or its session's capacity is waitlisted; a freed seat goes to the session's first
waitlisted member in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.identity.ports import Mailer
from app.domain.leads.entities import LeadSource
from app.domain.leads.ports import DuplicateFinder
from app.domain.leads.service import LeadService
from app.domain.marketing import links
from app.domain.marketing.consent import ConsentRecorder, Subject
from app.domain.marketing.links import LinkSigner, LinkTarget
from app.domain.marketing.registration import mail as mails
from app.domain.marketing.registration.entities import (
    CANCELLED,
    REGISTERED,
    WAITLISTED,
    Cancelled,
    CheckIn,
    EventCampaign,
    EventSession,
    Member,
    Registered,
    Tally,
)
from app.domain.marketing.registration.ports import LastTouch, RegistrationRepository
from app.domain.marketing.registration.rules import (
    check_form,
    check_submission,
    clean_code,
    new_checkin_code,
    new_public_key,
    say,
    text_in,
)
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import Conflict, NotFound, PreconditionFailed, TooManyRequests
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.ports import AuditTrail, NewEvent, RateLimiter

RESOURCE = "campaigns"
ENTITY = "campaign_member"
AUDITED = "campaign_members"
HONEYPOT = "website"
# A few people may register from one address (colleagues behind one office gateway), no more.
REGISTRATIONS_PER_WINDOW = 20
WINDOW_SECONDS = 600
# The worker mails the registrant (app/worker.py): {member_id, kind}.
MAIL_EVENT = "campaign_member.registration_mail"
MAX_PROMOTIONS = 1000  # per freed capacity: a bound, never reached by a real waitlist


@dataclass(slots=True)
class SettingsView:
    campaign: EventCampaign
    sessions: list[EventSession]
    tally: Tally
    public_url: str | None


@dataclass(slots=True)
class PublicPage:
    campaign: EventCampaign
    sessions: list[EventSession]
    taken: int
    state: str  # open | full | closed

    def seats_left(self) -> int | None:
        capacity = self.campaign.capacity
        return None if capacity is None else max(capacity - self.taken, 0)


@dataclass(slots=True)
class LinkView:
    campaign: EventCampaign
    member: Member
    session: EventSession | None


class RegistrationService:
    def __init__(
        self,
        repo: RegistrationRepository,
        duplicates: DuplicateFinder,
        leads: LeadService,
        limiter: RateLimiter | None,
        audit: AuditTrail,
        consents: ConsentRecorder,
        touches: LastTouch,
        signer: LinkSigner,
        public_url: str,
        mailer: Mailer | None = None,
    ) -> None:
        self.repo = repo
        self.duplicates = duplicates
        self.leads = leads
        self.limiter = limiter
        self.audit = audit
        self.consents = consents
        self.touches = touches
        self.signer = signer
        self.public_url = public_url.rstrip("/")
        self.mailer = mailer

    # -- staff: settings --------------------------------------------------------------------

    async def settings(self, principal: Principal, campaign_id: UUID) -> SettingsView:
        campaign = await self._campaign(principal, campaign_id, "read")
        return await self._view(campaign)

    async def configure(
        self, principal: Principal, campaign_id: UUID, values: dict[str, Any], *, expected_version: int | None = None
    ) -> SettingsView:
        campaign = await self._campaign(principal, campaign_id, "update", for_update=True)
        if expected_version is not None and expected_version != campaign.version:
            raise PreconditionFailed(f"the campaign is at version {campaign.version}", current_version=campaign.version)
        form = check_form(values["form"])
        changes: dict[str, Any] = {
            "registration_open": values["open"],
            "registration_form": form,
            "capacity": values.get("capacity"),
        }
        if values["open"] and campaign.public_key is None:
            changes["public_key"] = new_public_key()
        before = _settings_of(campaign)
        updated = await self.repo.save_settings(campaign, principal.user_id, changes)
        after = _settings_of(updated)
        changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
        event = NewEvent("campaign.updated", "campaign", updated.id, {"id": updated.id, "fields": sorted(changed)})
        await self.audit.record(
            principal, "campaign.registration_updated", RESOURCE, updated.id, changed, events=[event]
        )
        if _more_room(campaign.capacity, updated.capacity):
            await self.repo.lock_seats(updated.tenant_id, updated.id)
            sessions = await self.repo.sessions(updated.tenant_id, updated.id)
            session_ids: list[UUID | None] = [s.id for s in sessions] or [None]
            for session_id in session_ids:
                await self._promote(principal, updated, sessions, session_id)
        return await self._view(updated)

    async def _view(self, campaign: EventCampaign) -> SettingsView:
        sessions = await self.repo.sessions(campaign.tenant_id, campaign.id)
        tally = await self.repo.tally(campaign.tenant_id, campaign.id)
        url = f"{self.public_url}/e/{campaign.public_key}" if campaign.public_key else None
        return SettingsView(campaign, sessions, tally, url)

    async def _campaign(
        self, principal: Principal, campaign_id: UUID, action: str, *, for_update: bool = False
    ) -> EventCampaign:
        campaign = await self.repo.campaign(principal.scope(RESOURCE, action), campaign_id, for_update=for_update)
        if campaign is None:
            raise NotFound("no such campaign")
        return campaign

    # -- public: the page and the registration ------------------------------------------------

    async def page(self, public_key: str, language: str = "en") -> PublicPage:
        campaign = await self.repo.by_public_key(public_key)
        if campaign is None or not campaign.published:
            raise NotFound(say("not_found", language))
        sessions = await self.repo.sessions(campaign.tenant_id, campaign.id)
        taken = (await self.repo.tally(campaign.tenant_id, campaign.id)).registered
        if not campaign.accepting:
            state = "closed"
        elif _full(campaign, taken, sessions):
            state = "full"
        else:
            state = "open"
        return PublicPage(campaign, sessions, taken, state)

    async def register(self, public_key: str, submission: dict[str, Any], address: str, language: str) -> Registered:
        if self.limiter is not None:
            bucket = f"event-registration:{public_key}:{address}"
            retry = await self.limiter.hit(bucket, REGISTRATIONS_PER_WINDOW, WINDOW_SECONDS)
            if retry is not None:
                raise TooManyRequests(say("too_many", language), retry_after=retry)
        campaign = await self.repo.by_public_key(public_key)
        if campaign is None or not campaign.published:
            raise NotFound(say("not_found", language))
        if not campaign.accepting:
            raise Conflict(say("closed", language))
        if submission.pop(HONEYPOT, None):
            # A bot filled the field people never see: it reads a success, nothing is kept.
            return Registered(REGISTERED, new_checkin_code(), _confirmation(campaign, REGISTERED, language), language)
        tenant_id = campaign.tenant_id
        sessions = await self.repo.sessions(tenant_id, campaign.id, counted=False)  # seats: under the lock
        clean = check_submission(campaign.form, [s.id for s in sessions], submission, language)
        contact_id, lead_id, new_lead = await self._person(campaign, clean, address)
        member = None
        if not new_lead:
            member = await self.repo.member_of(tenant_id, campaign.id, contact_id=contact_id, lead_id=lead_id)
        if member is not None and member.registration_status in (REGISTERED, WAITLISTED):
            # The same person again (a double click, a second visit): the one registration stands.
            # Its check-in code is not repeated: whoever knows an address must not learn it.
            return Registered(
                member.registration_status, None, say("repeated", language), language, member.id, repeated=True
            )
        at = utcnow()
        registration = {
            "name": clean["name"],
            "email": clean["email"],
            "phone": clean["phone"],
            "company": clean["company"],
            "answers": clean["answers"],
            "consents": {key: _consent_text(campaign, key, language) for key in clean["consents"]},
            "language": language,
            "address": address,
        }
        # Consent needs only the person: recorded before the seat lock, which it need not lengthen.
        subject = Subject.of(contact_id, lead_id)
        assert subject is not None  # _person found or made one
        for key in clean["consents"]:
            await self._consent(campaign, subject, key, language, address, at)
        if not new_lead:
            # A person already known, registering now: this campaign is their last touch (a new
            # lead got the campaign as its first and last touch when it was made).
            await self.touches.touch(tenant_id, campaign.id, **subject.ids())
        events: list[NewEvent] = []
        # The seat decision: from here to the commit, this campaign's registrations queue.
        session = next((s for s in sessions if s.id == clean["session_id"]), None)
        values = {"session_id": clean["session_id"], "registration": registration, "registration_at": at}
        before: str | None = None
        if member is None:
            # The usual case, a new member: seat lock taken, seat decided, member inserted and at
            # its funnel step, all in one statement.
            values |= {
                "id": new_id(),
                "campaign_id": campaign.id,
                "contact_id": contact_id,
                "lead_id": lead_id,
                "source": "registration",
                "checkin_code": new_checkin_code(),
            }
            member = await self.repo.insert_seated(
                tenant_id, values, campaign.capacity, session.capacity if session else None
            )
            status = member.registration_status or WAITLISTED
            events.append(_member_event("added", member))
            if status == REGISTERED:
                events.append(_member_event(REGISTERED, member))
        else:
            # A member already (invited, or cancelled before): the funnel moves it forward.
            await self.repo.lock_seats(tenant_id, campaign.id)
            before = member.registration_status
            status = REGISTERED if await self._room(campaign, session) else WAITLISTED
            values |= {"registration_status": status, "checkin_code": member.checkin_code or new_checkin_code()}
            member = await self.repo.update_member(tenant_id, member.id, None, values)
            if status == REGISTERED:
                changed = await self.repo.advance(tenant_id, REGISTERED, [member.id], None)
                events += [_member_event(REGISTERED, member) for _ in changed]
        if status == WAITLISTED:
            events.append(_member_event(WAITLISTED, member))
        if clean["email"]:
            events.append(_mail_event(member, mails.REGISTERED if status == REGISTERED else mails.WAITLISTED))
        changes = {
            "registration_status": {"before": before, "after": status},
            "session_id": {"before": None, "after": clean["session_id"]},
            "origin": {"before": None, "after": {"public_page": campaign.public_key, "address": address}},
        }
        await self.audit.record(
            None, f"{ENTITY}.{status}", AUDITED, member.id, changes, tenant_id=tenant_id, events=events
        )
        code = member.checkin_code if status == REGISTERED else None
        return Registered(status, code, _confirmation(campaign, status, language), language, member.id)

    async def _person(
        self, campaign: EventCampaign, clean: dict[str, Any], address: str
    ) -> tuple[UUID | None, UUID | None, bool]:
        """(contact, lead, whether the lead is new): a contact, else a lead, holding the e-mail
        or phone (the leads' duplicate rules, which also lock those keys: two registrations of
        one person queue and the second finds the first); else a new lead from the event."""
        tenant_id = campaign.tenant_id
        emails = [k for k in (email_key(clean["email"]),) if k]
        phones = [k for k in (phone_key(clean["phone"]),) if k]
        matches = await self.duplicates.matching(tenant_id, emails, phones, exclude_lead=None)
        for entity in ("contact", "lead"):
            found = next((m["id"] for m in matches if m["entity"] == entity), None)
            if found is not None:
                return (found, None, False) if entity == "contact" else (None, found, False)
        values = {
            "name": clean["name"],
            "company": clean["company"],
            "email": clean["email"],
            "phone": clean["phone"],
            "source": LeadSource.EVENT.value,
            "campaign_id": campaign.id,
        }
        origin = {"campaign_registration": str(campaign.id), "address": address}
        lead = await self.leads.capture(tenant_id, values, origin=origin, matches=matches)
        return None, lead.id, True

    async def _consent(
        self, campaign: EventCampaign, subject: Subject, key: str, language: str, address: str, at: Any
    ) -> None:
        """Through the consent module (its one upsert, audit entry and `marketing_consent.changed`),
        with the box's text as the registrant read it as proof."""
        box = next(b for b in campaign.form.get("consents") or [] if b["key"] == key)
        proof = (
            f"[{language}] {text_in(box.get('text'), language)} | accepted {at.isoformat()} from {address}"
            f" | registration page of campaign {campaign.id}"
        )
        await self.consents.record(
            campaign.tenant_id, subject, box["channel"], "granted", source="registration", proof=proof
        )

    async def _room(self, campaign: EventCampaign, session: EventSession | None) -> bool:
        """Whether one more seat is free (call under the seat lock)."""
        if campaign.capacity is None and (session is None or session.capacity is None):
            return True
        seats = await self.repo.seats(campaign.tenant_id, campaign.id, session.id if session else None)
        if campaign.capacity is not None and seats.campaign >= campaign.capacity:
            return False
        return session is None or session.capacity is None or seats.session < session.capacity

    # -- cancel and promote ---------------------------------------------------------------------

    async def cancel(self, principal: Principal, campaign_id: UUID, member_id: UUID) -> Cancelled:
        campaign = await self._campaign(principal, campaign_id, "update")
        return await self._cancel(principal, campaign, member_id)

    async def link(self, token: str) -> LinkView:
        """What a cancel link is about (the public page shows it before the person confirms)."""
        target = self.signer.verify(links.CANCEL_REGISTRATION, token)
        found = await self._linked(target)
        if found is None:
            raise NotFound("no such registration")
        campaign, member = found
        sessions = await self.repo.sessions(campaign.tenant_id, campaign.id)
        return LinkView(campaign, member, next((s for s in sessions if s.id == member.session_id), None))

    async def cancel_by_link(self, token: str) -> Cancelled:
        found = await self._linked(self.signer.verify(links.CANCEL_REGISTRATION, token))
        if found is None:
            raise NotFound("no such registration")
        return await self._cancel(None, found[0], found[1].id)

    async def _linked(self, target: LinkTarget | None) -> tuple[EventCampaign, Member] | None:
        if target is None:
            return None
        member = await self.repo.member(target.tenant_id, None, target.delivery_id)
        if member is None:
            return None
        campaign = await self.repo.campaign_of(target.tenant_id, member.campaign_id)
        return None if campaign is None else (campaign, member)

    def cancel_url(self, member: Member) -> str:
        token = self.signer.sign(links.CANCEL_REGISTRATION, LinkTarget(member.tenant_id, member.id))
        return f"{self.public_url}/e/cancel/{token}"

    async def _cancel(self, principal: Principal | None, campaign: EventCampaign, member_id: UUID) -> Cancelled:
        tenant_id = campaign.tenant_id
        await self.repo.lock_seats(tenant_id, campaign.id)
        member = await self.repo.member(tenant_id, campaign.id, member_id, for_update=True)
        if member is None:
            raise NotFound("no such member in this campaign")
        if member.registration_status == CANCELLED:
            return Cancelled(member)  # already: a repeated click changes nothing
        if member.registration_status not in (REGISTERED, WAITLISTED):
            raise Conflict("this member has no registration to cancel", member_id=str(member.id))
        was = member.registration_status
        actor = principal.user_id if principal else None
        member = await self.repo.update_member(tenant_id, member.id, actor, {"registration_status": CANCELLED})
        events = [_member_event("registration_cancelled", member)]
        if member.registration.get("email"):
            events.append(_mail_event(member, mails.CANCELLED))
        changes = {"registration_status": {"before": was, "after": CANCELLED}}
        await self.audit.record(
            principal, f"{ENTITY}.registration_cancelled", AUDITED, member.id, changes, tenant_id=tenant_id,
            events=events,
        )  # fmt: skip
        promoted: list[Member] = []
        if was == REGISTERED:
            sessions = await self.repo.sessions(tenant_id, campaign.id)
            # The freed seat goes to the session's waitlist first; a campaign-wide seat, when the
            # campaign's capacity was what held the others back, to the other sessions' then.
            order = [member.session_id] + (
                [s.id for s in sessions if s.id != member.session_id] if campaign.capacity else []
            )
            for session_id in order:
                promoted += await self._promote(principal, campaign, sessions, session_id)
        return Cancelled(member, promoted)

    async def _promote(
        self,
        principal: Principal | None,
        campaign: EventCampaign,
        sessions: list[EventSession],
        session_id: UUID | None,
    ) -> list[Member]:
        """Move the session's waitlist into free seats, first come first served (under the seat
        lock). Each promoted member is registered, told by e-mail, and published."""
        session = next((s for s in sessions if s.id == session_id), None)
        promoted: list[Member] = []
        actor = principal.user_id if principal else None
        while len(promoted) < MAX_PROMOTIONS and await self._room(campaign, session):
            head = await self.repo.first_waitlisted(campaign.tenant_id, campaign.id, session_id)
            if head is None:
                break
            member = await self.repo.update_member(
                campaign.tenant_id, head.id, actor, {"registration_status": REGISTERED}
            )
            changed = await self.repo.advance(campaign.tenant_id, REGISTERED, [member.id], actor)
            member = await self.repo.member(campaign.tenant_id, campaign.id, member.id) or member
            events = [_member_event(REGISTERED, member) for _ in changed]
            if member.registration.get("email"):
                events.append(_mail_event(member, mails.PROMOTED))
            changes = {
                "registration_status": {"before": WAITLISTED, "after": REGISTERED},
                "promoted": {"before": None, "after": True},
            }
            await self.audit.record(
                principal, f"{ENTITY}.promoted", AUDITED, member.id, changes, tenant_id=campaign.tenant_id,
                events=events,
            )  # fmt: skip
            promoted.append(member)
        return promoted

    # -- check-in -------------------------------------------------------------------------------

    async def check_in(
        self, principal: Principal, campaign_id: UUID, *, code: str | None = None, member_id: UUID | None = None
    ) -> CheckIn:
        campaign = await self._campaign(principal, campaign_id, "update")
        tenant_id = campaign.tenant_id
        if member_id is not None:
            member = await self.repo.member(tenant_id, campaign.id, member_id, for_update=True)
        else:
            member = await self.repo.member_by_code(tenant_id, campaign.id, clean_code(code or ""))
        if member is None:
            raise NotFound("no registration with this code or id in this campaign")
        if member.registration_status != REGISTERED:
            state = member.registration_status or "not registered"
            reason = {
                WAITLISTED: "is on the waiting list, not registered: promote them (a seat must free) before check-in",
                CANCELLED: "was cancelled: the person must register again before check-in",
            }.get(state, "has no registration: the person must register first")
            raise Conflict(
                f"this member {reason}", member_id=str(member.id), registration_status=member.registration_status
            )
        if member.attended_at is not None:
            return CheckIn(member, already=True)
        changed = await self.repo.advance(tenant_id, "attended", [member.id], principal.user_id)
        refreshed = await self.repo.member(tenant_id, campaign.id, member.id)
        assert refreshed is not None
        events = [_member_event("attended", refreshed) for _ in changed]
        changes = {"attended_at": {"before": None, "after": refreshed.attended_at}}
        await self.audit.record(principal, f"{ENTITY}.checked_in", AUDITED, member.id, changes, events=events)
        return CheckIn(refreshed, already=False)

    # -- the worker: mails ------------------------------------------------------------------------

    async def deliver_mail(self, tenant_id: UUID, member_id: UUID, kind: str) -> bool:
        """Mail the registrant what happened (False: nothing to send any more: the registration
        moved on since, or has no e-mail)."""
        assert self.mailer is not None, "the worker's service has a mailer"
        member = await self.repo.member(tenant_id, None, member_id)
        expected = {mails.REGISTERED: REGISTERED, mails.PROMOTED: REGISTERED}.get(kind, kind)
        if member is None or member.registration_status != expected or not member.registration.get("email"):
            return False
        campaign = await self.repo.campaign_of(tenant_id, member.campaign_id)
        if campaign is None:
            return False
        sessions = await self.repo.sessions(tenant_id, campaign.id)
        session = next((s for s in sessions if s.id == member.session_id), None)
        url = self.cancel_url(member) if kind != mails.CANCELLED else None
        await self.mailer.send(mails.compose(kind, campaign, member, session, url, member.registration["email"]))
        return True


def _member_event(step: str, member: Member) -> NewEvent:
    subject = {"contact_id": member.contact_id} if member.contact_id else {"lead_id": member.lead_id}
    payload = {"campaign_id": member.campaign_id, "member_id": member.id, **subject, "step": step}
    return NewEvent(f"{ENTITY}.{step}", ENTITY, member.id, payload)


def _mail_event(member: Member, kind: str) -> NewEvent:
    return NewEvent(MAIL_EVENT, ENTITY, member.id, {"member_id": member.id, "kind": kind})


def _confirmation(campaign: EventCampaign, status: str, language: str) -> str:
    own = text_in(campaign.form.get("confirmation"), language) if status == REGISTERED else ""
    return own or say(status, language)


def _consent_text(campaign: EventCampaign, key: str, language: str) -> str:
    box = next(b for b in campaign.form.get("consents") or [] if b["key"] == key)
    return text_in(box.get("text"), language)


def _full(campaign: EventCampaign, taken: int, sessions: list[EventSession]) -> bool:
    if campaign.capacity is not None and taken >= campaign.capacity:
        return True
    return bool(sessions) and all(s.capacity is not None and s.taken >= s.capacity for s in sessions)


def _more_room(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


def _settings_of(campaign: EventCampaign) -> dict[str, Any]:
    return {
        "registration_open": campaign.registration_open,
        "registration_form": campaign.form,
        "capacity": campaign.capacity,
        "public_key": campaign.public_key,
    }
