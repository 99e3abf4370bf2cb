"""Template tags of the members domain: the grace banner of every page."""

from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from members.selectors import grace_period

register = template.Library()


@register.inclusion_tag("members/partials/grace_banner.html", takes_context=True)
def membership_grace_banner(context: dict[str, Any]) -> dict[str, Any]:
    """The banner for a person one of whose organizations is in grace: read from the person's own row (loaded
    with it by ``members.auth_backends``), so it costs no query."""
    grace = getattr(context.get("user"), "membership_grace", None)
    if not grace:
        return {"grace": None}
    term_end = grace["term_end"]
    if not isinstance(term_end, datetime):
        term_end = parse_datetime(str(term_end).replace(" ", "T"))
    if term_end is None:
        return {"grace": None}
    if timezone.is_naive(term_end):  # SQLite's JSON writes UTC without its offset (PostgreSQL's carries it)
        term_end = timezone.make_aware(term_end, UTC)
    return {
        "grace": grace,
        "term_end": term_end,
        "grace_until": term_end + grace_period(),
        "is_admin": grace.get("role") == "admin",
    }
