"""The demo seed on a scratch database of its own (the demo emails are unique service-wide)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app import migrate
from app.domain.shared.normalize import email_key, phone_key
from app.repositories.campaigns import derived as campaign_derived
from app.repositories.contacts import derived as contact_derived
from app.repositories.customers import derived as customer_derived
from app.repositories.database import create_engine
from app.repositories.leads import derived as lead_derived
from app.repositories.tickets import derived as ticket_derived
from app.seed import ADMIN_EMAIL, DEMO_USERS, seed_demo
from tests.dbutil import TEST_APP, drop_database, recreate_database

TABLES = [
    "tenants",
    "users",
    "departments",
    "regions",
    "user_roles",
    "custom_field_defs",
    "customers",
    "contacts",
    "activities",
    "leads",
    "lead_scoring_rules",
    "lead_forms",
    "lead_assignment_rules",
    "pipelines",
    "pipeline_stages",
    "opportunities",
    "opportunity_line_items",
    "opportunity_stage_history",
    "sales_targets",
    "ticket_categories",
    "ticket_calendars",
    "sla_policies",
    "ticket_assignment_rules",
    "ticket_escalation_rules",
    "tickets",
    "ticket_status_changes",
    "ticket_comments",
    "ticket_escalations",
    "ticket_sla_alerts",
    "kb_categories",
    "kb_articles",
    "campaigns",
    "campaign_sessions",
    "campaign_members",
    "marketing_consents",
    "message_templates",
    "message_sends",
    "message_deliveries",
]
USER_ROLE = (
    "SELECT u.email, r.key FROM users u "
    "JOIN user_roles ur ON ur.tenant_id = u.tenant_id AND ur.user_id = u.id "
    "JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id"
)
USER_DEPARTMENT = (
    "SELECT u.email, d.name FROM users u JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id"
)
OWNED_BY_EAST_REP1 = (
    "SELECT count(*), count(*) FILTER (WHERE c.department_id = u.department_id) FROM customers c "
    "JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.owner_id WHERE u.email = 'east.rep1@demo.example.com'"
)
DEPARTMENT_MISMATCH = (
    "SELECT count(*) FROM customers c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.owner_id "
    "WHERE c.department_id IS DISTINCT FROM u.department_id"
)


@pytest.fixture
async def seeded(admin_url, database_url, settings) -> AsyncIterator[tuple[str, dict[str, int], dict[str, int]]]:
    name = "crm_seed_scratch_" + str(sa.engine.make_url(database_url).database)
    owner, url = await recreate_database(admin_url, name)
    try:
        await asyncio.to_thread(migrate.upgrade, owner, "head", TEST_APP)
        assert await seed_demo(url, settings, owner_url=owner) is True
        # Analyzed once by the owner, so a fresh server does not plan on empty statistics;
        # a seed that writes nothing leaves the statistics alone.
        assert await _analyzed(url, settings) == {t: 1 for t in ANALYZED}
        first = await _counts(url, settings)
        assert await seed_demo(url, settings, owner_url=owner) is False
        assert await _analyzed(url, settings) == {t: 1 for t in ANALYZED}
        second = await _counts(url, settings)
        yield url, first, second
    finally:
        await drop_database(admin_url, name)


ANALYZED = ("contacts", "leads", "campaign_members", "tickets")


async def _analyzed(url, settings) -> dict[str, int]:
    """How often each table was analyzed by hand (autovacuum's own analyses are counted apart)."""
    engine = create_engine(url, settings)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text("SELECT relname, analyze_count FROM pg_stat_user_tables WHERE relname = ANY(:names)"),
                {"names": list(ANALYZED)},
            )
            return {name: count for name, count in rows}
    finally:
        await engine.dispose()


async def _counts(url, settings) -> dict[str, int]:
    engine = create_engine(url, settings)
    try:
        async with engine.connect() as conn:
            return {t: await _scalar(conn, f"SELECT count(*) FROM {t}") for t in TABLES}
    finally:
        await engine.dispose()


async def _scalar(conn: AsyncConnection, sql: str) -> Any:
    return (await conn.execute(sa.text(sql))).scalar_one()


async def _rows(conn: AsyncConnection, sql: str) -> list[Any]:
    return list((await conn.execute(sa.text(sql))).all())


async def test_demo_seed(seeded, settings) -> None:
    url, first, second = seeded
    assert first == second, "a second run must add nothing"
    assert first["tenants"] == 1
    assert first["users"] == 15
    assert 1900 <= first["customers"] <= 2100
    assert 3600 <= first["contacts"] <= 4400
    assert first["activities"] == 6000
    assert first["custom_field_defs"] == 7
    assert first["leads"] == 3000
    assert first["lead_scoring_rules"] == 9
    assert first["lead_forms"] == 1 and first["lead_assignment_rules"] == 4
    assert first["pipelines"] == 2 and first["pipeline_stages"] == 10
    assert first["opportunities"] == 1500
    assert first["opportunity_stage_history"] > first["opportunities"]
    engine = create_engine(url, settings)
    try:
        async with engine.connect() as conn:
            # The forecast history shows movement: this quarter's weeks so far, each with rows.
            history = (
                "SELECT w.week, count(s.owner_id), sum(s.commit) FROM forecast_snapshot_weeks w "
                "LEFT JOIN forecast_snapshots s USING (tenant_id, week) GROUP BY w.week ORDER BY 1"
            )
            weeks = await _rows(conn, history)
            assert weeks and all(count > 0 for _, count, _ in weeks)
            assert len(weeks) == 1 or len({commit for _, _, commit in weeks}) > 1
            # Converted leads have the deal they became, some won: lead analysis shows revenue.
            won = await _scalar(conn, "SELECT count(*) FROM leads l JOIN opportunities o ON o.id = "
                                      "l.converted_opportunity_id JOIN pipeline_stages s ON s.id = o.stage_id "
                                      "WHERE s.kind = 'won'")  # fmt: skip
            assert won > 0
    finally:
        await engine.dispose()
    assert first["sales_targets"] == 5 * (4 + 3) + 2 * 4  # sellers: quarters and this quarter's months; teams
    assert first["kb_categories"] == 5 and first["kb_articles"] == 60
    assert first["campaigns"] == 9 and first["campaign_sessions"] == 2
    assert 1000 <= first["campaign_members"] <= 1500

    engine = create_engine(url, settings)
    try:
        async with engine.connect() as conn:
            roles = dict(await _rows(conn, USER_ROLE))
            assert roles == {u.email: u.role for u in DEMO_USERS}
            assert ADMIN_EMAIL in roles

            departments = dict(await _rows(conn, USER_DEPARTMENT))
            assert departments["east.rep1@demo.example.com"] == "Sales East"
            assert departments["west.manager@demo.example.com"] == "Sales West"
            assert departments["agent1@demo.example.com"] == "Service"

            owned, in_department = (await _rows(conn, OWNED_BY_EAST_REP1))[0]
            assert owned > 100
            assert owned == in_department, "department_id is the owner's department"
            assert await _scalar(conn, DEPARTMENT_MISMATCH) == 0

            assert await _scalar(conn, "SELECT count(*) FROM customers WHERE name LIKE '%有限公司'") > 500
            kb = "SELECT count(*) FROM kb_articles WHERE status = 'published' AND search_vector @@ '退款'::tsquery"
            assert await _scalar(conn, kb) >= 2
            statuses = "SELECT count(DISTINCT status) + count(DISTINCT visibility) FROM kb_articles"
            assert await _scalar(conn, statuses) == 5
            assert await _scalar(conn, "SELECT count(*) FROM contacts WHERE name ~ '^[张王李赵刘陈]'") > 100
            assert await _scalar(conn, "SELECT count(*) FROM customers WHERE name ~ '^[A-Za-z]'") > 300

            statuses = {r[0] for r in await _rows(conn, "SELECT DISTINCT status FROM customers")}
            assert statuses == {"prospect", "active", "inactive", "lost"}
            kinds = {r[0] for r in await _rows(conn, "SELECT DISTINCT kind FROM activities")}
            assert kinds == {"note", "call", "email", "meeting", "visit"}

            # Derived columns are exactly what the repositories compute.
            for name, email, phone, email_norm, phone_norm, text in await _rows(
                conn, "SELECT name, email, phone, email_norm, phone_norm, search_text FROM customers"
            ):
                expected = customer_derived({"name": name, "email": email, "phone": phone})
                assert (email_norm, phone_norm, text) == (
                    expected["email_norm"],
                    expected["phone_norm"],
                    expected["search_text"],
                )
                assert email_norm == email_key(email)
            for name, emails, phones, emails_norm, phones_norm, text in await _rows(
                conn, "SELECT name, emails, phones, emails_norm, phones_norm, search_text FROM contacts"
            ):
                expected = contact_derived({"name": name, "emails": emails, "phones": phones})
                assert (emails_norm, phones_norm, text) == (
                    expected["emails_norm"],
                    expected["phones_norm"],
                    expected["search_text"],
                )
                assert phones_norm == [k for k in map(phone_key, phones) if k]
            # Leads: every status; converted ones point into their owner's book; scores explain
            # themselves; derived columns as the repository computes them.
            lead_statuses = {r[0] for r in await _rows(conn, "SELECT DISTINCT status FROM leads")}
            assert lead_statuses == {"new", "contacted", "qualified", "unqualified", "converted"}
            assert await _scalar(conn, "SELECT count(*) FROM leads WHERE owner_id IS NULL") > 20
            assert (
                await _scalar(
                    conn,
                    "SELECT count(*) FROM leads l JOIN customers c ON c.tenant_id = l.tenant_id "
                    "AND c.id = l.converted_customer_id AND c.owner_id = l.owner_id WHERE l.status = 'converted'",
                )
                == await _scalar(conn, "SELECT count(*) FROM leads WHERE status = 'converted'")
                > 100
            )
            for score, reasons, name, company, email, phone, text in await _rows(
                conn, "SELECT score, score_reasons, name, company, email, phone, search_text FROM leads"
            ):
                assert score == sum(r["points"] for r in reasons)
                assert (
                    text
                    == lead_derived({"name": name, "company": company, "email": email, "phone": phone})["search_text"]
                )
            assert await _scalar(conn, "SELECT count(*) FROM leads WHERE score >= 30") > 100

            # Campaigns: every type, the marketer's, members at every funnel step; the event open
            # for registration with its two sessions; derived columns as the repository computes them.
            types = {r[0] for r in await _rows(conn, "SELECT DISTINCT campaign_type FROM campaigns")}
            assert types == {"event", "webinar", "promotion", "email", "sms", "advertising", "trade_show", "other"}
            owners = await _rows(
                conn,
                "SELECT DISTINCT u.email FROM campaigns c "
                "JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.owner_id",
            )
            assert owners == [("marketer@demo.example.com",)]
            member_statuses = {r[0] for r in await _rows(conn, "SELECT DISTINCT status FROM campaign_members")}
            assert member_statuses == {
                "targeted", "sent", "opened", "clicked", "registered", "attended", "responded", "converted", "bounced",
                "unsubscribed",
            }  # fmt: skip
            open_events = "SELECT count(*) FROM campaigns WHERE registration_open AND public_key IS NOT NULL"
            assert await _scalar(conn, open_events) == 1
            seated = (
                "SELECT count(*) FROM campaign_members "
                "WHERE session_id IS NOT NULL AND registration_status = 'registered'"
            )
            assert await _scalar(conn, seated) > 10
            # every step passed has its time, none later than the status
            skipped = (
                "SELECT count(*) FROM campaign_members WHERE (status = 'converted' AND (sent_at IS NULL "
                "OR registered_at IS NULL OR converted_at IS NULL)) OR (status = 'bounced' AND bounced_at IS NULL)"
            )
            assert await _scalar(conn, skipped) == 0
            await _check_marketing_story(conn)
            for name, channel, tags, text in await _rows(
                conn, "SELECT name, channel, tags, search_text FROM campaigns"
            ):
                assert text == campaign_derived({"name": name, "channel": channel, "tags": tags})["search_text"]

            # Deals: in every stage, owned as their customer is, the history ending where they are,
            # line items adding up to the amount.
            assert await _scalar(conn, "SELECT count(DISTINCT stage_id) FROM opportunities") == 10
            assert (
                await _scalar(
                    conn,
                    "SELECT count(*) FROM opportunities o JOIN customers c ON c.tenant_id = o.tenant_id "
                    "AND c.id = o.customer_id WHERE o.owner_id IS DISTINCT FROM c.owner_id",
                )
                == 0
            )
            assert (
                await _scalar(
                    conn,
                    "SELECT count(*) FROM opportunities o WHERE o.stage_id <> (SELECT h.to_stage_id FROM "
                    "opportunity_stage_history h WHERE h.opportunity_id = o.id ORDER BY h.changed_at DESC, h.id DESC "
                    "LIMIT 1)",
                )
                == 0
            )
            assert (
                await _scalar(
                    conn,
                    "SELECT count(*) FROM opportunities o WHERE EXISTS (SELECT 1 FROM opportunity_line_items i "
                    "WHERE i.opportunity_id = o.id) AND o.amount <> (SELECT sum(round(i.quantity * i.unit_price * "
                    "(100 - i.discount_percent) / 100, 2)) FROM opportunity_line_items i "
                    "WHERE i.opportunity_id = o.id)",
                )
                == 0
            )
            await _check_tickets(conn)
    finally:
        await engine.dispose()


async def _check_marketing_story(conn: AsyncConnection) -> None:
    """The event takes registrations on a form with a select and an e-mail consent box, answered
    in both languages; its registrants hold check-in codes, a few checked in; campaigns are the
    first or last touch of leads and of deals, some won; many people agreed to e-mail; an
    invitation template exists in both languages."""
    form = await _scalar(conn, "SELECT registration_form FROM campaigns WHERE registration_open")
    assert [f["type"] for f in form["fields"]][0] == "select" and form["fields"][0]["options"]
    assert [c["channel"] for c in form["consents"]] == ["email"]
    assert set(form["confirmation"]) == {"zh-CN", "en"}
    codes, distinct, attended = (
        await _rows(
            conn,
            "SELECT count(checkin_code), count(DISTINCT checkin_code), count(attended_at) FROM campaign_members m "
            "JOIN campaigns c ON c.tenant_id = m.tenant_id AND c.id = m.campaign_id "
            "WHERE c.registration_open AND m.registration_status = 'registered'",
        )
    )[0]
    assert codes == distinct > 10 and 0 < attended < codes
    assert (
        await _scalar(
            conn, "SELECT count(*) FROM campaign_members WHERE checkin_code IS NOT NULL AND registration = '{}'"
        )
        == 0
    )
    touched = (
        "SELECT count(DISTINCT campaign_id) FROM {0} WHERE campaign_id IS NOT NULL AND last_campaign_id IS NOT NULL"
    )
    assert await _scalar(conn, touched.format("leads")) >= 4
    assert await _scalar(conn, touched.format("opportunities")) >= 5
    won_campaigns = (
        "SELECT count(DISTINCT o.campaign_id) FROM opportunities o JOIN pipeline_stages s "
        "ON s.tenant_id = o.tenant_id AND s.id = o.stage_id WHERE s.kind = 'won' AND o.campaign_id IS NOT NULL"
    )
    assert await _scalar(conn, won_campaigns) >= 5
    granted = "SELECT count(*) FROM marketing_consents WHERE channel = 'email' AND status = 'granted'"
    assert await _scalar(conn, granted) > 1000
    # The invitation went out: a completed send, its counters those of its deliveries.
    send = (await _rows(conn, "SELECT status, sent, skipped, queued, id FROM message_sends"))[0]
    assert send[0] == "completed" and send[1] > 20 and send[3] == 0
    sent, skipped, opened, clicked = (
        await _rows(
            conn,
            "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'skipped'), "
            f"count(opened_at), count(clicked_at) FROM message_deliveries WHERE send_id = '{send[4]}'",  # noqa: S608
        )
    )[0]
    assert (sent, skipped) == (send[1], send[2])
    assert sent > opened > clicked > 0
    content = await _scalar(conn, "SELECT content FROM message_templates WHERE channel = 'email'")
    assert set(content) == {"zh-CN", "en"}
    assert all("links.registration" in content[lang]["html"] for lang in content)


async def _check_tickets(conn: AsyncConnection) -> None:
    """The service desk: every kind, channel, priority and status; numbers without gaps and the
    counter after them; the history ending where each ticket is; late, reopened, queued and
    escalated tickets; repeat complainers; both kinds of comment; derived columns as computed."""
    for column, values in (
        ("kind", {"service_request", "inquiry", "complaint", "after_sales"}),
        ("channel", {"phone", "email", "web", "chat", "wechat", "in_person"}),
        ("priority", {"low", "normal", "high", "urgent"}),
        ("status", {"new", "open", "pending", "resolved", "closed"}),
    ):
        assert {r[0] for r in await _rows(conn, f"SELECT DISTINCT {column} FROM tickets")} == values  # noqa: S608
    count, low, high, numbers = (
        await _rows(conn, "SELECT count(*), min(number), max(number), count(DISTINCT number) FROM tickets")
    )[0]
    assert (low, high, numbers) == ("T000001", f"T{count:06d}", count)
    assert await _scalar(conn, "SELECT next_value FROM document_counters WHERE kind = 'ticket'") == count + 1
    # Numbered in creation order.
    assert (
        await _scalar(
            conn,
            "SELECT count(*) FROM (SELECT number, row_number() OVER (ORDER BY created_at, number) n FROM tickets) x "
            "WHERE number <> 'T' || lpad(n::text, 6, '0')",
        )
        == 0
    )
    assert (
        await _scalar(
            conn,
            "SELECT count(*) FROM tickets t WHERE t.status <> (SELECT h.to_status FROM ticket_status_changes h "
            "WHERE h.ticket_id = t.id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)",
        )
        == 0
    )
    late = (
        "SELECT count(*) FROM tickets WHERE resolved_at > resolution_due_at "
        "OR first_responded_at > first_response_due_at"
    )
    assert await _scalar(conn, late) > 200
    assert await _scalar(conn, "SELECT count(*) FROM tickets WHERE reopen_count > 0") > 50
    # The queue: opened in the hour before the seed ran, so that it is there when the demo starts
    # (the escalation rule for queued tickets waits four business hours).
    queued = "SELECT count(*) FROM tickets WHERE owner_id IS NULL AND is_open AND created_at > now() - interval '1h'"
    assert await _scalar(conn, queued) >= 5
    assert await _scalar(conn, "SELECT min(minutes) FROM ticket_escalation_rules WHERE condition = 'unassigned'") >= 240
    assert await _scalar(conn, "SELECT count(*) FROM tickets WHERE status = 'pending' AND sla_paused_at IS NULL") == 0
    assert (
        await _scalar(conn, "SELECT count(*) FROM tickets WHERE status IN ('resolved', 'closed') AND solution IS NULL")
        == 0
    )
    assert (
        await _scalar(
            conn,
            "SELECT count(*) FROM (SELECT customer_id FROM tickets WHERE kind = 'complaint' AND customer_id "
            "IS NOT NULL GROUP BY customer_id HAVING count(*) >= 5) x",
        )
        >= 5
    )
    visibilities = {r[0] for r in await _rows(conn, "SELECT DISTINCT visibility FROM ticket_comments")}
    assert visibilities == {"public", "internal"}
    assert await _scalar(conn, "SELECT count(*) FROM ticket_escalations WHERE rule_id IS NOT NULL") > 10
    assert await _scalar(conn, "SELECT count(*) FROM ticket_escalations WHERE rule_id IS NULL") > 10
    assert (
        await _scalar(
            conn,
            "SELECT count(*) FROM tickets t WHERE escalation_level <> (SELECT count(*) FROM ticket_escalations e "
            "WHERE e.ticket_id = t.id)",
        )
        == 0
    )
    for number, subject, description, text in await _rows(
        conn, "SELECT number, subject, description, search_text FROM tickets"
    ):
        assert text == ticket_derived({"number": number, "subject": subject, "description": description})["search_text"]
    assert await _scalar(conn, "SELECT count(*) FROM ticket_categories WHERE name LIKE '%投诉%'") >= 1
    assert await _scalar(conn, "SELECT time_zone FROM ticket_calendars") == "Asia/Shanghai"


async def test_a_demo_from_an_earlier_release_gets_its_new_modules(seeded, settings) -> None:
    url, first, _ = seeded
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            for table in ("leads", "opportunities"):
                await conn.execute(sa.text(f"UPDATE {table} SET campaign_id = NULL, last_campaign_id = NULL"))  # noqa: S608
            # what converted leads became came with the forecast history (migration 0039)
            await conn.execute(sa.text("UPDATE leads SET converted_opportunity_id = NULL"))
            for table in (
                "forecast_snapshots",
                "forecast_snapshot_weeks",
                "marketing_consents",
                "message_deliveries",
                "message_sends",
                "campaign_members",
                "campaign_sessions",
                "campaigns",
                "survey_responses",
                "survey_invitations",
                "survey_call_backs",
                "surveys",
                "ticket_sla_alerts",
                "ticket_escalations",
                "ticket_comments",
                "ticket_status_changes",
                "tickets",
                "ticket_escalation_rules",
                "ticket_assignment_rules",
                "sla_policies",
                "ticket_categories",
                "ticket_calendars",
                "document_counters",
                "sales_targets",
                "opportunity_stage_history",
                "opportunity_line_items",
                "opportunities",
                "pipeline_stages",
            ):
                await conn.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608
            await conn.execute(sa.text("DELETE FROM pipelines"))
            await conn.execute(sa.text("DELETE FROM kb_articles"))
            await conn.execute(sa.text("DELETE FROM kb_categories"))
            await conn.execute(sa.text("DELETE FROM leads"))
            await conn.execute(sa.text("DELETE FROM lead_scoring_rules"))
            await conn.execute(sa.text("DELETE FROM lead_forms"))
            await conn.execute(sa.text("DELETE FROM lead_assignment_rules"))
            await conn.execute(sa.text("DELETE FROM custom_field_defs WHERE entity = 'lead'"))
    finally:
        await engine.dispose()
    assert await seed_demo(url, settings) is True
    assert await _counts(url, settings) == first
    assert await seed_demo(url, settings) is False
