"""Every write of the events domain: events, registrations and the waitlist, check-in, reminders, feeds.

Seats are never oversold: every service that changes who holds a seat first locks the event row, then counts,
then writes, all in one transaction (as pretix does), and the database refuses a confirmed count above the
capacity. People wait in order of arrival and are promoted in that order.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, validate_model
from alliance.models import Notification
from alliance.notifications import notify
from alliance.slugs import unique_slug
from members.models import Affiliation, Organization, User
from members.selectors import is_alliance_member
from projects.models import Project
from projects.selectors import is_project_lead

from .models import CalendarFeed, Event, Registration
from .selectors import is_organizer

# Test-only switch: the race tests turn it off to show that without the lock the race is real.
LOCK_EVENT_ROWS = True
LOCK_TIMEOUT = "3s"

# Addresses the event pages use for themselves (/events/new/): no event may take them as its slug.
RESERVED_EVENT_SLUGS = frozenset({"new"})

EVENT_EDITABLE_FIELDS = (
    "title", "description", "kind", "format", "venue", "online_url", "starts_at", "ends_at", "timezone",
    "visibility", "waitlist_enabled", "organization_seat_cap", "registration_opens_at", "registration_closes_at",
)  # fmt: skip


# --- who may organize --------------------------------------------------------------------------------------------


def _require_organizer(actor: Any, event: Event) -> None:
    if not is_organizer(actor, event):
        raise NotPermitted("Only the event's organizers and staff can do this.")


def _check_window(event: Event) -> None:
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        raise DomainError("Registration must close after it opens.", field="registration_closes_at")
    if event.registration_closes_at and event.registration_closes_at > event.ends_at:
        raise DomainError("Registration cannot close after the event ends.", field="registration_closes_at")


def _notify_event(
    event: Event, template: str, recipients: list[Any], *, transactional: bool = False, **context: Any
) -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.EVENTS,
        template=template,
        context={"event": event, **context},
        url=event.get_absolute_url(),
        transactional=transactional,
    )


# --- events -------------------------------------------------------------------------------------------------------


def event_create(
    *,
    actor: User,
    title: str,
    kind: str,
    format: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone_name: str = "UTC",
    description: str = "",
    venue: str = "",
    online_url: str = "",
    project: Project | None = None,
    visibility: str = Event.Visibility.PUBLIC,
    capacity: int | None = None,
    waitlist_enabled: bool = True,
    organization_seat_cap: int | None = None,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    slug: str = "",
) -> Event:
    """Staff, or the leads of the hosting project, create a draft event and become its organizers."""
    if not (getattr(actor, "is_staff", False) or (project is not None and is_project_lead(actor, project))):
        raise NotPermitted("Only staff, or the leads of the hosting project, can create events.")
    if slug in RESERVED_EVENT_SLUGS:
        raise DomainError(f"The address “{slug}” is reserved; choose another.", field="slug")
    if not slug:
        slug = unique_slug(Event, title or "", fallback="event")
        if slug in RESERVED_EVENT_SLUGS:
            slug = unique_slug(Event, f"{slug}-event", fallback="event")
    event = Event(
        title=(title or "").strip(),
        slug=slug,
        description=description,
        kind=kind,
        format=format,
        venue=venue,
        online_url=online_url,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone_name,
        project=project,
        visibility=visibility,
        capacity=capacity,
        waitlist_enabled=waitlist_enabled,
        organization_seat_cap=organization_seat_cap,
        registration_opens_at=registration_opens_at,
        registration_closes_at=registration_closes_at,
        created_by=actor,
    )
    validate_model(event, exclude=["created_by"])
    _check_window(event)
    if event.format != Event.Format.VIRTUAL and not event.venue:
        raise DomainError("Give the venue address of an in-person or hybrid event.", field="venue")
    with transaction.atomic():
        event.save()
        event.organizers.add(actor)
        audit_record(actor=actor, action="event.created", target=event)
    return event


def event_update(*, actor: User, event: Event, **fields: Any) -> Event:
    """Organizers change the details; capacity has its own service (it moves people on the waitlist)."""
    _require_organizer(actor, event)
    unknown = set(fields) - set(EVENT_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        event = _lock(event)
        changes = {}
        for field, value in fields.items():
            if getattr(event, field) != value:
                changes[field] = (getattr(event, field), value)
                setattr(event, field, value)
        validate_model(event, exclude=["created_by"])
        _check_window(event)
        if changes:
            event.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action="event.updated", target=event, changes=changes)
    return event


def event_publish(*, actor: User, event: Event) -> Event:
    _require_organizer(actor, event)
    with transaction.atomic():
        event = _lock(event)
        if event.status != Event.Status.DRAFT:
            raise DomainError(f"Only a draft can be published; this event is {event.get_status_display().lower()}.")
        event.status = Event.Status.PUBLISHED
        event.published_at = timezone.now()
        event.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(actor=actor, action="event.published", target=event, changes={"status": ("draft", "published")})
    return event


def event_cancel(*, actor: User, event: Event, reason: str = "") -> Event:
    """Organizers cancel the event; everyone registered or waiting is told."""
    _require_organizer(actor, event)
    with transaction.atomic():
        event = _lock(event)
        if event.status == Event.Status.CANCELLED:
            raise DomainError("This event is already cancelled.")
        before = event.status
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="event.cancelled",
            target=event,
            changes={"status": (before, event.status)},
            note=reason,
        )
        people = list(
            User.objects.filter(
                registrations__event=event, registrations__status__in=Registration.ACTIVE_STATUSES
            ).order_by("pk")
        )
        _notify_event(event, "events/notifications/event_cancelled", people, transactional=True, reason=reason)
    return event


# --- organizers -------------------------------------------------------------------------------------------------


def event_organizer_add(*, actor: User, event: Event, person: User) -> Event:
    """An organizer (or staff) shares the organizing with a colleague, who is told by email.

    The event row is locked, as for removals, so adding and removing organizers never interleave.
    """
    _require_organizer(actor, event)
    if not person.is_active:
        raise DomainError(f"The account of {person.email} is deactivated: it cannot organize events.", field="email")
    with transaction.atomic():
        event = _lock(event)
        if event.organizers.filter(pk=person.pk).exists():
            raise DomainError(f"{person.get_full_name()} already organizes this event.", field="email")
        event.organizers.add(person)
        audit_record(
            actor=actor, action="event.organizer_added", target=event, changes={"organizers": (None, person.email)}
        )
        _notify_event(event, "events/notifications/event_organizer_added", [person], added_by=actor)
    return event


def event_organizer_remove(*, actor: User, event: Event, person: User) -> Event:
    """An organizer (or staff) removes an organizer, themselves included, but never the last one.

    The count is taken under the event's lock: two organizers removing each other at once cannot leave an event
    that nobody organizes.
    """
    _require_organizer(actor, event)
    with transaction.atomic():
        event = _lock(event)
        organizer_ids = set(event.organizers.values_list("pk", flat=True))
        if person.pk not in organizer_ids:
            raise DomainError(f"{person.get_full_name()} does not organize this event.")
        if len(organizer_ids) == 1:
            raise DomainError(
                f"{person.get_full_name()} is the only organizer, and an event always keeps at least one organizer: "
                "add another before removing them."
            )
        event.organizers.remove(person)
        audit_record(
            actor=actor, action="event.organizer_removed", target=event, changes={"organizers": (person.email, None)}
        )
    return event


# --- the lock -----------------------------------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    """The event row, locked until the transaction ends; a long wait becomes a clear "try again"."""
    if not LOCK_EVENT_ROWS:
        return Event.objects.get(pk=event.pk)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        return Event.objects.select_for_update().get(pk=event.pk)
    except OperationalError as error:
        raise DomainError("Many people are registering right now; please try again in a moment.") from error


# --- registrations ----------------------------------------------------------------------------------------------


def _seat_organization(person: User) -> Organization | None:
    """The organization a person's seat counts against: their first active member organization."""
    affiliation = (
        Affiliation.objects.filter(person=person, organization__status=Organization.Status.ACTIVE)
        .select_related("organization")
        .order_by("created_at", "pk")
        .first()
    )
    return affiliation.organization if affiliation else None


def _organization_has_seat(event: Event, organization: Organization | None, *, exclude: Any = None) -> bool:
    if event.organization_seat_cap is None or organization is None:
        return True
    taken = event.registrations.filter(status=Registration.Status.CONFIRMED, organization=organization)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.count() < event.organization_seat_cap


def _registration_open(event: Event, now: datetime) -> bool:
    opens = event.registration_opens_at or event.published_at
    closes = event.registration_closes_at or event.starts_at
    return (opens is None or opens <= now) and now < closes


def registration_is_open(event: Event, *, now: datetime | None = None) -> bool:
    """Whether the registration window is open now (the pages show the button by the same rule)."""
    return _registration_open(event, now or timezone.now())


def _confirm(event: Event, registration: Registration, now: datetime) -> None:
    """Give the registration a seat; the F() increment lets the database check the capacity too."""
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
    event.confirmed_count += 1


def event_register(*, actor: User, event: Event) -> Registration:
    """Register the person: a seat if one is free, else the waitlist (if on), else a clear refusal."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to register.")
    organization = _seat_organization(actor)
    with transaction.atomic():
        event = _lock(event)
        now = timezone.now()
        if event.status == Event.Status.CANCELLED:
            raise DomainError("This event was cancelled.")
        if event.status != Event.Status.PUBLISHED:
            raise DomainError("This event is not open for registration yet.")
        if event.visibility == Event.Visibility.MEMBERS and not is_alliance_member(actor):
            raise NotPermitted("This event is for people of alliance member organizations.")
        if not _registration_open(event, now):
            raise DomainError("Registration for this event is closed.")
        if event.registrations.filter(person=actor, status__in=Registration.ACTIVE_STATUSES).exists():
            raise DomainError("You are already registered for this event.")
        seat_free = event.capacity is None or event.confirmed_count < event.capacity
        if seat_free and not _organization_has_seat(event, organization):
            raise DomainError(f"{organization} already holds its {event.organization_seat_cap} seat(s) at this event.")
        registration = Registration(event=event, person=actor, organization=organization)
        if seat_free:
            _confirm(event, registration, now)
        elif event.waitlist_enabled:
            registration.status = Registration.Status.WAITLISTED
            registration.waitlisted_at = now
        else:
            raise DomainError("This event is full.")
        registration.save()
        audit_record(
            actor=actor,
            action=f"registration.{registration.status}",
            target=registration,
            changes={"status": (None, registration.status)},
        )
        template = (
            "events/notifications/registration_confirmed"
            if seat_free
            else "events/notifications/registration_waitlisted"
        )
        _notify_event(event, template, [actor], transactional=True, registration=registration)
    return registration


def _promote(event: Event, *, actor: Any, now: datetime) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served (skipping organizations at their cap)."""
    promoted: list[Registration] = []
    if event.status != Event.Status.PUBLISHED:
        return promoted
    waiting = (
        event.registrations.filter(status=Registration.Status.WAITLISTED)
        .select_for_update()
        .select_related("person")
        .order_by("waitlisted_at", "pk")
    )
    for registration in waiting:
        if event.capacity is not None and event.confirmed_count >= event.capacity:
            break
        if not _organization_has_seat(event, registration.organization):
            continue
        _confirm(event, registration, now)
        registration.save(update_fields=["status", "confirmed_at"])
        audit_record(
            actor=actor,
            action="registration.promoted",
            target=registration,
            changes={"status": (Registration.Status.WAITLISTED, Registration.Status.CONFIRMED)},
        )
        _notify_event(
            event,
            "events/notifications/registration_promoted",
            [registration.person],
            transactional=True,
            registration=registration,
        )
        promoted.append(registration)
    return promoted


def registration_cancel(*, actor: User, registration: Registration) -> Registration:
    """The person (or an organizer) cancels; a freed seat goes to the first person waiting."""
    if actor.pk != registration.person_id:
        _require_organizer(actor, registration.event)
    with transaction.atomic():
        event = _lock(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            raise DomainError("This registration is already cancelled.")
        before = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if before == Registration.Status.CONFIRMED:
            Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") - 1)
            event.confirmed_count -= 1
        audit_record(
            actor=actor,
            action="registration.cancelled",
            target=registration,
            changes={"status": (before, registration.status)},
        )
        _promote(event, actor=actor, now=registration.cancelled_at)
    return registration


def event_registration_cancel(*, actor: User, event: Event) -> Registration:
    """Cancel the actor's own active registration for the event."""
    registration = event.registrations.filter(person=actor, status__in=Registration.ACTIVE_STATUSES).first()
    if registration is None:
        raise DomainError("You are not registered for this event.")
    return registration_cancel(actor=actor, registration=registration)


def event_change_capacity(*, actor: User, event: Event, capacity: int | None) -> Event:
    """Organizers raise or lower the capacity; raising it promotes people from the waitlist."""
    _require_organizer(actor, event)
    if capacity is not None and capacity < 1:
        raise DomainError("Capacity must be at least 1, or empty for unlimited.", field="capacity")
    with transaction.atomic():
        event = _lock(event)
        if capacity is not None and capacity < event.confirmed_count:
            raise DomainError(
                f"{event.confirmed_count} people hold a seat: the capacity cannot go below that.", field="capacity"
            )
        before = event.capacity
        if before == capacity:
            return event
        event.capacity = capacity
        event.save(update_fields=["capacity", "updated_at"])
        audit_record(
            actor=actor, action="event.capacity_changed", target=event, changes={"capacity": (before, capacity)}
        )
        _promote(event, actor=actor, now=timezone.now())
    return event


def registration_check_in(*, actor: User, registration: Registration) -> Registration:
    """An organizer marks a confirmed attendee as present."""
    _require_organizer(actor, registration.event)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.CONFIRMED:
            raise DomainError("Only confirmed attendees can be checked in.")
        if registration.checked_in_at:
            raise DomainError(f"{registration.person} was already checked in.")
        registration.checked_in_at = timezone.now()
        registration.save(update_fields=["checked_in_at"])
        audit_record(actor=actor, action="registration.checked_in", target=registration)
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting; None when not waitlisted."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk),
        event_id=registration.event_id,
        status=Registration.Status.WAITLISTED,
    ).count()
    return ahead + 1


# --- reminders and calendar feeds ----------------------------------------------------------------------------------


def event_reminders_send(*, now: datetime | None = None) -> int:
    """The beat job: remind each confirmed attendee once, EVENT_REMINDER_BEFORE the start.

    The reminder is recorded on the registration in the same transaction as its notification (the outbox), and
    rows another worker is handling are skipped, so running twice, or a worker dying midway, sends one each.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + settings.EVENT_REMINDER_BEFORE,
    )
    sent = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, status=Registration.Status.CONFIRMED, reminder_sent_at__isnull=True)
                .select_related("event", "person")
                .first()
            )
            if registration is None:
                continue
            registration.reminder_sent_at = now
            registration.save(update_fields=["reminder_sent_at"])
            _notify_event(
                registration.event,
                "events/notifications/event_reminder",
                [registration.person],
                registration=registration,
            )
            sent += 1
    return sent


def calendar_feed_for(*, person: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(person=person)
    return feed


def calendar_feed_reset(*, person: User) -> CalendarFeed:
    """Issue a new private feed address; the old one stops working at once."""
    with transaction.atomic():
        feed = calendar_feed_for(person=person)
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save(update_fields=["token"])
        audit_record(actor=person, action="calendar_feed.reset", target=feed)
    return feed
