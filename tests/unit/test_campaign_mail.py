"""A campaign message as written out by app/mail.campaign_message reads back, through the email
package, as it was meant: headers (encoded where not ASCII), both parts, the unsubscribe targets."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from uuid import uuid4

from app.domain.marketing.delivery import Composed, message_id_for
from app.mail import campaign_message


def _parse(data: bytes) -> EmailMessage:
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_and_both_parts_read_back() -> None:
    delivery = uuid4()
    subject = "张伟，您好：2027 新品发布会邀请函 — 请于三月一日前报名，名额有限，先到先得！" * 2
    html = "<p>您好 张伟</p>\n<p>.a line starting with a dot</p>" + "<p>x</p>" * 500
    message = Composed(delivery, "zhang.wei@example.com", "张伟 (CTO), Inc.", "zh-CN", subject, html, "您好 张伟\n.dot")
    data = campaign_message(
        message,
        "市场部 <marketing@crm.example>",
        message_id_for(delivery),
        "https://crm.example/u/tok",
        "mailto:u@x.example",
    )
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    mail = _parse(data)
    assert mail["Subject"] == " ".join(subject.split())
    assert mail["To"].addresses[0].display_name == "张伟 (CTO), Inc."
    assert mail["To"].addresses[0].addr_spec == "zhang.wei@example.com"
    assert mail["From"].addresses[0].display_name == "市场部"
    assert mail["Message-ID"] == f"<{delivery}@crm.delivery>"
    assert str(mail["List-Unsubscribe"]) == "<https://crm.example/u/tok>, <mailto:u@x.example>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    text, body = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and text.get_content().replace("\r\n", "\n") == "您好 张伟\n.dot"
    assert body is not None and body.get_content().replace("\r\n", "\n") == html


def test_a_header_value_cannot_add_a_header() -> None:
    delivery = uuid4()
    message = Composed(delivery, "a@example.com", "Eve\r\nBcc: x@evil.example", "en", "Hi\r\nBcc: y@evil.example",
                       None, "text")  # fmt: skip
    mail = _parse(campaign_message(message, "CRM <n@crm.example>", message_id_for(delivery), "https://u/t", None))
    assert mail["Bcc"] is None
    assert mail.get_content_type() == "text/plain" and mail.get_content().strip() == "text"


def test_an_invitation_links_to_the_events_public_page() -> None:
    """`links.registration` (and `campaign.registration_link`) is the web client's page of the
    event (/e/<key>): as it is in the text, through the click redirect in the HTML."""
    from app.domain.marketing.delivery import Claimed, SendPlan, compose
    from app.domain.marketing.links import LinkSigner
    from app.domain.marketing.tracked import TrackedLinks
    from app.domain.marketing.variables import CampaignFacts, RecipientFacts, registration_link

    link = registration_link("https://crm.example/", "ev_key")
    assert link == "https://crm.example/e/ev_key"
    content = {"en": {"subject": "Hi", "html": '<a href="{{ links.registration }}">Register</a>',
                      "text": "{{ links.registration }} {{ campaign.registration_link }}"}}  # fmt: skip
    plan = SendPlan(uuid4(), uuid4(), uuid4(), "email", None, content, "en", CampaignFacts("Launch", "event",
                    registration_link=link))  # fmt: skip
    item = Claimed(uuid4(), "ann@example.com", "en", 0, RecipientFacts("lead", uuid4(), "Ann"))
    links = TrackedLinks(LinkSigner({"k1": "s" * 32}, "k1"), "https://crm.example")
    composed = compose(plan, item, links)
    assert composed.text == f"{link} {link}"
    assert composed.html is not None and "https://crm.example/api/v1/public/t/c/" in composed.html
    assert link not in composed.html


def test_dot_stuffing_of_a_campaign_message_matches_the_general_rules() -> None:
    """A campaign message (CRLF lines, base64 bodies) skips the two regular-expression passes;
    anything else is normalized and dot-stuffed as aiosmtplib's DATA does."""
    import re

    from app.mail import _dot_stuffed

    def general(data: bytes) -> bytes:
        data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        return re.sub(rb"(?m)^\.", b"..", data) + b".\r\n"

    delivery = uuid4()
    message = Composed(delivery, "a@x.example", "A", "en", "Hi", "<p>.x</p>", ".dot\n.line")
    data = campaign_message(message, "M <m@x.example>", message_id_for(delivery), "https://x.example/u", None)
    for sample in (data, data.rstrip(b"\r\n"), b".a\r\nb", b"a\nb", b"a\r\n.b\r\n", b"a\rb", b"", b"x"):
        assert _dot_stuffed(sample) == general(sample), sample
