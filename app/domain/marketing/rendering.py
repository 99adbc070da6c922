"""Message templates rendered in a sandbox: a template author (a marketer) must not reach the
server's internals through the template language, and a recipient's data must not inject markup
into an HTML body. `render(content, variables)` is what the sends, previews and automations call.

A message as it is sent: a template's parts for one locale rendered with one recipient's
variables in the sandbox (app/domain/marketing/sandbox.py). HTML escapes every variable; the
subject and texts do not (they are not HTML), but a subject is one line: line breaks a variable
brings are folded into spaces, so no value can add a mail header. An e-mail without a text part
gets one made from its HTML (a multipart message needs both)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from app.domain.marketing import sandbox
from app.domain.marketing.sandbox import TemplateInvalid
from app.domain.marketing.templates import LOCALES


@dataclass(frozen=True, slots=True)
class MessageContent:
    """One locale's content of a template. SMS uses only `text`."""

    subject: str | None
    html: str | None
    text: str


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str | None
    html: str | None
    text: str


class RenderError(Exception):
    """The template cannot be rendered (syntax, an unknown variable, a sandbox refusal)."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(f"{part}: {message}")
        self.part = part
        self.message = message


def _render(part: str, source: str, variables: Mapping[str, Any], *, html: bool) -> str:
    try:
        return sandbox.render(source, variables, html=html)
    except TemplateInvalid as error:
        raise RenderError(part, str(error)) from error


def render(content: MessageContent, variables: Mapping[str, Any]) -> RenderedMessage:
    """One locale's content rendered with one recipient's variables (app/domain/marketing/variables.py
    builds them); RenderError names the part that cannot be rendered."""
    subject = None
    if content.subject is not None:
        subject = " ".join(_render("subject", content.subject, variables, html=False).split())
    html = None if content.html is None else _render("html", content.html, variables, html=True)
    text = _render("text", content.text, variables, html=False) if content.text else html_to_text(html or "")
    return RenderedMessage(subject=subject, html=html, text=text)


def choose_locale(content: Mapping[str, Any], default_locale: str, wanted: str | None) -> str:
    """The wanted locale when the template has it, else the template's default."""
    if wanted in content:
        return str(wanted)
    if default_locale in content:
        return default_locale
    return next(locale for locale in LOCALES if locale in content)


def content_for(
    content: Mapping[str, Mapping[str, str]], default_locale: str, wanted: str | None = None
) -> tuple[str, MessageContent]:
    """(The locale chosen, its content) of a stored template's {locale: {part: source}}."""
    locale = choose_locale(content, default_locale, wanted)
    parts = content[locale]
    return locale, MessageContent(subject=parts.get("subject"), html=parts.get("html"), text=parts.get("text", ""))


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
