"""How long ago something happened, in its largest unit ("3 days", "2 hours"), the way a person says it."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


def age_of(since: datetime, now: datetime | None = None) -> str:
    """``since`` to ``now`` in its largest unit: "3 days", "5 minutes"; "under a minute" rather than "0 minutes"."""
    now = now or timezone.now()
    if now - since < timedelta(minutes=1):
        return "under a minute"
    return timesince(since, now, depth=1)


@register.filter(name="age")
def age_filter(since: datetime | None) -> str:
    return age_of(since) if since else ""
