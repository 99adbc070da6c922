"""Delivering a send, exactly once per recipient, with any number of workers.

A due send is **prepared once**: in one transaction the worker locks the send row (FOR UPDATE
SKIP LOCKED, so one worker prepares it), resolves the sender's data ranges as they are now, and
inserts every recipient's delivery row in one INSERT ... SELECT, either `queued` or `skipped` with
its reason (app/domain/marketing/sends.py); the counters and status `sending` are written in the
same transaction. A worker killed while preparing commits nothing; the send is prepared again.

Each delivery is then **claimed, sent and recorded**:

1. Claim (one statement, committed): up to a batch of rows that are `queued` (and past their
   back-off) or `sending` with an expired lease are locked with FOR UPDATE SKIP LOCKED and set to
   `sending`, `claimed_by` = this worker, `lease_until` = now + lease, `attempts` + 1. Two workers
   never hold one row: the second skips what the first locked and sees it `sending` afterwards.
   The same statement reserves the batch's time slots on the send (`paced_until`), so the rate
   holds across workers; the worker extends its lease while it is still working on a batch.
2. Send over one reused SMTP connection (MAIL, RCPT, DATA). The message is accepted by the server
   when the final "." of DATA reaches it; a peer disconnecting before that discards the message.
3. **The commit point** is right after the final "." is handed to the socket, before the server's
   reply is awaited: the worker queues "delivery X sent" to its recorder, which writes it in one
   autocommitted UPDATE (batched with whatever else is waiting) while the reply is in flight. If
   the reply then is a 5xx the row is corrected to `bounced`; a 4xx puts it back to `queued` with
   a growing back-off (after MAX_ATTEMPTS it is `failed`).

What a kill leaves behind: rows `sending` with this worker's lease. When the lease expires
another worker claims them again and sends them **with the same Message-ID** (it is derived from
the delivery id). Those rows are of two kinds: never handed to SMTP (the large majority: sending
them is no duplicate) and the one message per connection whose "." was written in the instant
before its "sent" reached the database (one event-loop step, tens of microseconds). That last
message is *in doubt*: it is sent again rather than risk losing it, and a receiver recognises it
as the same message by its Message-ID. A row recorded `sent` is never sent again: a connection
that drops after the "." but before the answer leaves the message sent (the server holds all of
it; RFC 1047's in-doubt case, where a resend would duplicate far more often than it would save
one), one that drops earlier puts the row back. A worker that
outlives its lease (a hung server) loses the row: its late record names a claim it no longer
holds and changes nothing.

Booking follows each batch: members move to `sent` / `bounced` (member_funnel.advance_members),
`campaign_member.<step>` events, bounced addresses suppressed, the send's progress counters, in one
transaction per batch that also stamps `booked_at`, so it happens once, whoever does it. A worker
books its own rows (its corrections are in) and any whose lease ran out (a dead worker's).
The send completes when no row is left `queued` or `sending` (`message_send.completed` once, by
the status change). Cancelling turns the queued rows into skipped `cancelled`; claims stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Protocol
from uuid import UUID

from app.domain.marketing.rendering import RenderError, content_for, render
from app.domain.marketing.variables import CampaignFacts, Links, RecipientFacts, build_context

log = logging.getLogger("crm.sends")

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """After a temporary failure: 1, 2, 4, 8 ... minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


# -- what the worker reads and writes ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendPlan:
    """What a send needs to compose its messages, read once per send."""

    tenant_id: UUID
    send_id: UUID
    campaign_id: UUID
    channel: str
    rate_per_minute: int | None
    content: Mapping[str, Mapping[str, str]]  # the template's {locale: {part: source}}
    default_locale: str
    campaign: CampaignFacts | None
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: UUID
    address: str
    locale: str | None
    attempts: int
    recipient: RecipientFacts
    not_before: float = 0.0  # loop time of its rate slot


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: UUID
    status: str  # sent | bounced | failed | queued (retry) | released (back, no attempt counted)
    message_id: str | None = None
    error: str | None = None
    retry_in: timedelta | None = None


class DeliveryStore(Protocol):
    async def prepare_due(self, limit: int) -> list[UUID]:
        """Prepare up to `limit` due sends (each in its own transaction); their ids."""
        ...

    async def active_sends(self) -> list[tuple[UUID, UUID]]:
        """(tenant_id, send_id) of the sends with deliveries to claim now."""
        ...

    async def plan(self, tenant_id: UUID, send_id: UUID) -> SendPlan | None: ...

    async def claim(
        self, tenant_id: UUID, send_id: UUID, worker: str, limit: int, lease: timedelta, interval: float
    ) -> tuple[list[Claimed], float]:
        """(The claimed rows, seconds from now until the first one's rate slot)."""
        ...

    async def extend(self, tenant_id: UUID, ids: list[UUID], worker: str, lease: timedelta) -> None: ...

    async def record(self, tenant_id: UUID, send_id: UUID, worker: str, outcomes: list[Outcome]) -> None:
        """One autocommitted statement: the outcomes of rows this worker still holds."""
        ...

    async def book(self, tenant_id: UUID, send_id: UUID, worker: str, limit: int) -> int:
        """Book up to `limit` finished deliveries (this worker's, or any whose lease ran out) in
        one transaction, the send's counters with them; how many."""
        ...

    async def finish(self, tenant_id: UUID, send_id: UUID) -> bool:
        """Complete the send when nothing is left to deliver or book; True when it did now."""
        ...

    async def fail(self, tenant_id: UUID, send_id: UUID, error: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Composed:
    """One message ready for its channel."""

    delivery_id: UUID
    to: str
    to_name: str
    locale: str
    subject: str | None
    html: str | None
    text: str


class Accepted:
    """The channel's answer: the peer took the message."""


@dataclass(frozen=True, slots=True)
class Rejected:
    error: str
    permanent: bool  # 5xx: bounced and suppressed; else retried later


class ConnectionLost(Exception):
    """The channel went away before the message was committed: the row goes back to the queue."""


class ChannelSession(Protocol):
    async def deliver(self, message: Composed, on_commit: Callable[[], None]) -> Accepted | Rejected:
        """Send one message. `on_commit` is called once the message is irrevocably handed to the
        peer (before its answer); ConnectionLost when it failed before that."""
        ...

    async def close(self) -> None: ...


class Decorator(Protocol):
    """Links and headers of one delivery: tracked HTML, the unsubscribe link."""

    def links(self, tenant_id: UUID, delivery_id: UUID) -> Links: ...

    def decorate(self, tenant_id: UUID, delivery_id: UUID, html: str) -> str: ...


class Recorder:
    """Writes outcomes in the order they come, batching whatever queued up while the previous
    statement ran: the commit point's write is on its way within one event-loop step."""

    def __init__(self, store: DeliveryStore, tenant_id: UUID, send_id: UUID, worker: str) -> None:
        self.store, self.tenant_id, self.send_id, self.worker = store, tenant_id, send_id, worker
        self.pending: list[Outcome] = []
        self.task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None

    def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                await self.store.record(self.tenant_id, self.send_id, self.worker, batch)
            except Exception as error:  # the claims stay `sending` and are retried after the lease
                self.error = error
                log.warning("recording %d outcomes failed: %s", len(batch), error)

    async def flush(self) -> None:
        while self.task is not None and not self.task.done():
            await self.task
        if self.error is not None:
            error, self.error = self.error, None
            raise error


@dataclass
class Runner:
    """One worker's share of the sends: prepare what is due, deliver batches, book, complete."""

    store: DeliveryStore
    open_session: Callable[[str, UUID], Awaitable[ChannelSession]]  # (channel, tenant) -> session
    decorator: Decorator
    worker: str
    batch: int = 100
    lease: timedelta = LEASE
    sessions: dict[tuple[str, UUID], ChannelSession] = field(default_factory=dict)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """One pass over due and active sends; how many messages it handled."""
        await self.store.prepare_due(10)
        handled = 0
        for tenant_id, send_id in await self.store.active_sends():
            handled += await self.deliver(tenant_id, send_id, stop)
            while await self.store.book(tenant_id, send_id, self.worker, 1000):
                pass
            if await self.store.finish(tenant_id, send_id):
                log.info("send %s completed", send_id)
        return handled

    async def close(self) -> None:
        for session in self.sessions.values():
            with contextlib.suppress(Exception):
                await session.close()
        self.sessions.clear()

    async def _session(self, channel: str, tenant_id: UUID) -> ChannelSession:
        key = (channel, tenant_id)
        if key not in self.sessions:
            self.sessions[key] = await self.open_session(channel, tenant_id)
        return self.sessions[key]

    async def deliver(self, tenant_id: UUID, send_id: UUID, stop: asyncio.Event | None = None) -> int:
        """Claim, send and record batches until the send has nothing left to claim now. The SMTP
        connection is never left waiting on this worker: the next batch is claimed, the last one
        booked and the next message composed while the current one is on the wire."""
        plan = await self.store.plan(tenant_id, send_id)
        if plan is None:
            return 0
        interval = 60.0 / plan.rate_per_minute if plan.rate_per_minute else 0.0
        # A batch takes at most a fifth of the lease at the send's rate.
        size = max(1, min(self.batch, int(self.lease.total_seconds() / 5 / interval))) if interval else self.batch
        recorder = Recorder(self.store, tenant_id, send_id, self.worker)
        handled = 0
        loop = asyncio.get_running_loop()

        def claim() -> asyncio.Task[tuple[list[Claimed], float]]:
            return loop.create_task(self.store.claim(tenant_id, send_id, self.worker, size, self.lease, interval))

        def release(items: list[Claimed]) -> None:
            for c in items:
                recorder.add(Outcome(c.delivery_id, "released"))

        booking: asyncio.Task[int] | None = None
        upcoming: asyncio.Task[tuple[list[Claimed], float]] | None = claim()
        try:
            while upcoming is not None:
                claimed, wait = await upcoming
                upcoming = None
                if not claimed:
                    break
                if stop is not None and stop.is_set():
                    release(claimed)
                    break
                start = loop.time() + wait
                try:
                    session = await self._session(plan.channel, tenant_id)
                except Exception as error:
                    log.warning("cannot open the %s channel: %s", plan.channel, error)
                    release(claimed)
                    break
                upcoming = claim()  # the next batch, while this one is sent
                done, lost = await self._batch(plan, claimed, session, recorder, start, interval, stop)
                handled += done
                await recorder.flush()
                if booking is not None:
                    await booking
                # Progress: the batch's members, events and counters (visible while the send runs).
                booking = loop.create_task(self.store.book(tenant_id, send_id, self.worker, len(claimed)))
                if lost or (stop is not None and stop.is_set()):
                    break
        finally:
            if upcoming is not None:  # claimed ahead but not to be sent now: back at once
                with contextlib.suppress(Exception):
                    release((await upcoming)[0])
            with contextlib.suppress(Exception):
                await recorder.flush()
            if booking is not None:
                with contextlib.suppress(Exception):
                    await booking
        return handled

    async def _batch(
        self,
        plan: SendPlan,
        claimed: list[Claimed],
        session: ChannelSession,
        recorder: Recorder,
        start: float,
        interval: float,
        stop: asyncio.Event | None,
    ) -> tuple[int, bool]:
        """(Messages handled, whether the channel was lost.) A producer composes a few messages
        ahead: it runs while the sender waits for the server."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Queue[tuple[Claimed, Composed | RenderError]] = asyncio.Queue(maxsize=4)

        async def produce() -> None:
            for item in claimed:
                try:
                    composed: Composed | RenderError = compose(plan, item, self.decorator)
                except RenderError as error:
                    composed = error
                await ready.put((item, composed))

        producer = loop.create_task(produce())
        claimed_at = time.monotonic()
        handled = 0
        try:
            for i in range(len(claimed)):
                item, composed = await ready.get()
                if stop is not None and stop.is_set():  # shutting down: the rest go back at once
                    for c in claimed[i:]:
                        recorder.add(Outcome(c.delivery_id, "released"))
                    return handled, False
                if time.monotonic() - claimed_at > self.lease.total_seconds() / 3:
                    rest = [c.delivery_id for c in claimed[i:]]
                    await self.store.extend(plan.tenant_id, rest, self.worker, self.lease)
                    claimed_at = time.monotonic()
                delay = start + i * interval - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not await self._one(item, composed, session, recorder):
                    # The channel went away: give the rest back and reconnect on the next pass.
                    for c in claimed[i + 1 :]:
                        recorder.add(Outcome(c.delivery_id, "released"))
                    self.sessions.pop((plan.channel, plan.tenant_id), None)
                    with contextlib.suppress(Exception):
                        await session.close()
                    return handled, True
                handled += 1
            return handled, False
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer

    async def _one(
        self, item: Claimed, composed: Composed | RenderError, session: ChannelSession, recorder: Recorder
    ) -> bool:
        if isinstance(composed, RenderError):
            recorder.add(Outcome(item.delivery_id, "failed", error=str(composed)[:500]))
            return True
        message_id = message_id_for(item.delivery_id)
        committed = False

        def on_commit() -> None:
            nonlocal committed
            committed = True
            recorder.add(Outcome(item.delivery_id, "sent", message_id=message_id))

        try:
            answer = await session.deliver(composed, on_commit)
        except ConnectionLost as error:
            # Before the commit point nothing reached the peer: the row goes back. After it the
            # server holds the whole message and only its answer is missing: it stays sent.
            state = "sent" if committed else "back"
            log.warning("channel lost at delivery %s (%s): %s", item.delivery_id, state, error)
            if not committed:
                recorder.add(Outcome(item.delivery_id, "released", error=str(error)[:500]))
            return False
        if isinstance(answer, Rejected):
            if answer.permanent:
                recorder.add(Outcome(item.delivery_id, "bounced", message_id=message_id, error=answer.error[:500]))
            elif item.attempts >= MAX_ATTEMPTS:
                recorder.add(Outcome(item.delivery_id, "failed", error=answer.error[:500]))
            else:
                retry = Outcome(item.delivery_id, "queued", error=answer.error[:500], retry_in=backoff(item.attempts))
                recorder.add(retry)
        elif not committed:
            on_commit()
        return True


def message_id_for(delivery_id: UUID) -> str:
    """The same for every attempt of one delivery, so a message sent again is recognisable."""
    return f"<{delivery_id}@crm.delivery>"


def compose(plan: SendPlan, item: Claimed, decorator: Decorator) -> Composed:
    locale, content = content_for(plan.content, plan.default_locale, item.locale)
    links = decorator.links(plan.tenant_id, item.delivery_id)
    if plan.campaign is not None and plan.campaign.registration_link and links.registration is None:
        # `links.registration`: the event's public page (the HTML's copy goes through the click redirect).
        links = replace(links, registration=plan.campaign.registration_link)
    context = build_context(item.recipient, plan.campaign, links, locale=locale, timezone=plan.timezone)
    rendered = render(content, context)
    html = rendered.html
    if html is not None and plan.channel == "email":
        html = decorator.decorate(plan.tenant_id, item.delivery_id, html)
    return Composed(item.delivery_id, item.address, item.recipient.name, locale, rendered.subject, html, rendered.text)
