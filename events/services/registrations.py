"""Writes of registrations: register, cancel (the waitlist moves up), check-in; and a waiting person's place.

Seats are never oversold: a seat is taken by one conditional ``UPDATE`` that only succeeds below the capacity (the
database runs them one at a time per event), every other change of who holds a seat first locks the event row, then
counts, then writes, all in one transaction (as pretix does), and the database refuses a confirmed count above the
capacity. People wait in order of arrival (the waitlist is joined under the event's lock) and are promoted in that
order.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from members.models import User

from .. import selectors
from ..models import Event, Registration
from ._common import (
    lock_event,
    lock_registration,
    notify_event,
    promote_from_waitlist,
    require_organizer,
    take_free_seat,
)

# The pages show the registration button by the same window the service enforces.
registration_is_open = selectors.registration_is_open


class _SeatGone(Exception):
    """The seat the registration was written for was taken meanwhile: its transaction is undone."""


_ALREADY_REGISTERED = "You are already registered for this event."


def event_register(*, actor: User, event: Event) -> Registration:
    """Register the person: a seat if one is free, else the waitlist (if on), else a clear refusal.

    Whether they may is ``selectors.registration_options`` (the registration panel shows what this service would
    do). Which organization the person's seat counts against is read at once; whether they hold a registration
    already is not: the database refuses a second active one (``registration_one_active_per_person``), and so does
    this service, in the same words as the page (read only to explain a refusal). While seats look free, the
    registration, its audit entry and its notification are written first and the seat is taken last, in one
    conditional ``UPDATE`` on the row as it is (``take_free_seat``): the event row is held only from that statement
    to the commit. Otherwise (the seat went meanwhile, the event is full, has a seat cap per organization, or looks
    closed) the first transaction is undone and the rules are asked again under the event's lock with the fresh
    row: the waitlist is joined there, so people wait in the order they came.
    """
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to register.")
    organization = selectors.seat_organization(actor)
    # whether they hold a registration already is not read: the database refuses a second one (and says so below)
    options = selectors.registration_options(actor, event, registration=None, organization=organization)
    if options.not_permitted:
        raise NotPermitted(options.refusal)
    try:
        if options.state == options.OPEN and event.organization_seat_cap is None:
            try:
                with transaction.atomic():
                    registration = _registration_record(actor, event, organization, confirmed=True)
                    if not take_free_seat(event, registration.created_at):
                        raise _SeatGone
                return registration
            except _SeatGone:
                pass
        with transaction.atomic():
            event = lock_event(event)
            options = selectors.registration_options(actor, event, registration=None, organization=organization)
            if not options.may_register:
                if _holds_registration(actor, event):
                    raise DomainError(_ALREADY_REGISTERED)  # the refusal that matters to them (the page says it too)
                raise (NotPermitted if options.not_permitted else DomainError)(options.refusal)
            seat_free = options.state == options.OPEN
            if seat_free:  # under the lock: counted on the fresh row, and the database checks the capacity too
                Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
                event.confirmed_count += 1
            return _registration_record(actor, event, organization, confirmed=seat_free)
    except IntegrityError as error:
        # registration_one_active_per_person, however the database words it (SQLite names the columns only)
        if _holds_registration(actor, event):
            raise DomainError(_ALREADY_REGISTERED) from error
        raise


def _holds_registration(person: User, event: Event) -> bool:
    """Whether the person holds an active registration (a seat or a place on the waitlist) for the event."""
    return event.registrations.filter(person_id=person.pk, status__in=Registration.ACTIVE_STATUSES).exists()


def _registration_record(actor: User, event: Event, organization: Any, *, confirmed: bool) -> Registration:
    """The registration row, its audit entry and its notification (rendered now), in the caller's transaction."""
    now = timezone.now()
    registration = Registration(event=event, person=actor, organization=organization)
    if confirmed:
        registration.status, registration.confirmed_at = Registration.Status.CONFIRMED, now
    else:
        registration.status, registration.waitlisted_at = Registration.Status.WAITLISTED, now
    registration.save()
    audit_record(
        actor=actor,
        action=f"registration.{registration.status}",
        target=registration,
        changes={"status": (None, registration.status)},
    )
    template = "registration_confirmed" if confirmed else "registration_waitlisted"
    notify_event(event, f"events/notifications/{template}", [actor], transactional=True, registration=registration)
    return registration


def registration_cancel(*, actor: User, registration: Registration) -> Registration:
    """The person (or an organizer) cancels; a freed seat goes to the first person waiting."""
    if actor.pk != registration.person_id:
        require_organizer(actor, registration.event)
    with transaction.atomic():
        event = lock_event(registration.event)
        registration = lock_registration(registration)
        if registration.status == Registration.Status.CANCELLED:
            raise DomainError("This registration is already cancelled.")
        before = registration.status
        now = timezone.now()
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
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
        promote_from_waitlist(event, actor=actor, now=now)
    return registration


def event_registration_cancel(*, actor: User, event: Event) -> Registration:
    """Cancel the actor's own active registration for the event."""
    registration = event.registrations.filter(person_id=actor.pk, status__in=Registration.ACTIVE_STATUSES).first()
    if registration is None:
        raise DomainError("You are not registered for this event.")
    return registration_cancel(actor=actor, registration=registration)


def registration_check_in(*, actor: User, registration: Registration) -> Registration:
    """An organizer marks a confirmed attendee as present."""
    require_organizer(actor, registration.event)
    with transaction.atomic():
        registration = lock_registration(registration)
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
