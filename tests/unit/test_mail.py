"""The mail adapters: a well-formed message (multipart text + HTML, Message-ID, Date), the
development mailer's files, and the SMTP URL's forms."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from uuid import uuid4

import pytest

from app.domain.identity.entities import LinkPurpose, PasswordLink
from app.domain.identity.password_links import compose
from app.mail import DirectoryMailer, SmtpMailer


def link(locale: str, purpose: LinkPurpose = LinkPurpose.INVITATION) -> PasswordLink:
    return PasswordLink(
        uuid4(), uuid4(), uuid4(), purpose, datetime(2026, 12, 10, 9, 30, tzinfo=UTC), None, None, None,
        "li.na@example.com", "李娜 <&>", locale, True,
    )  # fmt: skip


async def test_directory_mailer_writes_a_multipart_message(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8000/invite/crm_pwl_secret"
    await DirectoryMailer(tmp_path / "mail", "CRM <no-reply@crm.localhost>").send(compose(link("zh-CN"), url))
    [path] = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "您已受邀使用 CRM"
    assert message["Message-ID"].endswith("@crm.localhost>") and message["Date"]
    assert "li.na@example.com" in message["To"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert url in text and "2026-12-10 09:30" in text
    assert f'href="{url}"' in html and "李娜 &lt;&amp;&gt;" in html  # the name escaped


def test_english_unless_chinese_and_the_purpose_decides_the_words() -> None:
    assert compose(link("en"), "u").subject == "You are invited to the CRM"
    assert compose(link("zh-TW", LinkPurpose.RESET), "u").subject == "重置您的 CRM 密码"
    assert compose(link("de", LinkPurpose.RESET), "u").subject == "Reset your CRM password"


def test_smtp_urls() -> None:
    plain = SmtpMailer("smtp://user%40corp:p%3Ass@mail.example.com?starttls=required", "x@y").kwargs
    assert plain["hostname"] == "mail.example.com" and plain["port"] == 587
    assert (plain["username"], plain["password"], plain["start_tls"], plain["use_tls"]) == (
        "user@corp",
        "p:ss",
        True,
        False,
    )
    tls = SmtpMailer("smtps://mail.example.com", "x@y").kwargs
    assert (tls["port"], tls["use_tls"], tls["start_tls"], tls["username"]) == (465, True, None, None)
    with pytest.raises(ValueError):
        SmtpMailer("http://mail.example.com", "x@y")
