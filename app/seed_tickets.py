# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The demo tenant's service desk: a category tree (the complaint "problem" classification
included, Chinese and English names), the business calendar (Asia/Shanghai, Monday to Friday
9:00-18:00, the public holidays), an SLA policy per priority, assignment and escalation rules,
and about 5,000 tickets over the last six months of every kind, channel, priority and status,
worked by the two agents and the service manager (a few waiting in the team's queue), with first
responses and resolutions on the calendar (some late, some reopened, a few customers who complain
again and again), public replies and internal notes, status history, escalations (by a person or
a rule) and the SLA alerts the worker would have given. The tenant's ticket counter continues
after the last number.

Its own seeded generator, like app/seed_sales.py, so a demo from an earlier release gets the same
rows when app/seed.py adds them. Bulk inserts: about a second of SQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.ids import new_id
from app.domain.tickets.business_hours import BusinessCalendar
from app.domain.tickets.entities import PRIORITY_ORDER, SlaPolicy
from app.domain.tickets.sla import due_times
from app.repositories.tables import (
    contacts,
    customers,
    departments,
    document_counters,
    sla_policies,
    ticket_assignment_rules,
    ticket_calendars,
    ticket_categories,
    ticket_comments,
    ticket_escalation_rules,
    ticket_escalations,
    ticket_sla_alerts,
    ticket_status_changes,
    tickets,
    users,
)
from app.repositories.tickets import derived as ticket_derived

SEED = 20261130
TICKETS = 5000
QUEUED = 8  # created in the hour before the seed ran, still unassigned
DAYS = 183
ZONE = "Asia/Shanghai"
OPEN_MINUTE, CLOSE_MINUTE = 9 * 60, 18 * 60
# China's public holidays around the demo's six months (weekdays off; make-up working days aside).
HOLIDAYS = [
    date(2026, 1, 1), *(date(2026, 2, d) for d in range(16, 21)), date(2026, 4, 6),
    *(date(2026, 5, d) for d in range(1, 6)), date(2026, 6, 19), date(2026, 9, 25),
    *(date(2026, 10, d) for d in range(1, 8)), date(2027, 1, 1), *(date(2027, 2, d) for d in range(8, 12)),
    date(2027, 4, 5), *(date(2027, 5, d) for d in range(3, 6)),
]  # fmt: skip
# priority -> (first response, resolution) in business minutes
SLA = {"urgent": (30, 240), "high": (60, 540), "normal": (240, 1620), "low": (480, 2700)}
# Categories: (name, [children]); the complaint tree is the problem classification.
CATEGORIES: list[tuple[str, list[str]]] = [
    ("Product issue 产品问题", ["Login & access 登录与权限", "Performance 性能", "Data import 数据导入", "Bug 缺陷"]),
    ("Billing 账单", ["Invoice 发票", "Refund 退款"]),
    ("Complaint 投诉", ["Service attitude 服务态度", "Response time 响应速度", "Product quality 产品质量",
                        "Billing dispute 账单争议"]),
    ("How-to 使用咨询", []),
    ("After-sales 售后", ["Installation 安装", "Repair 维修", "Return 退换货"]),
]  # fmt: skip
# kind -> [(category, English subject, Chinese subject)]
SUBJECTS: dict[str, list[tuple[str, str, str]]] = {
    "service_request": [
        ("Login & access 登录与权限", "Reset the administrator password", "重置管理员密码"),
        ("Login & access 登录与权限", "Set up single sign-on", "配置单点登录"),
        ("Data import 数据导入", "Import 3,000 contacts from Excel", "从Excel导入3000个联系人"),
        ("Billing 账单", "Add five seats to our subscription", "订阅增加5个席位"),
        ("Invoice 发票", "Please issue a VAT invoice", "请开具增值税专用发票"),
    ],
    "inquiry": [
        ("How-to 使用咨询", "How do I schedule a weekly report?", "如何设置每周自动发送报表？"),
        ("How-to 使用咨询", "Does the API support webhooks?", "API是否支持Webhook？"),
        ("How-to 使用咨询", "Can leads be imported from a web form?", "网站表单的线索能自动导入吗？"),
        ("Billing 账单", "Price of the enterprise edition", "企业版价格咨询"),
    ],
    "complaint": [
        ("Response time 响应速度", "Nobody called back for three days", "三天都没人回电话"),
        ("Service attitude 服务态度", "Rude answer on the hotline", "热线客服态度恶劣"),
        ("Product quality 产品质量", "The system is very slow every morning", "每天早上系统都很卡"),
        ("Product quality 产品质量", "Data lost after the update", "升级后数据丢失"),
        ("Billing dispute 账单争议", "Charged twice this month", "本月被重复扣费"),
    ],
    "after_sales": [
        ("Installation 安装", "On-site installation for the new branch", "新门店需要上门安装"),
        ("Repair 维修", "Receipt printer stopped working", "小票打印机无法打印"),
        ("Return 退换货", "Return a faulty barcode scanner", "扫码枪故障需要退换"),
        ("Performance 性能", "Mobile app crashes when uploading photos", "手机App上传照片时闪退"),
        ("Bug 缺陷", "Export button does nothing", "点击导出按钮没有反应"),
    ],
}
KINDS, KIND_WEIGHTS = ["service_request", "inquiry", "complaint", "after_sales"], [34, 30, 20, 16]
CHANNELS, CHANNEL_WEIGHTS = ["phone", "email", "web", "chat", "wechat", "in_person"], [24, 20, 18, 10, 24, 4]
PRIORITIES, PRIORITY_WEIGHTS = ["low", "normal", "high", "urgent"], [20, 50, 22, 8]
REPLIES = [
    ("We are looking into it and will update you today.", "已收到，我们正在处理，今天内给您回复。"),
    ("Could you send a screenshot of the error?", "麻烦提供一下报错截图。"),
    ("An engineer will call you within the hour.", "工程师将在一小时内与您联系。"),
]
NOTES = [
    "Checked the logs: timeout on the import job. 已查日志，导入任务超时。",
    "Customer is a key account, handle with care. 重点客户，注意跟进。",
    "Same issue as last month, see the earlier ticket. 与上月问题相同。",
    "Asked R&D for a fix date. 已询问研发修复时间。",
]
SOLUTIONS = [
    ("Reset done and verified with the customer.", "已重置并与客户确认。"),
    ("Fixed in release 3.2; the customer confirmed.", "已在3.2版本修复，客户确认。"),
    ("Explained the setting; the customer can do it now.", "已说明设置方法，客户已掌握。"),
    ("Replaced the device on site.", "已上门更换设备。"),
    ("Refund issued for the duplicate charge.", "重复扣费已退款。"),
]
AGENTS = {"agent1": 46, "agent2": 40, "service.manager": 8}  # the rest: the team's queue while new
ESCALATION_RULES = [
    # name, condition, minutes, priority, kind, raise_priority, reassign
    ("Urgent past resolution target -> manager 紧急工单超时转经理", "sla_resolution_breached", None, "urgent", None,
     None, "team_manager"),
    ("First response missed: priority up 首次响应超时升级", "sla_first_response_breached", None, None, None, "step",
     None),
    # Four business hours, not one: the demo's queue (opened in the last hour before seeding) is
    # still there when someone tries it, and a ticket is handed up in the afternoon, not at once.
    ("Queued over four hours -> manager 排队超四小时转经理", "unassigned", 240, None, None, None, "team_manager"),
    ("Complaint near its target 投诉即将超时提醒", "sla_resolution_warning", None, None, "complaint", None, None),
]  # fmt: skip


async def seed_demo_tickets(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> int:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    desk = _Desk(tenant_id, today, rng)
    await desk.load(conn)
    desk.settings()
    desk.generate()
    for table, rows in (
        (ticket_categories, desk.categories),
        (sla_policies, desk.policies),
        (ticket_assignment_rules, desk.assignment_rules),
        (ticket_escalation_rules, desk.escalation_rules),
        (tickets, desk.tickets),
        (ticket_status_changes, desk.history),
        (ticket_comments, desk.comments),
        (ticket_escalations, desk.escalations),
        (ticket_sla_alerts, desk.alerts),
    ):
        await _copy(conn, table, rows)
    await conn.execute(insert(ticket_calendars).values(desk.calendar_row).on_conflict_do_nothing())
    counter = insert(document_counters).values(tenant_id=tenant_id, kind="ticket", next_value=len(desk.tickets) + 1)
    await conn.execute(
        counter.on_conflict_do_update(
            index_elements=[document_counters.c.tenant_id, document_counters.c.kind],
            set_={"next_value": sa.func.greatest(document_counters.c.next_value, len(desk.tickets) + 1)},
        )
    )
    return len(desk.tickets)


async def _copy(conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """COPY the rows into the table on the transaction's own connection: tens of thousands of rows
    in a fraction of the time of multi-row INSERTs. Every row gets every key (None where absent);
    the columns left out keep their defaults (the JSONB ones: attachments, custom fields)."""
    columns = sorted({key for row in rows for key in row})
    raw: Any = (await conn.get_raw_connection()).driver_connection
    await raw.copy_records_to_table(
        table.name, columns=columns, records=[tuple(row.get(c) for c in columns) for row in rows]
    )


class _Desk:
    def __init__(self, tenant_id: UUID, today: datetime, rng: random.Random) -> None:
        self.tenant_id = tenant_id
        self.today = today
        # The seed's moment: "today" is its midnight (a caller with another day gets that day).
        clock = datetime.now(UTC)
        self.now = clock if today <= clock < today + timedelta(days=1) else today
        self.rng = rng
        self.calendar = BusinessCalendar(ZONE, frozenset(range(5)), OPEN_MINUTE, CLOSE_MINUTE, frozenset(HOLIDAYS))
        self.categories: list[dict[str, Any]] = []
        self.policies: list[dict[str, Any]] = []
        self.assignment_rules: list[dict[str, Any]] = []
        self.escalation_rules: list[dict[str, Any]] = []
        self.tickets: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.escalations: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []

    async def load(self, conn: AsyncConnection) -> None:
        t = self.tenant_id
        found = await conn.execute(sa.select(users.c.email, users.c.id).where(users.c.tenant_id == t))
        self.users = {email.split("@", 1)[0]: uid for email, uid in found}
        self.service = (
            await conn.execute(
                sa.select(departments.c.id).where(departments.c.tenant_id == t, departments.c.name == "Service")
            )
        ).scalar_one()
        book = await conn.execute(
            sa.select(customers.c.id, customers.c.level, sa.func.min(contacts.c.id.cast(sa.Text)))
            .outerjoin(
                contacts, (contacts.c.tenant_id == customers.c.tenant_id) & (contacts.c.customer_id == customers.c.id)
            )
            .where(customers.c.tenant_id == t, customers.c.deleted_at.is_(None))
            .group_by(customers.c.tenant_id, customers.c.id)
            .order_by(customers.c.id)
        )
        self.book = [(cid, UUID(contact) if contact else None) for cid, _, contact in book]

    def _row(self, **values: Any) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "id": new_id(), **values}

    def settings(self) -> None:
        self.calendar_row = {"tenant_id": self.tenant_id, "time_zone": ZONE, "weekdays": [0, 1, 2, 3, 4],
                             "open_minute": OPEN_MINUTE, "close_minute": CLOSE_MINUTE, "holidays": HOLIDAYS,
                             "reopen_days": 7}  # fmt: skip
        self.category_ids: dict[str, UUID] = {}
        for position, (name, children) in enumerate(CATEGORIES):
            parent = self._row(name=name, parent_id=None, position=(position + 1) * 10)
            self.categories.append(parent)
            self.category_ids[name] = parent["id"]
            for i, child in enumerate(children):
                row = self._row(name=child, parent_id=parent["id"], position=(i + 1) * 10)
                self.categories.append(row)
                self.category_ids[child] = row["id"]
        self.sla: dict[str, SlaPolicy] = {}
        for priority, (first, resolution) in SLA.items():
            row = self._row(name=f"{priority.title()} 标准", priority=priority, customer_level=None,
                            first_response_minutes=first, resolution_minutes=resolution)  # fmt: skip
            self.policies.append(row)
            self.sla[priority] = SlaPolicy(row["id"], row["name"], priority, None, first, resolution, True,
                                           self.today, self.today, 1)  # fmt: skip
        for position, (name, values) in enumerate(
            [
                # What customers send in by themselves is routed; a ticket an agent opens on the
                # phone, in a chat or in person stays with that agent (no rule takes it).
                ("Complaints to the least busy 投诉分配给最空闲的客服",
                 {"kind": "complaint", "department_id": self.service, "method": "least_open"}),
                ("WeChat to Emily 微信渠道给Emily", {"channel": "wechat", "user_id": self.users["agent2"]}),
                ("Web forms in turn 网页工单轮流分配", {"channel": "web", "department_id": self.service,
                                                "method": "round_robin"}),
                ("Email in turn 邮件工单轮流分配", {"channel": "email", "department_id": self.service,
                                              "method": "round_robin"}),
            ]
        ):  # fmt: skip
            base = {"category_id": None, "channel": None, "priority": None, "kind": None, "user_id": None,
                    "department_id": None, "method": "round_robin"}  # fmt: skip
            self.assignment_rules.append(self._row(name=name, position=(position + 1) * 10, **(base | values)))
        for position, (name, condition, minutes, level, kind, raise_to, reassign) in enumerate(ESCALATION_RULES):
            row = self._row(name=name, position=(position + 1) * 10, active=True, condition=condition,
                            minutes=minutes, priority=level, category_id=None, kind=kind, channel=None,
                            raise_priority=raise_to, reassign=reassign, user_id=None, department_id=None,
                            notify=True)  # fmt: skip
            self.escalation_rules.append(row)

    def _business_after(self, start: datetime, minutes: float) -> datetime:
        return self.calendar.add(start, minutes)

    def _created(self) -> datetime:
        """Mostly in office hours on working days; some at night or on weekends (web, WeChat)."""
        rng = self.rng
        moment = self.today - timedelta(seconds=rng.uniform(600, DAYS * 86400))
        if rng.random() < 0.8:
            opens = self.calendar.add(moment, 0)
            moment = opens + timedelta(minutes=rng.uniform(0, (CLOSE_MINUTE - OPEN_MINUTE) - 5))
        return min(moment, self.today - timedelta(minutes=rng.uniform(5, 300)))

    def generate(self) -> None:
        rng = self.rng
        people = list(AGENTS)
        weights = list(AGENTS.values())
        # A few customers who complain again and again.
        repeaters = rng.sample(self.book, 12)
        made = []
        for _ in range(TICKETS - QUEUED):
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            created = self._created()
            made.append((created, kind, False))
        # The last few came in during the hour before the seed ran (not before midnight: the queue
        # is there when the demo starts): they still wait in the team's queue.
        made += [(self.now - timedelta(minutes=rng.uniform(2, 55)), rng.choices(KINDS, KIND_WEIGHTS)[0], True)
                 for _ in range(QUEUED)]  # fmt: skip
        made.sort()
        for number, (created, kind, queued) in enumerate(made, start=1):
            self._ticket(number, created, kind, people, weights, repeaters, queued)

    def _ticket(
        self,
        number: int,
        created: datetime,
        kind: str,
        people: list[str],
        weights: list[int],
        repeaters: list[tuple[UUID, UUID | None]],
        queued: bool,
    ) -> None:
        rng, cal, today = self.rng, self.calendar, self.today
        category, subject_en, subject_zh = rng.choice(SUBJECTS[kind])
        zh = rng.random() < 0.7
        subject = subject_zh if zh else subject_en
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        priority = rng.choices(PRIORITIES, PRIORITY_WEIGHTS if kind != "complaint" else [5, 45, 35, 15])[0]
        if kind == "complaint" and rng.random() < 0.35:
            customer, contact = rng.choice(repeaters)
        elif rng.random() < 0.9:
            customer, contact = rng.choice(self.book)
        else:
            customer, contact = None, None
        policy = self.sla[priority]
        first_target, resolution_target = policy.first_response_minutes, policy.resolution_minutes
        age = today - created
        # The later in life, the further along: old tickets are closed, recent ones open.
        done_by = cal.add(created, resolution_target * rng.uniform(0.2, 1.6))
        if done_by <= today and rng.random() < 0.96:
            status = "closed" if rng.random() < 0.75 and age > timedelta(days=4) else "resolved"
        else:
            status = rng.choices(["new", "open", "pending"], [2, 5, 2])[0] if age < timedelta(days=20) else "open"
        if queued:
            status = "new"
        owner_login = None if queued else rng.choices(people, weights)[0]
        owner = self.users[owner_login] if owner_login else None
        ticket_id = new_id()
        row: dict[str, Any] = self._row(
            number=f"T{number:06d}", kind=kind, channel=channel, priority=priority, status=status,
            category_id=self.category_ids[category], customer_id=customer, contact_id=contact,
            subject=subject, description=f"{subject_en} / {subject_zh}" if rng.random() < 0.5 else subject,
            tags=["vip"] if rng.random() < 0.05 else [], owner_id=owner, department_id=self.service,
            created_at=created, created_by=owner or self.users["service.manager"], escalation_level=0,
            reopen_count=0, sla_paused_seconds=0,
        )  # fmt: skip
        row["id"] = ticket_id
        due = due_times(cal, created, policy)
        row |= due.columns()
        actor = owner or self.users["service.manager"]
        moves: list[tuple[str | None, str, datetime]] = [(None, "new", created)]
        replies: list[tuple[str, datetime]] = []
        first = None
        if status != "new":
            late = rng.random() < 0.12
            spent = first_target * (rng.uniform(1.1, 4) if late else rng.uniform(0.05, 0.95))
            first = min(cal.add(created, spent), today - timedelta(minutes=1))
            row["first_responded_at"] = first
            moves.append(("new", "open", first))
            replies.append(("public", first))
        at = first or created
        resolved = closed = paused = None
        if status in ("resolved", "closed"):
            late = rng.random() < 0.1
            spent = resolution_target * (rng.uniform(1.05, 3) if late else rng.uniform(0.1, 0.95))
            resolved = max(min(cal.add(created, spent), today - timedelta(minutes=2)), at + timedelta(minutes=1))
            if rng.random() < 0.25:  # waited on the customer for a while on the way
                paused_at = at + (resolved - at) / 3
                back = at + 2 * (resolved - at) / 3
                moves += [("open", "pending", paused_at), ("pending", "open", back)]
                row["sla_paused_seconds"] = int(cal.elapsed(paused_at, back).total_seconds())
            if rng.random() < 0.06 and resolved + timedelta(days=2) < today:  # reopened, then solved again
                reopened = resolved + timedelta(hours=rng.uniform(2, 40))
                moves += [("open", "resolved", resolved), ("resolved", "open", reopened)]
                row["reopen_count"] = 1
                resolved = cal.add(reopened, rng.uniform(30, 600))
                resolved = min(resolved, today - timedelta(minutes=2))
            moves.append(("open", "resolved", resolved))
            solution = rng.choice(SOLUTIONS)
            row["solution"] = solution[1] if zh else solution[0]
            replies.append(("public", resolved))
            if status == "closed":
                closed = min(resolved + timedelta(days=rng.uniform(1, 3)), today - timedelta(minutes=1))
                moves.append(("resolved", "closed", closed))
        elif status == "pending":
            paused = at + (today - at) * rng.uniform(0.2, 0.9)
            moves.append(("open", "pending", paused))
            row["sla_paused_at"] = paused
        if rng.random() < 0.35:
            replies.append(("internal", at + (((resolved or today) - at) / 2)))
        row |= {"resolved_at": resolved, "closed_at": closed}
        for before, after, when in moves:
            by = actor if before else row["created_by"]
            self.history.append(
                self._row(ticket_id=ticket_id, from_status=before, to_status=after, changed_by=by, changed_at=when)
            )
        for visibility, when in replies:
            reply = rng.choice(REPLIES)
            body = rng.choice(NOTES) if visibility == "internal" else reply[1] if zh else reply[0]
            self.comments.append(self._row(ticket_id=ticket_id, visibility=visibility, body=body,
                                           author_id=actor, created_at=when, updated_at=when, created_by=actor,
                                           updated_by=actor))  # fmt: skip
        escalated = len(self.escalations)
        # A person escalates a few (complaints most), before the ticket was resolved.
        if rng.random() < (0.08 if kind == "complaint" else 0.015) and priority != "urgent":
            when = at + (((resolved or today) - at) / 4)
            self._escalate(row, when, self.users["service.manager"], "客户再次来电催促 / customer chased again", None)
        if status in ("new", "open", "pending"):
            self._rules_and_alerts(row)
        row["updated_at"] = max([m[2] for m in moves] + [e["escalated_at"] for e in self.escalations[escalated:]])
        row["updated_by"] = actor
        row["version"] = len(moves) + row["escalation_level"]
        row |= ticket_derived(row)
        self.tickets.append(row)

    def _escalate(
        self, row: dict[str, Any], when: datetime, by: UUID | None, reason: str, rule: dict[str, Any] | None
    ) -> None:
        before_priority, before_owner = row["priority"], row["owner_id"]
        raise_to = None if rule is None else rule["raise_priority"]
        rank = PRIORITY_ORDER.index(before_priority)
        if (rule is None or raise_to == "step") and rank + 1 < len(PRIORITY_ORDER):
            row["priority"] = PRIORITY_ORDER[rank + 1]
        if rule is not None and rule["reassign"] == "team_manager":
            row["owner_id"] = self.users["service.manager"]
        if row["priority"] != before_priority:  # the new priority's targets, from the creation
            paused = row["sla_paused_seconds"]
            due = due_times(self.calendar, row["created_at"], self.sla[row["priority"]], paused)
            row |= due.columns(resolution=row["resolved_at"] is None)
        row["escalation_level"] += 1
        self.escalations.append(
            self._row(ticket_id=row["id"], level=row["escalation_level"], reason=reason,
                      from_priority=before_priority, to_priority=row["priority"], from_owner_id=before_owner,
                      to_owner_id=row["owner_id"], escalated_by=by, escalated_at=when,
                      rule_id=rule["id"] if rule else None)
        )  # fmt: skip

    def _rules_and_alerts(self, row: dict[str, Any]) -> None:
        """What the worker would have done by now for an open ticket: each escalation rule that
        matches (once), and the SLA warnings and breaches whose time has come."""
        now = self.today
        for rule in self.escalation_rules:
            if rule["priority"] is not None and rule["priority"] != row["priority"]:
                continue
            if rule["kind"] is not None and rule["kind"] != row["kind"]:
                continue
            since = self._fires_at(rule, row)
            if since is not None and since <= now:
                self._escalate(row, since, None, f"Rule: {rule['name']}", rule)
        running = row["resolved_at"] is None and row.get("sla_paused_at") is None
        for target, kind, when, due, applies in (
            ("first_response", "warning", "first_response_warn_at", "first_response_due_at",
             row.get("first_responded_at") is None),
            ("first_response", "breached", "first_response_due_at", "first_response_due_at",
             row.get("first_responded_at") is None),
            ("resolution", "warning", "resolution_warn_at", "resolution_due_at", running),
            ("resolution", "breached", "resolution_due_at", "resolution_due_at", running),
        ):  # fmt: skip
            if applies and row[when] is not None and row[when] <= now:
                self.alerts.append({"tenant_id": self.tenant_id, "ticket_id": row["id"], "target": target,
                                    "kind": kind, "due_at": row[due], "created_at": row[when]})  # fmt: skip

    def _fires_at(self, rule: dict[str, Any], row: dict[str, Any]) -> datetime | None:
        condition = rule["condition"]
        if condition == "unassigned":
            return self.calendar.add(row["created_at"], rule["minutes"]) if row["owner_id"] is None else None
        if "first_response" in condition:
            if row.get("first_responded_at") is not None:
                return None
            column = "first_response_due_at" if condition.endswith("breached") else "first_response_warn_at"
        else:
            if row.get("sla_paused_at") is not None:
                return None
            column = "resolution_due_at" if condition.endswith("breached") else "resolution_warn_at"
        found: datetime | None = row.get(column)
        return found
