"""The variables a message template may use, and the context that fills them for one recipient.

`contact` is the person the message goes to, whether a contact or a lead (a lead's own name,
title, company, e-mail and phone), so one template serves a mixed audience; `lead` is set only
for a lead. `customer` is the contact's customer; `owner` is the person looking after the
recipient (the customer's owner, else the contact's or lead's own). `campaign` and `links` are
set when the message belongs to a campaign / when the link exists for this message.

A variable without a value is left out of the context: it prints nothing, and the `default`
filter can say what to print instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

# root -> fields, in the order an editor lists them.
VARIABLES: dict[str, tuple[str, ...]] = {
    "contact": ("name", "title", "company", "email", "phone"),
    "lead": ("name", "title", "company", "email", "phone", "source", "status"),
    "customer": ("name", "level", "industry", "region", "type", "email", "phone", "website", "address"),
    "owner": ("name", "email"),
    "campaign": ("name", "type", "starts_at", "ends_at", "location", "registration_link"),
    "links": ("unsubscribe", "registration", "view_in_browser"),
}

# What an editor shows beside each variable, in both languages.
LABELS: dict[str, tuple[str, str]] = {
    "contact": ("Recipient (contact or lead)", "收件人 (联系人或线索)"),
    "lead": ("Lead (only when the recipient is a lead)", "线索 (仅当收件人是线索时)"),
    "customer": ("The contact's customer", "联系人所属客户"),
    "owner": ("Account owner", "负责人"),
    "campaign": ("Campaign", "营销活动"),
    "links": ("Links", "链接"),
    "name": ("Name", "名称"),
    "title": ("Job title", "职位"),
    "company": ("Company", "公司"),
    "email": ("E-mail", "电子邮件"),
    "phone": ("Phone", "电话"),
    "source": ("Source", "来源"),
    "status": ("Status", "状态"),
    "level": ("Level", "级别"),
    "industry": ("Industry", "行业"),
    "region": ("Region", "地区"),
    "type": ("Type", "类型"),
    "website": ("Website", "网站"),
    "address": ("Address", "地址"),
    "starts_at": ("Starts", "开始时间"),
    "ends_at": ("Ends", "结束时间"),
    "location": ("Location or link", "地点或链接"),
    "registration_link": ("Public registration link", "公开报名链接"),
    "unsubscribe": ("Unsubscribe link", "退订链接"),
    "registration": ("Registration link", "报名链接"),
    "view_in_browser": ("View in browser link", "在浏览器中查看链接"),
}

# Every variable filled: what a template is tried with on save (and the editor's example).
SAMPLE: dict[str, dict[str, str]] = {
    "contact": {"name": "张伟", "title": "CTO", "company": "北京科技有限公司", "email": "zhang.wei@example.com",
                "phone": "+86 138 0000 0000"},
    "lead": {"name": "张伟", "title": "CTO", "company": "北京科技有限公司", "email": "zhang.wei@example.com",
             "phone": "+86 138 0000 0000", "source": "web", "status": "new"},
    "customer": {"name": "北京科技有限公司", "level": "A", "industry": "software", "region": "North China",
                 "type": "enterprise", "email": "info@example.com", "phone": "+86 10 0000 0000",
                 "website": "https://example.com", "address": "北京市海淀区"},
    "owner": {"name": "Li Na", "email": "li.na@example.com"},
    "campaign": {"name": "2027 Product Launch", "type": "event", "starts_at": "2027-03-01 14:00",
                 "ends_at": "2027-03-01 17:00", "location": "Beijing", "registration_link": "https://example.com/e/launch"},
    "links": {"unsubscribe": "https://example.com/u/token", "registration": "https://example.com/e/launch",
              "view_in_browser": "https://example.com/m/token"},
}  # fmt: skip


def catalogue() -> list[dict[str, Any]]:
    """The variables for an editor: [{name, label_en, label_zh, fields: [{path, label_en, label_zh}]}]."""
    return [
        {
            "name": root,
            "label_en": LABELS[root][0],
            "label_zh": LABELS[root][1],
            "fields": [
                {"path": f"{root}.{name}", "label_en": LABELS[name][0], "label_zh": LABELS[name][1]} for name in fields
            ],
        }
        for root, fields in VARIABLES.items()
    ]


@dataclass(frozen=True, slots=True)
class Person:
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    name: str
    level: str | None = None
    industry: str | None = None
    region: str | None = None
    type: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class RecipientFacts:
    """A contact or lead and what hangs off it, as one repository query reads them."""

    kind: str  # "contact" | "lead"
    id: UUID
    name: str
    title: str | None = None
    company: str | None = None  # a contact's: its customer's name
    email: str | None = None
    phone: str | None = None
    source: str | None = None  # leads only
    status: str | None = None  # leads only
    customer: CustomerFacts | None = None
    owner: Person | None = None


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    name: str
    type: str | None = None
    # A session's instant, or (a campaign without sessions) its day.
    starts_at: datetime | date | None = None
    ends_at: datetime | date | None = None
    location: str | None = None
    registration_link: str | None = None


@dataclass(frozen=True, slots=True)
class Links:
    unsubscribe: str | None = None
    registration: str | None = None
    view_in_browser: str | None = None


# The web client's public registration page of a campaign (its `public_key`).
REGISTRATION_PATH = "/e/{key}"


def registration_link(public_url: str, key: str) -> str:
    return public_url.rstrip("/") + REGISTRATION_PATH.format(key=key)


def format_time(at: datetime | date, locale: str, timezone: str) -> str:
    """An instant (in `timezone`) or a day as a reader of `locale` writes it."""
    if not isinstance(at, datetime):
        return f"{at.year}年{at.month}月{at.day}日" if locale == "zh-CN" else f"{at.day} {at:%b %Y}"
    try:
        local = at.astimezone(ZoneInfo(timezone))
    except (KeyError, ValueError):
        local = at
    if locale == "zh-CN":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {local:%b %Y, %H:%M}"


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def build_context(
    recipient: RecipientFacts | None,
    campaign: CampaignFacts | None = None,
    links: Links | None = None,
    *,
    locale: str = "en",
    timezone: str = "UTC",
) -> dict[str, dict[str, Any]]:
    """The variables of one message (only those with a value)."""
    context: dict[str, dict[str, Any]] = {}
    if recipient is not None:
        person = {f: getattr(recipient, f) for f in ("name", "title", "company", "email", "phone")}
        context["contact"] = _present(person)
        if recipient.kind == "lead":
            context["lead"] = _present(person | {"source": recipient.source, "status": recipient.status})
        if recipient.customer is not None:
            context["customer"] = _present({f: getattr(recipient.customer, f) for f in VARIABLES["customer"]})
        if recipient.owner is not None:
            context["owner"] = _present({"name": recipient.owner.name, "email": recipient.owner.email})
    if campaign is not None:
        when = {
            f: format_time(at, locale, timezone) if at is not None else None
            for f, at in (("starts_at", campaign.starts_at), ("ends_at", campaign.ends_at))
        }
        context["campaign"] = _present(
            {"name": campaign.name, "type": campaign.type, "location": campaign.location,
             "registration_link": campaign.registration_link} | when
        )  # fmt: skip
    link_values = _present(
        {
            "unsubscribe": links.unsubscribe if links else None,
            "registration": (links.registration if links else None)
            or (campaign.registration_link if campaign else None),
            "view_in_browser": links.view_in_browser if links else None,
        }
    )
    if link_values:
        context["links"] = link_values
    return context
