"""Article bodies are Markdown (CommonMark, tables and strikethrough); what a client shows is the
HTML rendered here and then sanitized by nh3 (the ammonia sanitizer): raw HTML in the Markdown
keeps only an allow-list of tags and attributes, links only safe schemes, so no script, event
handler or javascript: URL reaches a browser."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])
_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(body: str) -> str:
    return nh3.clean(_MARKDOWN.render(body), url_schemes=_SCHEMES, link_rel="noopener noreferrer nofollow")


_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[#>*_`~|\[\]]+|\s+")


def plain_snippet(markdown: str) -> str:
    """A list's excerpt of a body: Markdown punctuation and link targets dropped, spaces folded."""
    text = _MARKUP.sub(lambda m: m.group(1) if m.group(1) is not None else " ", markdown)
    return " ".join(text.split())
