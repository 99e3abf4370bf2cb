"""Markdown written by people, rendered to HTML that is safe to show to everyone else.

markdown-it-py renders CommonMark with raw HTML disabled (it is escaped), then nh3 (ammonia) keeps only an
allow-list of tags and attributes and only http(s) and mailto links: no script, no event handlers, no
``javascript:`` URLs, whatever the input.

An image on another site would be fetched by every reader's browser, telling that site who read what and when
(a tracking pixel). Remote images are shown only from the hosts in ``settings.MARKDOWN_IMAGE_HOSTS`` (none by
default); any other becomes a plain link to it, labelled with its alternative text, that a reader may follow.
Images on the portal itself (relative addresses) are kept.
"""

from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"}}


def render_markdown(text: str) -> SafeString:
    """The text as safe HTML. The same text renders the same way, so each process keeps the last ``RENDERED_KEPT``
    renderings (a list of fifty projects renders fifty descriptions per response otherwise)."""
    allowed_hosts = frozenset(host.lower() for host in getattr(settings, "MARKDOWN_IMAGE_HOSTS", []))
    return _render(text or "", allowed_hosts)


RENDERED_KEPT = 1024


@lru_cache(maxsize=RENDERED_KEPT)
def _render(text: str, allowed_hosts: frozenset[str]) -> SafeString:
    tokens = _renderer.parse(text)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _remote_images_as_links(token.children, allowed_hosts)
    html = _renderer.renderer.render(tokens, _renderer.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(cleaned)  # sanitised by nh3 just above


def _image_allowed(source: str, allowed_hosts: frozenset[str]) -> bool:
    host = (urlsplit(source.strip()).hostname or "").lower()
    return not host or host in allowed_hosts  # no host: an address on the portal itself


def _remote_images_as_links(children: list[Token], allowed_hosts: frozenset[str]) -> list[Token]:
    """Each image from a host not allowed becomes a link to it (or, inside a link already, its text alone)."""
    result: list[Token] = []
    link_depth = 0
    for token in children:
        if token.type == "link_open":
            link_depth += 1
        elif token.type == "link_close":
            link_depth -= 1
        if token.type != "image" or _image_allowed(str(token.attrGet("src") or ""), allowed_hosts):
            result.append(token)
            continue
        source = str(token.attrGet("src") or "")
        label = token.children or [Token("text", "", 0, content=source)]
        if not token.content:
            label = [Token("text", "", 0, content=f"Image: {source}")]
        if link_depth:
            result.extend(label)
            continue
        link = Token("link_open", "a", 1, attrs={"href": source})
        if token.attrGet("title"):
            link.attrSet("title", str(token.attrGet("title")))
        result.extend([link, *label, Token("link_close", "a", -1)])
    return result
