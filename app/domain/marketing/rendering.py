"""Message templates rendered in a sandbox: a template author (a marketer) must not reach the
server's internals through the template language, and a recipient's data must not inject markup
into an HTML body.

`render(content, variables)` is what the sends, previews and automations call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Two environments: HTML escapes every variable, plain text (subject, text body, SMS) does not.
_HTML = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_TEXT = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


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


def _render(env: ImmutableSandboxedEnvironment, part: str, source: str, variables: Mapping[str, Any]) -> str:
    try:
        return env.from_string(source).render(variables)
    except TemplateError as exc:
        raise RenderError(part, exc.message or type(exc).__name__) from exc


def render(content: MessageContent, variables: Mapping[str, Any]) -> RenderedMessage:
    return RenderedMessage(
        subject=None if content.subject is None else _render(_TEXT, "subject", content.subject, variables),
        html=None if content.html is None else _render(_HTML, "html", content.html, variables),
        text=_render(_TEXT, "text", content.text, variables),
    )
