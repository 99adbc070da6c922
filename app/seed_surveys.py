# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The demo tenant's satisfaction surveys: the ticket CSAT survey and a relationship NPS survey,
then, for the tenant's resolved tickets as they are at seed time, an invitation each (about 60%
answered, the rest pending or expired), NPS answers for about a quarter of them, and call-backs
(回访) by the ticket's agent for some of the rest, with answers when the customer was reached.

Runs after the tickets' seed and only while the tenant has no survey response: a demo seeded
before its tickets existed gets the responses on the next seed. Its own seeded generator."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.ids import new_id
from app.domain.surveys.questions import normalize_questions
from app.repositories.tables import (
    survey_call_backs,
    survey_invitations,
    survey_responses,
    surveys,
    tickets,
)

SEED = 20261202
ANSWERED_SHARE = 0.6
NPS_SHARE = 0.25
CALL_BACK_SHARE = 0.15
CSAT_QUESTIONS: list[dict[str, Any]] = [
    {"id": "satisfaction", "type": "rating", "required": True,
     "text": "How satisfied are you with how we handled your request? 您对本次服务满意吗？"},
    {"id": "first_contact", "type": "single", "choices": ["Yes 是", "No 否"],
     "text": "Was your issue solved the first time you contacted us? 问题是否一次解决？"},
    {"id": "did_well", "type": "multiple",
     "choices": ["Speed 响应速度", "Attitude 服务态度", "Expertise 专业能力", "Result 解决结果"],
     "text": "What did we do well? 哪些方面做得好？"},
    {"id": "comment", "type": "text", "text": "Anything we could do better? 其他意见或建议"},
]  # fmt: skip
NPS_QUESTIONS: list[dict[str, Any]] = [
    {"id": "recommend", "type": "nps", "required": True,
     "text": "How likely are you to recommend us to a friend or colleague? 您向朋友或同事推荐我们的可能性有多大？"},
    {"id": "reason", "type": "text", "text": "What is the main reason for your score? 打分的主要原因是什么？"},
]  # fmt: skip
RATING_WEIGHTS = [6, 7, 12, 30, 45]  # 1..5
NPS_WEIGHTS = [2, 1, 2, 3, 3, 5, 9, 12, 18, 20, 25]  # 0..10
COMMENTS = {
    "good": ["Fast and friendly, thank you!", "问题解决得很快，谢谢", "Very professional engineer", "服务态度很好"],
    "mixed": ["It took a while but it works now", "希望下次响应更快一些", "Had to explain the issue twice"],
    "bad": ["Still not fixed properly", "等了太久，很不满意", "Nobody called me back as promised"],
}
REASONS = ["Reliable product 产品稳定", "Good service 服务好", "Price is high 价格偏高", "Slow delivery 交付慢"]
OUTCOMES = (["reached"] * 12) + (["not_reached"] * 5) + (["refused"] * 2) + (["call_later"] * 1)


async def seed_demo_surveys(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    """Returns whether anything was written."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    wrote = False
    live = sa.select(surveys.c.id, surveys.c.is_ticket_csat).where(
        surveys.c.tenant_id == tenant_id, surveys.c.deleted_at.is_(None)
    )
    found = (await conn.execute(live)).all()
    if not found:
        csat_id, nps_id = new_id(), new_id()
        await conn.execute(
            surveys.insert(),
            [
                {"tenant_id": tenant_id, "id": csat_id, "name": "Ticket satisfaction 服务满意度",
                 "description": "Sent when a ticket is resolved. 工单解决后发送。",
                 "questions": normalize_questions(CSAT_QUESTIONS), "is_ticket_csat": True},
                {"tenant_id": tenant_id, "id": nps_id, "name": "Relationship NPS 客户推荐度",
                 "description": "Asked on follow-up calls. 回访时询问。",
                 "questions": normalize_questions(NPS_QUESTIONS), "is_ticket_csat": False},
            ],
        )  # fmt: skip
        wrote = True
    else:
        csat_id = next((i for i, csat in found if csat), found[0][0])
        nps_id = next((i for i, csat in found if not csat), csat_id)
    t = tickets
    resolved = (
        await conn.execute(
            sa.select(t.c.id, t.c.customer_id, t.c.contact_id, t.c.owner_id, t.c.department_id, t.c.resolved_at)
            .where(
                t.c.tenant_id == tenant_id,
                t.c.deleted_at.is_(None),
                t.c.status.in_(("resolved", "closed")),
                t.c.resolved_at.isnot(None),
            )
            .order_by(t.c.id)
        )
    ).all()
    invitation_rows: list[dict[str, Any]] = []
    response_rows: list[dict[str, Any]] = []
    call_back_rows: list[dict[str, Any]] = []
    # A per-agent lean, so the by-agent results differ.
    lean = {owner: rng.uniform(-0.8, 0.5) for owner in sorted({row.owner_id for row in resolved if row.owner_id})}
    for row in resolved:
        links = {"ticket_id": row.id, "customer_id": row.customer_id, "contact_id": row.contact_id,
                 "owner_id": row.owner_id, "department_id": row.department_id}  # fmt: skip
        sent = row.resolved_at + timedelta(minutes=rng.randint(1, 30))
        expires = sent + timedelta(days=14)
        invitation_id = new_id()
        answered = rng.random() < ANSWERED_SHARE
        answered_at = min(sent + timedelta(hours=rng.uniform(0.5, 96)), max(today, sent))
        invitation_rows.append(
            {"tenant_id": tenant_id, "id": invitation_id, "survey_id": csat_id, "token": secrets.token_urlsafe(32),
             "expires_at": expires, "answered_at": answered_at if answered else None, "created_at": sent,
             "updated_at": sent, **links}
        )  # fmt: skip
        rating = _rating(rng, lean.get(row.owner_id, 0.0))
        if answered:
            response_rows.append(_response(tenant_id, csat_id, "link", _csat(rng, rating), answered_at, links,
                                           invitation_id=invitation_id))  # fmt: skip
        if rng.random() < NPS_SHARE:
            score = rng.choices(range(11), NPS_WEIGHTS)[0]
            answers: dict[str, Any] = {"recommend": score}
            if rng.random() < 0.4:
                answers["reason"] = rng.choice(REASONS)
            at = min(answered_at + timedelta(days=rng.uniform(1, 10)), max(today, answered_at))
            response_rows.append(_response(tenant_id, nps_id, "link", answers, at, links))
        if not answered and rng.random() < CALL_BACK_SHARE * 3:
            outcome = rng.choice(OUTCOMES)
            called = min(sent + timedelta(days=rng.uniform(2, 6)), max(today, sent))
            call_id = new_id()
            call_back_rows.append(
                {"tenant_id": tenant_id, "id": call_id, "survey_id": csat_id, "outcome": outcome,
                 "notes": _note(outcome), "called_at": called, "created_at": called, "updated_at": called,
                 "next_action": "Call again 再次回访" if outcome in ("not_reached", "call_later") else None,
                 "next_action_at": called + timedelta(days=2) if outcome in ("not_reached", "call_later") else None,
                 "created_by": row.owner_id, "updated_by": row.owner_id, **links}
            )  # fmt: skip
            if outcome == "reached":
                response_rows.append(_response(tenant_id, csat_id, "call_back", _csat(rng, rating), called, links,
                                               call_back_id=call_id, actor=row.owner_id))  # fmt: skip
    for table, rows in ((survey_invitations, invitation_rows), (survey_call_backs, call_back_rows),
                        (survey_responses, response_rows)):  # fmt: skip
        for start in range(0, len(rows), 1000):
            await conn.execute(table.insert(), rows[start : start + 1000])
    return wrote or bool(response_rows)


def _rating(rng: random.Random, lean: float) -> int:
    return max(1, min(5, rng.choices(range(1, 6), RATING_WEIGHTS)[0] + round(lean * rng.random())))


def _csat(rng: random.Random, rating: int) -> dict[str, Any]:
    answers: dict[str, Any] = {"satisfaction": rating}
    if rng.random() < 0.8:
        answers["first_contact"] = "Yes 是" if rng.random() < 0.35 + rating * 0.12 else "No 否"
    if rating >= 4 and rng.random() < 0.7:
        choices = ["Speed 响应速度", "Attitude 服务态度", "Expertise 专业能力", "Result 解决结果"]
        answers["did_well"] = rng.sample(choices, rng.randint(1, 3))
    if rng.random() < 0.3:
        answers["comment"] = rng.choice(COMMENTS["good" if rating >= 4 else "mixed" if rating == 3 else "bad"])
    return answers


def _response(
    tenant_id: UUID,
    survey_id: UUID,
    channel: str,
    answers: dict[str, Any],
    at: datetime,
    links: dict[str, Any],
    *,
    invitation_id: UUID | None = None,
    call_back_id: UUID | None = None,
    actor: UUID | None = None,
) -> dict[str, Any]:
    return {"tenant_id": tenant_id, "id": new_id(), "survey_id": survey_id, "channel": channel, "answers": answers,
            "answered_at": at, "created_at": at, "updated_at": at, "invitation_id": invitation_id,
            "call_back_id": call_back_id, "created_by": actor, "updated_by": actor, **links}  # fmt: skip


def _note(outcome: str) -> str:
    return {
        "reached": "Customer confirmed the fix. 客户确认问题已解决。",
        "not_reached": "No answer. 无人接听。",
        "refused": "Customer declined the survey. 客户拒绝回访。",
        "call_later": "Customer busy, asked to call later. 客户在忙，约定改时再打。",
    }.get(outcome, "")
