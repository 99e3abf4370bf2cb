"""Writes of the events themselves: create, edit, publish, cancel, capacity, and who organizes them.

Every change to an existing event locks its row first (``_common.lock_event``), so edits, capacity changes,
organizer changes and registrations never interleave.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, validate_model
from alliance.slugs import unique_slug
from alliance.text import clean_name, clean_slug
from members.models import User
from members.selectors import person_by_email
from projects.models import Project

from .. import selectors
from ..models import Event, Registration
from ._common import (
    event_times_check,
    lock_event,
    notify_event,
    notify_event_crowd,
    promote_from_waitlist,
    require_organizer,
)

# Addresses the event pages use for themselves (/events/new/): no event may take them as its slug.
RESERVED_EVENT_SLUGS = frozenset({"new"})

CREATE_REFUSAL = "Only staff, or the leads of the hosting project, can create events."

EVENT_EDITABLE_FIELDS = (
    "title", "description", "kind", "format", "venue", "online_url", "starts_at", "ends_at", "timezone",
    "visibility", "waitlist_enabled", "organization_seat_cap", "registration_opens_at", "registration_closes_at",
)  # fmt: skip


def event_create_check(*, actor: Any) -> None:
    """Whether the person may create events at all: staff, or the lead of a project (for the projects they lead).

    The pages and the API ask it before they read what was sent, so a person who may not create events hears that
    (403) whatever the body says; ``event_create`` then checks the hosting project itself.
    """
    if not selectors.may_create_events(actor):
        raise NotPermitted(CREATE_REFUSAL)


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
    if not selectors.may_host_event(actor, project):
        raise NotPermitted(CREATE_REFUSAL)
    title = clean_name(title, field="title")  # single-line: it is a line of the event's .ics
    slug = clean_slug(slug) if slug else ""
    if slug in RESERVED_EVENT_SLUGS:
        raise DomainError(f"The address “{slug}” is reserved; choose another.", field="slug")
    if not slug:
        slug = unique_slug(Event, title, fallback="event")
        if slug in RESERVED_EVENT_SLUGS:
            slug = unique_slug(Event, f"{slug}-event", fallback="event")
    event = Event(
        title=title,
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
    event_times_check(event)
    validate_model(event, exclude=["created_by"])
    if event.format != Event.Format.VIRTUAL and not event.venue:
        raise DomainError("Give the venue address of an in-person or hybrid event.", field="venue")
    with transaction.atomic():
        event.save()
        event.organizers.add(actor)
        audit_record(actor=actor, action="event.created", target=event)
    return event


def event_update(*, actor: User, event: Event, **fields: Any) -> Event:
    """Organizers change the details; capacity has its own service (it moves people on the waitlist)."""
    require_organizer(actor, event)
    unknown = set(fields) - set(EVENT_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "title" in fields:
        fields["title"] = clean_name(fields["title"], field="title")
    with transaction.atomic():
        event = lock_event(event)
        changes = {}
        for field, value in fields.items():
            if getattr(event, field) != value:
                changes[field] = (getattr(event, field), value)
                setattr(event, field, value)
        event_times_check(event)
        validate_model(event, exclude=["created_by"])
        if changes:
            event.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action="event.updated", target=event, changes=changes)
    return event


def event_publish(*, actor: User, event: Event) -> Event:
    """Organizers open a draft to everyone who may see it; registration opens with it (unless set later). An event
    that has already started is not published: it would open registration for something past."""
    require_organizer(actor, event)
    with transaction.atomic():
        event = lock_event(event)
        if event.status != Event.Status.DRAFT:
            raise DomainError(f"Only a draft can be published; this event is {event.get_status_display().lower()}.")
        if event.starts_at <= timezone.now():
            raise DomainError(
                "This event has already started, so no one could register: move its start into the future first.",
                field="starts_at",
            )
        event.status = Event.Status.PUBLISHED
        event.published_at = timezone.now()
        event.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(actor=actor, action="event.published", target=event, changes={"status": ("draft", "published")})
    return event


def event_cancel(*, actor: User, event: Event, reason: str = "") -> Event:
    """Organizers cancel the event; everyone registered or waiting is told (by the delivery job, after commit: the
    request costs the same for ten people or ten thousand)."""
    require_organizer(actor, event)
    with transaction.atomic():
        event = lock_event(event)
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
        people = User.objects.filter(registrations__event=event, registrations__status__in=Registration.ACTIVE_STATUSES)
        notify_event_crowd(event, "events/notifications/event_cancelled", people, transactional=True, reason=reason)
    return event


def event_change_capacity(*, actor: User, event: Event, capacity: int | None) -> Event:
    """Organizers raise or lower the capacity; raising it promotes people from the waitlist."""
    require_organizer(actor, event)
    if capacity is not None and capacity < 1:
        raise DomainError("Capacity must be at least 1, or empty for unlimited.", field="capacity")
    with transaction.atomic():
        event = lock_event(event)
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
        promote_from_waitlist(event, actor=actor, now=timezone.now())
    return event


# --- organizers -------------------------------------------------------------------------------------------------


def organizer_by_address(email: str) -> User:
    """The account an organizer is added or removed by: its address, as the page, the API and the admin take it.

    One lookup and one refusal for all three (the address is matched as ``members.selectors.person_by_email``
    matches it, whatever its case).
    """
    email = (email or "").strip()
    person = person_by_email(email) if email else None
    if person is None:
        given = f" {email}" if email else ""
        raise DomainError(f"No one has an account with the address{given}.", field="email")
    return person


def event_organizer_add(*, actor: User, event: Event, person: User) -> Event:
    """An organizer (or staff) shares the organizing with a colleague, who is told by email.

    The event row is locked, as for removals, so adding and removing organizers never interleave.
    """
    require_organizer(actor, event)
    if not person.is_active:
        raise DomainError(f"The account of {person.email} is deactivated: it cannot organize events.", field="email")
    with transaction.atomic():
        event = lock_event(event)
        if event.organizers.filter(pk=person.pk).exists():
            raise DomainError(f"{person.get_full_name()} already organizes this event.", field="email")
        event.organizers.add(person)
        audit_record(
            actor=actor, action="event.organizer_added", target=event, changes={"organizers": (None, person.email)}
        )
        notify_event(event, "events/notifications/event_organizer_added", [person], added_by=actor)
    return event


def event_organizer_remove(*, actor: User, event: Event, person: User) -> Event:
    """An organizer (or staff) removes an organizer, themselves included, but never the last one.

    The count is taken under the event's lock: two organizers removing each other at once cannot leave an event
    that nobody organizes.
    """
    require_organizer(actor, event)
    with transaction.atomic():
        event = lock_event(event)
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
