"""The worker: `crm worker`, and a task inside `crm serve` unless CRM_WORKER_IN_SERVE=false.

It consumes the outbox (app/repositories/outbox_queue.py): each batch of events is claimed with
FOR UPDATE SKIP LOCKED in one transaction, each event's handlers run in a savepoint, and the event
is marked processed in that same transaction — so two workers never process one event, and a
worker killed mid-batch loses nothing (its claims end with its transaction and the events are
taken again). A failing handler undoes only its own writes; the event is retried later with a
growing delay. Every `jobs_seconds` it also runs the periodic jobs: reminders of tasks and
appointments, rotting deals, ticket SLA warnings and breaches, ticket escalation rules, folding the
opportunity, activity and lead rollups, the weekly forecast snapshot of each tenant (app/domain/forecast/history.py),
housekeeping.

Events with consumers: `*.assigned` and `ticket.escalated` (notify the new owner), `leads.rescore` (the next batch of
leads after a scoring-rule change), `lead.routing_requested` (route a lead from a public form), `ticket.resolved`
(invite the customer to the tenant's CSAT survey), `user.password_link_issued` (mail an invitation or password
reset link: app/domain/identity/password_links.py), `campaign_member.registration_mail` (mail an event registrant:
app/domain/marketing/registration/service.py), and every automation trigger (app/domain/marketing/automations.py:
queue the runs; each pass then executes the due runs, `process_runs`).

Campaign sends run beside the outbox, in their own task (`Worker.run_sends`): prepare what is
due, deliver in claimed batches, book, complete (app/domain/marketing/delivery.py: how each
message is delivered exactly once across workers and kills).

It wires domain handlers to repositories, with the services built by app/composition.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.composition import (  # the one place each is assembled
    build_automation_service,
    build_delivery_runner,
    build_invitation_service,
    build_lead_service,
    build_password_link_service,
    build_registration_service,
    build_ticket_service,
)
from app.domain.forecast.history import take_due_snapshots
from app.domain.identity.password_links import LINK_EVENT
from app.domain.identity.ports import Mailer
from app.domain.leads.rescoring import RESCORE_EVENT, rescore_batch
from app.domain.leads.service import ROUTE_EVENT
from app.domain.marketing.automations import EVENT_TYPES as AUTOMATION_EVENTS
from app.domain.marketing.automations import TriggerEvent
from app.domain.marketing.registration.service import MAIL_EVENT as REGISTRATION_MAIL_EVENT
from app.domain.notifications.entities import OutboxEvent
from app.domain.notifications.service import flag_rotting_deals, on_assigned, send_reminders
from app.domain.shared.clock import utcnow
from app.domain.tickets.escalation_job import apply_escalation_rules
from app.domain.tickets.sla_job import check_slas
from app.mail import build_mailer
from app.repositories.activities import PgReminders
from app.repositories.activity_analysis import PgAnalysisRollupCompaction
from app.repositories.audit import PgEventOutbox
from app.repositories.customer_metrics import PgCustomerMetricsJob
from app.repositories.database import allow_long_statements
from app.repositories.deal_sums import PgRollupCompaction
from app.repositories.faults import classify
from app.repositories.forecast import PgForecastRepository
from app.repositories.forecast_history import PgSnapshots
from app.repositories.home_widgets import PgLeadRollupCompaction
from app.repositories.leads import PgLeadRescoring, PgScoringRuleRepository
from app.repositories.notifications import PgNotificationRepository, PgRottingDeals
from app.repositories.outbox_queue import PgHousekeeping, PgOutboxQueue
from app.repositories.ticket_stats import PgTicketStatsCompaction
from app.repositories.tickets import PgCalendarRepository, PgEscalationCandidates, PgSlaAlerts
from app.settings import Settings

log = logging.getLogger("crm.worker")

Handler = Callable[[OutboxEvent, AsyncConnection], Awaitable[None]]
KEEP_EVENTS = timedelta(days=30)
MAX_BACKOFF_SECONDS = 10.0
# Events whose handling runs past the request budget (a batch of leads rescored).
LONG_EVENTS = frozenset({RESCORE_EVENT})


async def _notify_new_owner(event: OutboxEvent, conn: AsyncConnection) -> None:
    await on_assigned(event, PgNotificationRepository(conn))


async def _rescore_leads(event: OutboxEvent, conn: AsyncConnection) -> None:
    after = event.payload.get("after")
    await rescore_batch(
        event.tenant_id,
        event.entity_id,
        UUID(str(after)) if after else None,
        PgLeadRescoring(conn),
        PgScoringRuleRepository(conn),
        PgEventOutbox(conn),
    )


async def _route_captured_lead(event: OutboxEvent, conn: AsyncConnection) -> None:
    await build_lead_service(conn).route_queued(event.tenant_id, event.entity_id)


async def _invite_to_survey(event: OutboxEvent, conn: AsyncConnection) -> None:
    await build_invitation_service(conn).invite_on_resolution(event.tenant_id, event.entity_id, event.id)


async def _start_automations(event: OutboxEvent, conn: AsyncConnection) -> None:
    """Queue the runs of the automations this event triggers (executed by `process_runs`)."""
    trigger = TriggerEvent(event.tenant_id, event.id, event.event_type, event.entity, event.entity_id, event.payload)
    await build_automation_service(conn).on_event(trigger)


def handlers_for(event_type: str) -> list[Handler]:
    """What runs for an event; most events have no consumer yet and are simply marked done.
    (Password links are mailed by the worker itself: `Worker._mail_password_link`.)"""
    return _own_handlers(event_type) + ([_start_automations] if event_type in AUTOMATION_EVENTS else [])


def _own_handlers(event_type: str) -> list[Handler]:
    if event_type.endswith(".assigned") or event_type == "ticket.escalated":  # an escalation may change hands
        return [_notify_new_owner]
    if event_type == RESCORE_EVENT:
        return [_rescore_leads]
    if event_type == ROUTE_EVENT:
        return [_route_captured_lead]
    if event_type == "ticket.resolved":
        return [_invite_to_survey]
    return []


def retry_delay(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... capped at an hour."""
    return timedelta(seconds=min(10 * 2**attempts, 3600))


class Worker:
    def __init__(
        self, engine: AsyncEngine, settings: Settings, *, batch: int = 100, mailer: Mailer | None = None
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.batch = batch
        self.mailer = mailer if mailer is not None else build_mailer(settings)
        # Events the worker mails itself, with its mailer (handlers_for stays as tests replace it).
        self._mailing: dict[str, list[Handler]] = {
            LINK_EVENT: [self._mail_password_link],
            REGISTRATION_MAIL_EVENT: [self._mail_registration],
        }
        self.sends = build_delivery_runner(engine, settings, mailer=self.mailer)

    async def run_sends(self, stop: asyncio.Event | None = None) -> int:
        """One pass over the campaign sends; how many messages it handled."""
        return await self.sends.run_once(stop)

    async def _sends_loop(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            pause = self.settings.worker_poll_seconds
            try:
                handled = await self.run_sends(stop)
            except Exception as error:
                failures += 1
                pause = min(pause * 2**failures, MAX_BACKOFF_SECONDS)
                if classify(error) is None:
                    log.exception("sends pass failed; next try in %.1f s", pause)
                await self.sends.close()
            else:
                failures = 0
                if handled:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
        await self.sends.close()

    async def process_batch(self) -> int:
        """Claim and process one batch of due events; returns how many were claimed."""
        async with self.engine.begin() as conn:
            queue = PgOutboxQueue(conn)
            events = await queue.claim(self.batch)
            for event in events:
                try:
                    async with conn.begin_nested():
                        if event.event_type in LONG_EVENTS:
                            await allow_long_statements(conn, self.settings.db_long_statement_timeout_ms)
                        for handle in self._mailing.get(event.event_type) or handlers_for(event.event_type):
                            await handle(event, conn)
                except Exception as error:  # a handler's failure is the event's, never the batch's
                    log.warning(
                        "event %s (%s) failed, attempt %d: %s", event.id, event.event_type, event.attempts + 1, error
                    )
                    await queue.retry_later(event.tenant_id, event.id, repr(error), retry_delay(event.attempts))
                else:
                    await queue.done(event.tenant_id, event.id)
        return len(events)

    async def process_runs(self, now: datetime | None = None, limit: int | None = None) -> int:
        """Execute due automation runs, each in its own transaction (its actions all or nothing,
        its e-mail sent before the commit); returns how many were claimed. `now` is the clock
        (tests move it to make a delayed run due)."""
        handled = 0
        while handled < (limit or self.batch):
            async with self.engine.begin() as conn:
                service = build_automation_service(conn, mailer=self.mailer)
                claimed = await service.claim_due(now)
                if claimed is None:
                    break
                tenant_id, run = claimed
                try:
                    async with conn.begin_nested():
                        await service.execute(tenant_id, run)
                except Exception as error:  # the run's failure, never the worker's
                    log.warning("automation run %s failed, attempt %d: %s", run.id, run.attempts + 1, error)
                    await service.failed(tenant_id, run.id, run.attempts, repr(error), now or utcnow())
            handled += 1
        return handled

    @contextlib.asynccontextmanager
    async def long_transaction(self) -> AsyncIterator[AsyncConnection]:
        """A transaction with the long statement budget: the jobs scan and fold whole tables."""
        async with self.engine.begin() as conn:
            await allow_long_statements(conn, self.settings.db_long_statement_timeout_ms)
            yield conn

    async def _mail_password_link(self, event: OutboxEvent, conn: AsyncConnection) -> None:
        service = build_password_link_service(conn, self.settings, mailer=self.mailer)
        await service.deliver(event.tenant_id, UUID(str(event.payload["link_id"])))

    async def _mail_registration(self, event: OutboxEvent, conn: AsyncConnection) -> None:
        service = build_registration_service(conn, self.settings, mailer=self.mailer)
        await service.deliver_mail(event.tenant_id, UUID(str(event.payload["member_id"])), str(event.payload["kind"]))

    async def run_jobs(self) -> None:
        async with self.long_transaction() as conn:
            reminded = await send_reminders(PgReminders(conn), PgNotificationRepository(conn))
        async with self.long_transaction() as conn:
            told = await flag_rotting_deals(PgRottingDeals(conn), PgNotificationRepository(conn))
        async with self.long_transaction() as conn:
            alerted = await check_slas(PgSlaAlerts(conn), PgNotificationRepository(conn), PgEventOutbox(conn), utcnow())
        async with self.long_transaction() as conn:
            escalated = await apply_escalation_rules(
                PgEscalationCandidates(conn),
                PgCalendarRepository(conn),
                build_ticket_service(conn),
                PgNotificationRepository(conn),
                utcnow(),
            )
        async with self.long_transaction() as conn:
            await PgRollupCompaction(conn).compact()
        async with self.long_transaction() as conn:
            await PgTicketStatsCompaction(conn).compact()
        async with self.long_transaction() as conn:
            await PgLeadRollupCompaction(conn).compact()
        async with self.long_transaction() as conn:
            await PgAnalysisRollupCompaction(conn).compact()
        async with self.long_transaction() as conn:
            snapshots = await take_due_snapshots(PgSnapshots(conn), PgForecastRepository(conn), utcnow())
        async with self.long_transaction() as conn:
            ttl = timedelta(hours=self.settings.idempotency_ttl_hours)
            keep_departures = timedelta(days=self.settings.sync_retention_days)
            purged = await PgHousekeeping(conn).purge(ttl, KEEP_EVENTS, keep_departures)
        # Last: the customer metrics' daily whole-tenant refresh is the longest job (about 5 s per 50,000
        # customers on the bench machine); a failure here leaves the jobs above done.
        async with self.long_transaction() as conn:
            at = utcnow()
            await PgCustomerMetricsJob(conn).run(at, at.date())
        if reminded or told or alerted or escalated or snapshots or any(purged.values()):
            log.info(
                "jobs: %d reminders, %d rotting deals flagged, %d SLA alerts, %d rule escalations, "
                "%d forecast snapshots; purged %s",
                reminded,
                told,
                alerted,
                escalated,
                snapshots,
                purged,
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: drain the outbox, sleep when it is empty, run the jobs on time.
        Through a database outage it waits longer after each failed pass (up to
        MAX_BACKOFF_SECONDS) and carries on when the database is back: a failed pass committed
        nothing, so its events are simply claimed again."""
        sends = asyncio.get_running_loop().create_task(self._sends_loop(stop))
        try:
            await self._run_outbox(stop)
        except asyncio.CancelledError:
            sends.cancel()
            raise
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await sends

    async def _run_outbox(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        next_jobs = loop.time()
        failures = 0
        while not stop.is_set():
            pause = self.settings.worker_poll_seconds
            try:
                if loop.time() >= next_jobs:
                    await self.run_jobs()
                    next_jobs = loop.time() + self.settings.worker_jobs_seconds
                claimed = await self.process_batch()
                claimed = max(claimed, await self.process_runs())
            except Exception as error:
                failures += 1
                pause = min(pause * 2**failures, MAX_BACKOFF_SECONDS)
                fault = classify(error)
                if fault is None:
                    log.exception("worker pass failed; next try in %.1f s", pause)
                elif failures == 1:  # once per outage, not once per try
                    log.warning("database %s (%s); the worker retries until it is back", fault.value, error)
            else:
                if failures:
                    log.info("worker back after %d failed passes", failures)
                failures = 0
                if claimed == self.batch:
                    continue  # more waiting: no pause
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
