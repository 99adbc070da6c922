"""The template language of marketing messages (app/domain/marketing/sandbox.py), a message's
rendering (rendering.py), its variables (variables.py) and the content rules (templates.py):
no I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from app.domain.marketing import sandbox
from app.domain.marketing.rendering import (
    MessageContent,
    RenderedMessage,
    RenderError,
    content_for,
    html_to_text,
    render,
)
from app.domain.marketing.sandbox import TemplateInvalid, check
from app.domain.marketing.templates import check_content, sms_length
from app.domain.marketing.variables import (
    SAMPLE,
    VARIABLES,
    CampaignFacts,
    CustomerFacts,
    Links,
    Person,
    RecipientFacts,
    build_context,
)
from app.domain.shared.errors import ValidationFailed

CONTEXT = {"contact": {"name": "张伟", "email": "zw@example.com"}, "customer": {"name": "Acme", "level": "A"}}


def problems(source: str) -> str:
    with pytest.raises(TemplateInvalid) as caught:
        check(source)
    return str(caught.value)


def test_variables_filters_and_conditions_render() -> None:
    source = 'Hi {{ contact.name | default("朋友") }}, {% if customer.level == "A" %}VIP{% else %}friend{% endif %}'
    assert check(source) == ("contact.name", "customer.level")
    assert sandbox.render(source, CONTEXT, html=False) == "Hi 张伟, VIP"
    assert sandbox.render(source, {}, html=False) == "Hi 朋友, friend"
    assert (
        sandbox.render('{{ contact["email"] | upper }} ~ {{ owner.name ~ "!" }}', CONTEXT, html=False)
        == "ZW@EXAMPLE.COM ~ !"
    )


def test_a_known_variable_without_a_value_prints_nothing() -> None:
    assert (
        sandbox.render("[{{ lead.source }}][{{ campaign.name }}][{{ customer.region }}]", CONTEXT, html=True)
        == "[][][]"
    )
    assert sandbox.render("{{ contact.title }}", {"contact": {"title": None}}, html=False) == ""


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("{{ ''.__class__ }}", "only variables"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "calls"),
        ("{{ cycler.__init__.__globals__ }}", "unknown variable cycler"),
        ("{{ self._TemplateReference__context }}", "unknown variable self"),
        ("{{ contact.name.__class__ }}", "unknown variable contact.name.__class__"),
        ("{{ contact.__class__ }}", "unknown variable contact.__class__"),
        ("{{ lipsum.__globals__['os'] }}", "unknown variable lipsum"),
        ("{{ range(10) }}", "calls"),
        ("{{ contact.name | attr('__class__') }}", "unknown filter attr"),
        ("{{ contact.name | safe }}", "unknown filter safe"),
        ("{{ contact.name | format('%s') }}", "unknown filter format"),
        ("{% for x in contact %}{{ x }}{% endfor %}", "loops"),
        ("{% set x = 1 %}", "{% set %}"),
        ("{% include 'x.html' %}", "{% include %}"),
        ("{% macro m() %}{% endmacro %}", "macros"),
        ("{{ contact.name * 1000000 }}", "the * operator"),
        ("{{ 9 ** 9 ** 9 }}", "the ** operator"),
        ("{{ contact.name + 'x' }}", "the + operator"),
        ("{% if contact.name > 'a' %}{% endif %}", "== and !="),
        ("{{ contact.nmae }}", "unknown variable contact.nmae"),
        ("{% autoescape false %}{{ contact.name }}{% endautoescape %}", "{% autoescape %} cannot be used"),
        ("{{ '%s' % contact.name }}", "the % operator"),
        ("{{ contact }}", "print a field such as contact.name, not contact"),
        ("{{ lead | upper if lead else 'x' }}", "not lead"),
        ("{{ recipient.name }}", "unknown variable recipient.name"),
        ("Hello {{ contact.name }", "syntax error"),
        ("{% if contact.name %}never closed", "syntax error"),
        ("{{ contact.name | truncate('x') }}", "cannot be rendered"),
        ("{{ contact.name | replace('', '" + "x" * 2000 + "') | replace('', '" + "y" * 2000 + "') }}", "grew past"),
    ],
)
def test_escapes_and_mistakes_are_refused_with_a_reason(source: str, says: str) -> None:
    assert says in problems(source)


def test_a_group_may_be_tested_not_printed() -> None:
    assert check("{% if lead %}{{ lead.source }}{% endif %}{{ 'a' if customer else 'b' }}") == (
        "customer",
        "lead",
        "lead.source",
    )


def test_problems_name_the_line() -> None:
    assert problems("line one\nline two {{ contact.bogus }}\n") == "line 2: unknown variable contact.bogus"


def test_the_sandbox_holds_even_past_the_checks() -> None:
    """The environment under the checks has no globals and refuses every attribute of a Python
    object: a template compiled around the checks still reaches nothing (inert: prints nothing)."""
    from app.domain.marketing import sandbox

    assert sandbox._TEXT.globals == {}
    assert "attr" not in sandbox._TEXT.filters and "safe" not in sandbox._HTML.filters
    template = sandbox._TEXT.from_string("{{ x.__class__ }}|{{ x.upper }}|{{ cycler }}|{{ x.__class__.__mro__ }}")
    assert template.render(x="s") == "|||"


def test_html_escapes_variables_and_text_does_not() -> None:
    hostile = {"contact": {"name": '<script>alert(1)</script>"&'}}
    html = sandbox.render("<p>Hi {{ contact.name }}</p>", hostile, html=True)
    assert html == "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;</p>"
    assert sandbox.render("Hi {{ contact.name }}", hostile, html=False) == 'Hi <script>alert(1)</script>"&'
    # The template's own markup stays markup.
    links = {"links": {"unsubscribe": "https://e.x/u?a=1&b=2"}}
    assert sandbox.render('<a href="{{ links.unsubscribe }}">x</a>', links, html=True) == (
        '<a href="https://e.x/u?a=1&amp;b=2">x</a>'
    )


def test_a_subject_is_one_line_whatever_a_value_holds() -> None:
    hostile = {"contact": {"name": "x\r\nBcc: victim@example.com"}}
    message = render(MessageContent("Hello {{ contact.name }}", None, "Hi"), hostile)
    assert message.subject == "Hello x Bcc: victim@example.com" and message.text == "Hi"


def test_an_email_without_text_gets_one_from_its_html() -> None:
    content = {
        "zh-CN": {
            "subject": "{{ campaign.name }} 邀请",
            "html": "<html><head><style>p{}</style></head><body><h1>您好 {{ contact.name }}</h1>"
            '<p>请<a href="{{ links.registration }}">报名</a>。</p><p>谢谢</p></body></html>',
        }
    }
    context = {"contact": {"name": "张伟"}, "campaign": {"name": "发布会"}, "links": {"registration": "https://r.x/e"}}
    locale, parts = content_for(content, "zh-CN", "en")
    assert locale == "zh-CN"  # no English content: the default
    message = render(parts, context)
    assert message.subject == "发布会 邀请"
    assert message.text == "您好 张伟\n\n请报名 (https://r.x/e)。\n\n谢谢"
    assert html_to_text("<p>a<br>b</p>") == "a\nb"


def test_sms_length_counts_segments_as_carriers_do() -> None:
    assert sms_length("a" * 160) == sms_length("a" * 160) and sms_length("a" * 160).segments == 1
    assert (sms_length("a" * 161).segments, sms_length("a" * 161).encoding) == (2, "gsm7")
    assert sms_length("[" * 80).segments == 1 and sms_length("[" * 81).segments == 2  # extension: two places
    assert (sms_length("您" * 70).segments, sms_length("您" * 70).encoding) == (1, "ucs2")
    assert sms_length("您" * 71).segments == 2 and sms_length("您" * 135).segments == 3
    assert sms_length("").segments == 0
    _, parts = content_for({"zh-CN": {"text": "{{ contact.name }}您好"}}, "zh-CN")
    assert render(parts, CONTEXT) == RenderedMessage(None, None, "张伟您好")


def test_render_names_the_part_that_fails() -> None:
    with pytest.raises(RenderError) as caught:
        render(MessageContent("ok", "<p>{{ contact.name | truncate('x') }}</p>", "ok"), CONTEXT)
    assert caught.value.part == "html" and "cannot be rendered" in caught.value.message
    with pytest.raises(RenderError) as caught:
        render(MessageContent("{{ ''.__class__ }}", None, "ok"), CONTEXT)
    assert caught.value.part == "subject"


def test_content_rules_name_the_part() -> None:
    def fields(channel: str, content: dict, default: str | None = "en") -> dict[str, str]:  # type: ignore[type-arg]
        with pytest.raises(ValidationFailed) as caught:
            check_content(channel, content, default)
        return {e.field: e.message for e in caught.value.errors}

    assert fields("email", {"en": {"html": "<p>x</p>"}}) == {"content.en.subject": "an e-mail needs a subject"}
    assert fields("email", {"en": {"subject": "s"}}) == {"content.en.html": "an e-mail needs an HTML or a text body"}
    assert fields("sms", {"en": {"text": "x", "subject": "s"}}) == {
        "content.en.subject": "a sms template has no subject"
    }
    assert fields("sms", {"en": {"text": "x" * 1001}}) == {"content.en.text": "is longer than 1000 characters"}
    assert fields("email", {"en": {"subject": "{{ contact.nope }}", "text": "{% for %}"}}) == {
        "content.en.subject": "line 1: unknown variable contact.nope",
        "content.en.text": "line 1: syntax error: Expected an expression, got 'end of statement block'",
    }
    assert fields("sms", {"en": {"text": "hi"}}, "zh-CN") == {"default_locale": "the template has no zh-CN content"}
    assert fields("sms", {"en": {"text": "  "}}) == {
        "content": "write the message in at least one language (zh-CN or en)"
    }
    # Empty parts are dropped; the default is the first language written when none is given.
    cleaned, default = check_content("sms", {"zh-CN": {"text": ""}, "en": {"text": "hi"}}, None)
    assert cleaned == {"en": {"text": "hi"}} and default == "en"


def test_the_context_of_a_contact_and_of_a_lead() -> None:
    customer = CustomerFacts("Acme 北京", level="A", region="华北", industry=None)
    contact = RecipientFacts("contact", uuid4(), "张伟", title="CTO", company="Acme 北京", email="z@x.cn",
                             customer=customer, owner=Person("Li Na", "li@x.cn"))  # fmt: skip
    campaign = CampaignFacts("Launch", "event", starts_at=datetime(2027, 3, 1, 6, 0, tzinfo=UTC), location="Beijing",
                             registration_link="https://crm.x/e/k")  # fmt: skip
    context = build_context(contact, campaign, Links(unsubscribe="https://crm.x/u/t"), locale="zh-CN",
                            timezone="Asia/Shanghai")  # fmt: skip
    assert context["contact"] == {"name": "张伟", "title": "CTO", "company": "Acme 北京", "email": "z@x.cn"}
    assert "lead" not in context
    assert context["customer"] == {"name": "Acme 北京", "level": "A", "region": "华北"}
    assert context["owner"] == {"name": "Li Na", "email": "li@x.cn"}
    assert context["campaign"]["starts_at"] == "2027年3月1日 14:00" and "ends_at" not in context["campaign"]
    assert context["links"] == {"unsubscribe": "https://crm.x/u/t", "registration": "https://crm.x/e/k"}
    english = build_context(None, campaign, locale="en", timezone="Asia/Shanghai")
    assert english["campaign"]["starts_at"] == "1 Mar 2027, 14:00" and "contact" not in english

    lead = RecipientFacts("lead", uuid4(), "Ann", company="Beta", source="web", status="new")
    context = build_context(lead)
    assert context["contact"] == {"name": "Ann", "company": "Beta"}
    assert context["lead"] == {"name": "Ann", "company": "Beta", "source": "web", "status": "new"}
    assert sandbox.render("{% if lead %}lead{% else %}contact{% endif %}", context, html=False) == "lead"


def test_the_sample_fills_every_variable() -> None:
    assert {root: set(fields) for root, fields in SAMPLE.items()} == {
        root: set(fields) for root, fields in VARIABLES.items()
    }


# Fragments of the markup templates are made of, and of markup the fast reading leaves to
# html.parser (comments, stray "<", junk after attributes, unquoted values ending in "/").
_FRAGMENTS = [
    "<p>", "</p>", "<br>", "<br/>", "<br />", '<a href="https://x.example/a?b=1&amp;c=2">', "<a href='u'>",
    "<a href=u>", "<a href=u/>", "</a>", '<A HREF="X" title="a>b">', '<div class="x">', "</div>",
    "<style>p{color:red}</style>", "<script>if(a<b){}</script>", "<head>", "</head>", "<title>t</title>",
    "<h1>", "</h1>", "hello", "  world  ", "&amp;", "&lt;b&gt;", "&#20320;", "张伟", "\n", "<!DOCTYPE html>",
    "<!-- c -->", "a < b", "<img src=x>", "<td>", "<tr>", "</tr>", "<li>", "<b>", "</b>", "<a href>",
    '<a href="">', "<p/>", "<span x='1' y=2 z>", '<x y="a"b>', "< p>", "</ p>", '<a\thref="t">', "&",
    "&nbsp;", "<br/ >", "<STYLE>x</style >", '<a href="a" href="b">',
]  # fmt: skip


def test_the_fast_text_reading_matches_html_parser() -> None:
    """html_to_text reads the usual markup itself (a send converts every recipient's HTML) and
    must give exactly what the standard library's parser gives; other markup goes to the parser."""
    import random

    from app.domain.marketing.rendering import _fast_text, _Text

    def parsed(source: str) -> str:
        parser = _Text()
        parser.feed(source)
        parser.close()
        return "".join(parser.out)

    rng = random.Random(14)
    fast = 0
    for _ in range(5000):
        source = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 14)))
        pieces = _fast_text(source)
        if pieces is not None:
            fast += 1
            assert "".join(pieces) == parsed(source), source
    assert fast > 2000  # the usual markup is read fast
    assert _fast_text("<!-- a comment -->") is None and _fast_text("a < b") is None
    html = (
        "<html><head><style>p{}</style></head><body><p>Hi &amp; welcome</p>"
        '<p><a href="https://x.example">there</a></p></body></html>'
    )
    assert _fast_text(html) is not None
    assert html_to_text(html) == "Hi & welcome\n\nthere (https://x.example)"
