"""Message templates rendered in a sandbox: a template author (a marketer) must not reach the
server's internals through the template language, and a recipient's data must not inject markup
into an HTML body. `render(content, variables)` is what the sends, previews and automations call.

A message as it is sent: a template's parts for one locale rendered with one recipient's
variables in the sandbox (app/domain/marketing/sandbox.py). HTML escapes every variable; the
subject and texts do not (they are not HTML), but a subject is one line: line breaks a variable
brings are folded into spaces, so no value can add a mail header. An e-mail without a text part
gets one made from its HTML (a multipart message needs both)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser, attrfind_tolerant  # type: ignore[attr-defined]
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


def html_to_text(source: str) -> str:
    """A readable plain version of an HTML body: paragraphs on their own lines, links followed by
    their address, styles and scripts dropped."""
    pieces = _fast_text(source)
    if pieces is None:  # markup the fast reading does not cover: the standard library's parser
        parser = _Text()
        parser.feed(source)
        parser.close()
        pieces = parser.out
    lines = (" ".join(line.split()) for line in "".join(pieces).splitlines())
    text, blank = [], False
    for line in lines:
        if line or not blank:
            text.append(line)
        blank = not line
    return "\n".join(text).strip()


# A tag as html.parser reads it (its name, then attributes, quoted values may hold ">"), and the
# doctype it ignores. A send turns every recipient's HTML into text: this
# reading costs a fifth of HTMLParser's, whose results it reproduces for markup made only of these
# (tests/unit/test_message_rendering.py compares the two); anything else goes to HTMLParser.
_TOKEN = re.compile(
    r"""<(?:(/?)([a-zA-Z][^\t\n\r\f />\x00]*)((?:"[^"]*"|'[^']*'|[^'">])*)>|!doctype[^>]*>)""",
    re.IGNORECASE,
)
_TAG_NAME_END = re.compile(r"(?:\s|/(?!>))*")
_CDATA_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.IGNORECASE) for tag in ("script", "style")}


def _fast_text(source: str) -> list[str] | None:
    """What _Text would collect from `source`, or None when it holds markup this does not read."""
    out: list[str] = []
    skipping, href = 0, None
    at, end = 0, len(source)

    def data(chunk: str) -> bool:
        if "<" in chunk:
            return False
        if chunk and not skipping:
            chunk = html.unescape(chunk)
            out.append(" ".join(chunk.split()) if chunk.strip() else " ")
        return True

    while at < end:
        found = _TOKEN.search(source, at)
        if found is None:
            return out if data(source[at:]) else None
        if not data(source[at : found.start()]):
            return None
        at = found.end()
        name = found.group(2)
        if name is None:  # the doctype: nothing to show
            continue
        tag, closing, rest = name.lower(), found.group(1), found.group(3)
        if closing:
            ends = [tag]
        else:
            attributes = _attributes(rest)
            if attributes is None:
                return None
            self_closing, link = attributes
            ends = [tag] if self_closing else []
            if tag == "a":
                href = link
            if tag in _Text._SKIP:
                skipping += 1
            elif tag in _Text._BREAKS:
                out.append("\n")
            if tag in _CDATA_END and not ends:  # raw text up to its end tag, dropped
                stop = _CDATA_END[tag].search(source, at)
                if stop is None:
                    return None
                at, ends = stop.end(), [tag]
        for tag in ends:
            if tag in _Text._SKIP:
                skipping = max(0, skipping - 1)
            elif tag in _Text._BREAKS:
                out.append("\n")
            elif tag == "a" and href:
                out.append(f" ({href})")
                href = None
    return out


def _attributes(rest: str) -> tuple[bool, str | None] | None:
    """(Whether the start tag closes itself, its last href) read from the text after its name as
    html.parser reads it; None for a tag it would read otherwise (stray text after the attributes)."""
    if not rest.strip():
        return False, None
    text = " " + rest + ">"
    k, href = len(_TAG_NAME_END.match(text).group(0)), None  # type: ignore[union-attr]
    while k < len(text) - 1:
        m = attrfind_tolerant.match(text, k)
        if not m:
            break
        name, given, value = m.group(1, 2, 3)
        if not given:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value:
            value = html.unescape(value)
        if name.lower() == "href":
            href = value
        k = m.end()
    end = text[k:].strip()
    if end not in (">", "/>"):
        return None
    return end == "/>", href
