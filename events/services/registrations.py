"""Writes of registrations: register, cancel (the waitlist moves up), check-in; and a waiting person's place.

Seats are never oversold: every service that changes who holds a seat first locks the event row, then counts,
then writes, all in one transaction (as pretix does), and the database refuses a confirmed count above the
capacity. People wait in order of arrival and are promoted in that order.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from members.models import User

from .. import selectors
from ..models import Event, Registration
from ._common import confirm_seat, lock_event, lock_registration, notify_event, promote_from_waitlist, require_organizer

# The pages show the registration button by the same window the service enforces.
registration_is_open = selectors.registration_is_open


def event_register(*, actor: User, event: Event) -> Registration:
    """Register the person: a seat if one is free, else the waitlist (if on), else a clear refusal.

    Whether they may is ``selectors.registration_options``, asked again here under the event's lock with the fresh
    row: the registration panel shows what this service would do.
    """
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to register.")
    organization = selectors.seat_organization(actor)
    with transaction.atomic():
        event = lock_event(event)
        now = timezone.now()
        options = selectors.registration_options(actor, event, organization=organization, now=now)
        if not options.may_register:
            raise (NotPermitted if options.not_permitted else DomainError)(options.refusal)
        registration = Registration(event=event, person=actor, organization=organization)
        seat_free = options.state == options.OPEN
        if seat_free:
            confirm_seat(event, registration, now)
        else:  # the waitlist
            registration.status = Registration.Status.WAITLISTED
            registration.waitlisted_at = now
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
        notify_event(event, template, [actor], transactional=True, registration=registration)
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
