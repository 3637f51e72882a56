"""Editors write Markdown; readers get sanitised HTML. markdown-it-py (CommonMark, raw HTML
off: a ``<script>`` in the source comes out as text) renders it, then nh3 (the Ammonia
sanitiser) keeps only an allow-list of tags and attributes and safe link schemes, so no raw HTML
reaches a page even if the renderer's settings change."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_RENDERER.enable("table")

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def to_html(source: str) -> Markup:
    """Sanitised HTML of a Markdown text (headings start at level 2: the page has the h1)."""
    html = _RENDERER.render(source)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def plain_text(source: str, limit: int = 300) -> str:
    """The text of a Markdown source without markup (page descriptions, search snippets)."""
    text = html.unescape(nh3.clean(_RENDERER.render(source), tags=set()))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
