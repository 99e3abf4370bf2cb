"""``{{ moment|zoned }}`` / ``{{ moment|zoned:event.timezone }}``: a time as every page shows one, 24-hour and with
its zone: "4 May 2026, 18:00 CEST".

Without a zone it is the page's own zone (``TIME_ZONE``, UTC); with one (an IANA name, an alias too) that zone. A
page never shows a time without saying which zone it is in, so it is never read as the reader's own.
"""

import zoneinfo
from datetime import datetime, tzinfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

TIME_WITH_ZONE = "j M Y, H:i T"


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
