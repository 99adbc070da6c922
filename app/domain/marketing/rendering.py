"""A message as it is sent: a template's parts for one locale rendered with one recipient's
variables in the sandbox (app/domain/marketing/sandbox.py). HTML escapes every variable; the
subject and texts do not (they are not HTML), but a subject is one line: line breaks a variable
brings are folded into spaces, so no value can add a mail header. An e-mail without a text part
gets one made from its HTML (a multipart message needs both)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from app.domain.marketing.sandbox import render
from app.domain.marketing.templates import LOCALES, Channel, SmsLength, sms_length


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    channel: str
    locale: str
    subject: str | None
    html: str | None
    text: str | None
    sms_length: SmsLength | None = None


def choose_locale(content: Mapping[str, Any], default_locale: str, wanted: str | None) -> str:
    """The wanted locale when the template has it, else the template's default."""
    if wanted in content:
        return str(wanted)
    if default_locale in content:
        return default_locale
    return next(locale for locale in LOCALES if locale in content)


def render_message(
    channel: str,
    content: Mapping[str, Mapping[str, str]],
    default_locale: str,
    context: Mapping[str, Any],
    *,
    locale: str | None = None,
) -> RenderedMessage:
    """The parts of `content` in `locale` (or the default) rendered with `context`; raises
    TemplateInvalid when a part cannot be rendered."""
    chosen = choose_locale(content, default_locale, locale)
    parts = content[chosen]
    if channel == Channel.SMS:
        text = render(parts.get("text", ""), context, html=False)
        return RenderedMessage(channel, chosen, None, None, text, sms_length(text))
    subject = " ".join(render(parts.get("subject", ""), context, html=False).split())
    html = render(parts["html"], context, html=True) if "html" in parts else None
    text = render(parts["text"], context, html=False) if "text" in parts else html_to_text(html or "")
    return RenderedMessage(channel, chosen, subject, html, text)


class _Text(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})
    _SKIP = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAKS:
            self.out.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BREAKS:
            self.out.append("\n")
        elif tag == "a" and self.href:
            self.out.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(" ".join(data.split()) if data.strip() else (" " if data else ""))


def html_to_text(html: str) -> str:
    """A readable plain version of an HTML body: paragraphs on their own lines, links followed by
    their address, styles and scripts dropped."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    text, blank = [], False
    for line in lines:
        if line or not blank:
            text.append(line)
        blank = not line
    return "\n".join(text).strip()
