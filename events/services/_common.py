"""What the events services share, private to this package: the event lock, the organizer check, the rules on an
event's times, seats and the waitlist's promotion, and how the domain's notifications are sent.

Other apps never import this module: they use the names ``events.services`` re-exports.
"""

from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from alliance.locking import lock_row, lock_rows, update_locked
from alliance.models import Notification
from alliance.notifications import notify, notify_crowd

from .. import selectors
from ..models import Event, Registration

# Test-only switch: the race tests turn it off to show that without the lock the race is real.
LOCK_EVENT_ROWS = True

BUSY = "Many people are registering right now; please try again in a moment."


def lock_event(event: Event) -> Event:
    """The event row, fresh and locked until the transaction ends; a long wait becomes a clear "try again"."""
    if not LOCK_EVENT_ROWS:
        return Event.objects.get(pk=event.pk)
    locked = lock_row(Event.objects.filter(pk=event.pk), busy=BUSY)
    if locked is None:
        raise DomainError("This event no longer exists.")
    return locked


def lock_registration(registration: Registration) -> Registration:
    """The registration row, fresh and locked until the transaction ends."""
    locked = lock_row(Registration.objects.filter(pk=registration.pk).select_related("person", "event"), busy=BUSY)
    if locked is None:
        raise DomainError("This registration no longer exists.")
    return locked


def require_organizer(actor: Any, event: Event) -> None:
    """The services' side of ``selectors.is_organizer``: the event's organizers and staff, or NotPermitted."""
    if not selectors.is_organizer(actor, event):
        raise NotPermitted("Only the event's organizers and staff can do this.")


def event_times_check(event: Event) -> None:
    """The rules on an event's times, written once: it ends after it starts, and registration closes after it opens
    and no later than the event ends. Forms and serializers show this refusal; they do not re-check."""
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        raise DomainError("The event must end after it starts.", field="ends_at")
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        raise DomainError("Registration must close after it opens.", field="registration_closes_at")
    if closes and event.ends_at and closes > event.ends_at:
        raise DomainError("Registration cannot close after the event ends.", field="registration_closes_at")


def notify_event(
    event: Event, template: str, recipients: list[Any], *, transactional: bool = False, **context: Any
) -> None:
    """A notification about the event, linking to its page (written to the outbox in the caller's transaction)."""
    notify(
        recipients=recipients,
        kind=Notification.Kind.EVENTS,
        template=template,
        context={"event": event, **context},
        url=event.get_absolute_url(),
        transactional=transactional,
    )


def notify_event_crowd(
    event: Event, template: str, people: QuerySet[Any], *, transactional: bool = False, **context: Any
) -> None:
    """The same notification to everyone ``people`` selects (all registered, say), at a cost that does not grow with
    them: one outbox row now, each person's message written and sent by the delivery job after commit."""
    notify_crowd(
        people=people,
        kind=Notification.Kind.EVENTS,
        template=template,
        context={"event": event, **context},
        url=event.get_absolute_url(),
        transactional=transactional,
    )


def take_free_seat(event: Event, now: datetime) -> bool:
    """Take one seat if one is free, deciding in one statement: a conditional ``UPDATE`` on the row as it is now
    (published, registration open, no seat cap per organization, below the capacity), which the database runs one at
    a time per event. The row stays locked from it to the commit only, so the caller does its other work (the
    registration, audit, notification) before asking. False: no seat this way (full, or the event changed).

    Without ``LOCK_EVENT_ROWS`` (the race tests) it takes the seat unconditionally, as code that checked first and
    wrote later would; the ``event_never_oversold`` constraint is then all that stops an oversell.
    """
    if not LOCK_EVENT_ROWS:
        Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
        event.confirmed_count += 1
        return True
    free = Event.objects.filter(
        Q(capacity__isnull=True) | Q(confirmed_count__lt=F("capacity")),
        Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now),
        Q(registration_closes_at__gt=now) | Q(registration_closes_at__isnull=True, starts_at__gt=now),
        pk=event.pk,
        status=Event.Status.PUBLISHED,
        organization_seat_cap__isnull=True,
        ends_at__gt=now,
    )
    if not update_locked(free, busy=BUSY, confirmed_count=F("confirmed_count") + 1):
        return False
    event.confirmed_count += 1
    return True


def confirm_seat(event: Event, registration: Registration, now: datetime) -> None:
    """Give the registration a seat; the F() increment lets the database check the capacity too."""
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
    event.confirmed_count += 1


def promote_from_waitlist(event: Event, *, actor: Any, now: datetime) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served (skipping organizations at their cap).

    The caller holds the event's lock; the waiting rows are locked too (in primary-key order, as every lock is),
    then taken in the order people arrived.
    """
    promoted: list[Registration] = []
    if event.status != Event.Status.PUBLISHED:
        return promoted
    waiting = lock_rows(
        event.registrations.filter(status=Registration.Status.WAITLISTED).select_related("person", "organization"),
        busy=BUSY,
    )
    waiting.sort(key=lambda registration: (registration.waitlisted_at or now, registration.pk))
    for registration in waiting:
        if event.capacity is not None and event.confirmed_count >= event.capacity:
            break
        if not selectors.organization_has_seat(event, registration.organization):
            continue
        confirm_seat(event, registration, now)
        registration.save(update_fields=["status", "confirmed_at"])
        audit_record(
            actor=actor,
            action="registration.promoted",
            target=registration,
            changes={"status": (Registration.Status.WAITLISTED, Registration.Status.CONFIRMED)},
        )
        notify_event(
            event,
            "events/notifications/registration_promoted",
            [registration.person],
            transactional=True,
            registration=registration,
        )
        promoted.append(registration)
    return promoted
