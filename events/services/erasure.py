"""The events app's part of erasing an account: the person's places at events still to come are cancelled through
``registration_cancel`` (so the first person waiting is promoted and told, as on any cancellation), they stop
organizing the events still to come (refused while they are an event's only organizer) and their calendar feed goes.

Registrations of events that have ended stay as they are (attendance counts and check-ins are the organizers'
record); they point at the emptied account, which shows as "Former member".
"""

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from members.models import User

from ..models import CalendarFeed, Event, Registration
from .events import event_organizer_remove
from .registrations import registration_cancel


def person_events_leave(*, person: User) -> None:
    """Cancel the person's registrations for events not yet ended, leave the organizing of those events, and delete
    their private calendar feed."""
    now = timezone.now()
    with transaction.atomic():
        upcoming = Registration.objects.filter(
            person=person, status__in=Registration.ACTIVE_STATUSES, event__ends_at__gt=now
        ).select_related("event")
        for registration in upcoming.order_by("event_id", "pk"):
            registration_cancel(actor=person, registration=registration)
        for event in Event.objects.filter(organizers=person, ends_at__gt=now).order_by("pk"):
            event_organizer_remove(actor=person, event=event, person=person)
        for feed in CalendarFeed.objects.filter(person=person):
            audit_record(actor=person, action="calendar_feed.deleted", target=feed)
            feed.delete()
