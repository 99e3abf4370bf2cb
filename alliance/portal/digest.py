"""The weekly digest: a person's projects' updates of the last week and the events of the next two, once a week.

It reads from projects and events, so it lives on the top floor; the outbox (``alliance.notifications``)
delivers it like any other notification, under the "digests" preference.
"""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance.models import DigestSent, Notification, NotificationPreference
from alliance.notifications import notify
from events.models import Event
from events.selectors import events_visible_to
from members.models import User
from projects.models import Participation, ProjectUpdate

DIGEST_EVENTS_AHEAD = timedelta(days=14)


def week_of(moment: Any) -> date:
    """The Monday of the ISO week of an aware datetime (in the site's time zone)."""
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def digest_send(*, person: Any, now: Any = None) -> Notification | None:
    """This week's digest for one person: updates of their projects in the last week, visible events in the
    next two weeks. Sent at most once per person and week (``DigestSent``); nothing is sent when there is
    nothing to tell. Returns the notification, or None.
    """
    now = now or timezone.now()
    week = week_of(now)
    updates = list(
        ProjectUpdate.objects.filter(
            created_at__gte=now - timedelta(days=7),
            created_at__lte=now,
            project__participations__person=person,
            project__participations__status=Participation.Status.ACTIVE,
        )
        .exclude(author=person)
        .select_related("project", "author")
        .distinct()
        .order_by("project__title", "-created_at")
    )
    events = list(
        events_visible_to(person)
        .filter(status=Event.Status.PUBLISHED, starts_at__gte=now, starts_at__lte=now + DIGEST_EVENTS_AHEAD)
        .order_by("starts_at", "pk")
    )
    if not updates and not events:
        return None
    try:
        with transaction.atomic():
            sent = DigestSent.objects.create(person=person, week=week)
            [notification] = notify(
                recipients=[person],
                kind=Notification.Kind.DIGESTS,
                template="portal/notifications/weekly_digest",
                context={"updates": updates, "events": events, "week": week},
                url=reverse("inbox"),
            )
            sent.notification = notification
            sent.save(update_fields=["notification"])
    except IntegrityError:
        return None  # this week's digest already went out (another run got there first)
    return notification


def digests_send(*, now: Any = None) -> int:
    """The weekly digest for everyone who turned it on and has not had this week's yet; safe to run again."""
    now = now or timezone.now()
    people = (
        User.objects.filter(
            is_active=True,
            notification_preferences__kind=NotificationPreference.Kind.DIGESTS,
            notification_preferences__email_enabled=True,
            notification_preferences__consented_at__isnull=False,
        )
        .exclude(pk__in=DigestSent.objects.filter(week=week_of(now)).values("person_id"))
        .order_by("pk")
    )
    return sum(digest_send(person=person, now=now) is not None for person in people)
