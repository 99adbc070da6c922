# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The registrant's e-mails: confirmation (registered or waitlisted), promotion from the waitlist,
and cancellation, in the language the registrant used (zh-CN or en). Sent by the worker from the
outbox (`campaign_member.registration_mail`), as password links are."""

from __future__ import annotations

from html import escape

from app.domain.identity.entities import OutgoingMail
from app.domain.marketing.registration.entities import EventCampaign, EventSession, Member
from app.domain.marketing.registration.rules import text_in

REGISTERED = "registered"
WAITLISTED = "waitlisted"
PROMOTED = "promoted"
CANCELLED = "cancelled"
KINDS = (REGISTERED, WAITLISTED, PROMOTED, CANCELLED)

_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        REGISTERED: ("Registration confirmed: {event}", "you are registered for {event}."),
        WAITLISTED: (
            "Waiting list: {event}",
            "{event} is full, so you are on the waiting list. We will write again as soon as a seat frees up.",
        ),
        PROMOTED: (
            "A seat freed up: you are registered for {event}",
            "a seat freed up: you are now registered for {event}.",
        ),
        CANCELLED: ("Registration cancelled: {event}", "your registration for {event} is cancelled."),
    },
    "zh-CN": {
        REGISTERED: ("报名成功：{event}", "您已成功报名「{event}」。"),
        WAITLISTED: ("候补登记：{event}", "「{event}」名额已满，您已进入候补名单。一有空位我们会立即通知您。"),
        PROMOTED: ("候补成功：您已报名「{event}」", "有名额空出，您已从候补名单转为正式报名「{event}」。"),
        CANCELLED: ("报名已取消：{event}", "您对「{event}」的报名已取消。"),
    },
}
_LABELS = {
    "en": {
        "hello": "Hello {name},",
        "session": "Session",
        "when": "When",
        "where": "Where",
        "online": "Online",
        "code": "Your check-in code",
        "cancel": "Cannot come? Cancel your registration here so that someone else can take the seat:",
        "cancel_button": "Cancel my registration",
    },
    "zh-CN": {
        "hello": "{name}，您好：",
        "session": "场次",
        "when": "时间",
        "where": "地点",
        "online": "线上链接",
        "code": "您的签到码",
        "cancel": "如无法参加，请通过以下链接取消报名，把名额留给其他人：",
        "cancel_button": "取消报名",
    },
}


def compose(
    kind: str,
    campaign: EventCampaign,
    member: Member,
    session: EventSession | None,
    cancel_url: str | None,
    to_email: str,
) -> OutgoingMail:
    language = "zh-CN" if member.registration.get("language") == "zh-CN" else "en"
    labels = _LABELS[language]
    name = str(member.registration.get("name") or "")
    subject, lead = _TEXTS[language][kind]
    lines: list[tuple[str, str]] = []  # (label, value) rows
    if session is not None and kind != CANCELLED:
        lines.append((labels["session"], session.name))
        when = f"{session.starts_at:%Y-%m-%d %H:%M} UTC"
        if session.ends_at is not None:
            when += f" – {session.ends_at:%Y-%m-%d %H:%M} UTC"
        lines.append((labels["when"], when))
        if session.location:
            lines.append((labels["where"], session.location))
        if session.online_url:
            lines.append((labels["online"], session.online_url))
    if kind in (REGISTERED, PROMOTED) and member.checkin_code:
        lines.append((labels["code"], member.checkin_code))
    confirmation = text_in(campaign.form.get("confirmation"), language) if kind in (REGISTERED, PROMOTED) else ""
    intro = lead.format(event=campaign.name)
    text_parts = [labels["hello"].format(name=name), intro]
    text_parts.append("\n".join(f"{label}: {value}" for label, value in lines))
    if confirmation:
        text_parts.append(confirmation)
    if cancel_url and kind != CANCELLED:
        text_parts.append(f"{labels['cancel']}\n{cancel_url}")
    text = "\n\n".join(part for part in text_parts if part)
    rows = "".join(f"<tr><th align=left>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in lines)
    html = [
        f'<!doctype html><html lang="{language}"><body>',
        f"<p>{escape(labels['hello'].format(name=name))}</p><p>{escape(intro)}</p>",
        f"<table>{rows}</table>" if rows else "",
        f"<p>{escape(confirmation)}</p>" if confirmation else "",
    ]
    if cancel_url and kind != CANCELLED:
        html.append(
            f"<p>{escape(labels['cancel'])}</p>"
            f'<p><a href="{escape(cancel_url, quote=True)}">{escape(labels["cancel_button"])}</a></p>'
        )
    html.append("</body></html>")
    return OutgoingMail(to_email, name, subject.format(event=campaign.name), text, "".join(html))
