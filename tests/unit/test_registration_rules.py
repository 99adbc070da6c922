"""Registration rules without I/O: the reader's language, the submission's checks, the settings'
checks, and the registrant's mail."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from app.domain.marketing.links import CANCEL_REGISTRATION, CLICK, LinkSigner, LinkTarget
from app.domain.marketing.registration import mail
from app.domain.marketing.registration.entities import EventCampaign, EventSession, Member
from app.domain.marketing.registration.rules import (
    CODE_ALPHABET,
    check_form,
    check_submission,
    clean_code,
    language_of,
    new_checkin_code,
    new_public_key,
)
from app.domain.shared.errors import ValidationFailed

FORM = {
    "fields": [
        {"key": "size", "label": {"en": "Size"}, "type": "select", "required": True, "options": ["S", "M"]},
        {"key": "veggie", "label": {"en": "Veggie"}, "type": "checkbox", "required": False, "options": []},
    ],
    "consents": [{"key": "terms", "channel": "email", "text": {"en": "OK"}, "required": True}],
}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN", "zh-CN"),
        ("zh-TW,zh;q=0.9", "zh-CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("en;q=0.5,zh-CN;q=0.9", "zh-CN"),
        ("de-DE,fr;q=0.9", "en"),
        ("zh;q=abc", "en"),
    ],
)
def test_language_of(header: str | None, language: str) -> None:
    assert language_of(header) == language


def test_a_clean_submission() -> None:
    session = uuid4()
    clean = check_submission(
        FORM,
        [session],
        {"name": " 王 ", "email": "W@X.CN", "answers": {"size": "M"}, "consents": {"terms": True}},
        "en",
    )
    assert clean == {
        "name": "王",
        "email": "W@X.CN",
        "phone": None,
        "company": None,
        "session_id": session,  # the only session, chosen for the registrant
        "answers": {"size": "M", "veggie": False},
        "consents": ["terms"],
    }


def test_every_problem_at_once_in_the_language_asked() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_submission(
            FORM,
            [uuid4(), uuid4()],
            {"name": 5, "phone": "abc", "answers": {"size": "XL", "veggie": "yes"}, "consents": {"terms": "1"}},
            "zh-CN",
        )
    assert {e.field: e.message for e in refused.value.errors} == {
        "name": "必须是文字",
        "phone": "不是有效的电话号码",
        "session_id": "请选择本活动的一个场次",
        "answers.size": "必须是列出的选项之一",
        "answers.veggie": "必须为勾选或不勾选（true 或 false）",  # noqa: RUF001
        "consents.terms": "必须为勾选或不勾选（true 或 false）",  # noqa: RUF001
    }


def test_form_settings_are_checked_across_items() -> None:
    good = check_form({**FORM, "confirmation": {"en": "Hi"}})
    assert good["confirmation"] == {"en": "Hi"}
    with pytest.raises(ValidationFailed) as refused:
        check_form({"fields": [{"key": "email", "type": "text"}, {"key": "a", "type": "text", "options": ["x"]}]})
    assert [e.field for e in refused.value.errors] == ["fields.0.key", "fields.1.options"]


def test_codes_and_keys() -> None:
    code = new_checkin_code()
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert clean_code(" abcd-2345 ") == "ABCD2345"
    keys = {new_public_key() for _ in range(100)}
    assert len(keys) == 100 and all(k.startswith("ev_") and len(k) == 27 for k in keys)


def test_a_cancel_link_is_no_click_link() -> None:
    signer = LinkSigner({"k1": "secret"}, "k1")
    target = LinkTarget(uuid4(), uuid4())
    token = signer.sign(CANCEL_REGISTRATION, target)
    assert signer.verify(CANCEL_REGISTRATION, token) == target
    assert signer.verify(CLICK, token) is None


def test_the_mail_is_in_the_registrants_language() -> None:
    campaign = EventCampaign(
        uuid4(), uuid4(), "Summit <b>", None, "event", "running", None, None, "ev_x", True,
        {"confirmation": {"zh-CN": "见！", "en": "See you"}}, None, 1,
    )  # fmt: skip
    session = EventSession(uuid4(), "Day 1", datetime(2027, 3, 1, 9, tzinfo=UTC), None, "Hall A", None, None, 0)
    member = Member(
        campaign.tenant_id, uuid4(), campaign.id, None, uuid4(), "registered", "registered", session.id,
        {"name": "Li", "email": "li@x.cn", "language": "en"}, "ABCD2345", None, None, None, 1,
    )  # fmt: skip
    sent = mail.compose(mail.REGISTERED, campaign, member, session, "https://crm.example/e/cancel/t", "li@x.cn")
    assert sent.subject == "Registration confirmed: Summit <b>"
    assert "ABCD2345" in sent.text and "See you" in sent.text and "https://crm.example/e/cancel/t" in sent.text
    assert "Summit &lt;b&gt;" in sent.html and "<b>" not in sent.html.replace("<body>", "")
    member.registration["language"] = "zh-CN"
    cancelled = mail.compose(mail.CANCELLED, campaign, member, session, None, "li@x.cn")
    assert cancelled.subject == "报名已取消：Summit <b>" and "ABCD2345" not in cancelled.text  # noqa: RUF001
