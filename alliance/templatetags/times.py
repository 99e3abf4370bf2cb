"""``{{ moment|zoned }}`` / ``{{ moment|zoned:event.timezone }}``: a time as every page shows one, 24-hour and with
its zone: "4 May 2026, 18:00 CEST". ``{{ moment|for_viewer:event.timezone }}``: the same moment in the viewer's
own zone ("Fri 11 Dec, 01:00 CET"), or nothing when it reads the same as in the event's zone or the viewer's zone
is not known.

Without a zone it is the viewer's zone (their own, else their browser's: ``alliance.locale``), else the portal's
(``TIME_ZONE``, UTC); with one (an IANA name, an alias too) that zone. A page never shows a time without saying
which zone it is in, so it is never read as the reader's own.
"""

import zoneinfo
from datetime import datetime, tzinfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from alliance.locale import viewer_zone

register = template.Library()

TIME_WITH_ZONE = "j M Y, H:i T"
VIEWER_TIME = "D j M, H:i T"


def in_zone(value: datetime, zone: str | tzinfo | None = None) -> datetime:
    if isinstance(zone, str):
        try:
            zone = zoneinfo.ZoneInfo(zone) if zone else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value, zone) if zone else timezone.localtime(value)


@register.filter(name="zoned", expects_localtime=False)
def zoned(value: datetime | None, zone: str | tzinfo | None = None) -> str:
    if not isinstance(value, datetime):
        return ""
    return date_format(in_zone(value, zone), TIME_WITH_ZONE)


@register.filter(name="for_viewer", expects_localtime=False)
def for_viewer(value: datetime | None, zone: str | tzinfo | None = None) -> str:
    """The moment in the viewer's zone, when it is known and reads differently from ``zone``'s."""
    mine = viewer_zone()
    if not isinstance(value, datetime) or not mine:
        return ""
    theirs, yours = in_zone(value, zone), in_zone(value, mine)
    if date_format(theirs, VIEWER_TIME) == date_format(yours, VIEWER_TIME):
        return ""
    return date_format(yours, VIEWER_TIME)


@register.filter(name="in_viewer_zone", expects_localtime=False)
def in_viewer_zone(value: datetime | None) -> str:
    """The moment in the viewer's zone, when it is known (the end of a span whose start ``for_viewer`` wrote)."""
    mine = viewer_zone()
    if not isinstance(value, datetime) or not mine:
        return ""
    return date_format(in_zone(value, mine), VIEWER_TIME)


@register.simple_tag(name="viewer_zone_known")
def viewer_zone_known() -> bool:
    """Whether the server knows the viewer's zone: then it wrote (or left out) "your time" itself, and the browser's
    script must not write it again from the browser's zone."""
    return bool(viewer_zone())
