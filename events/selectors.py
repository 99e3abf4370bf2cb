"""Reusable read queries of the events domain; each costs a fixed number of queries whatever the rows.

Who sees what, everywhere (pages, calendars, API):

- published and cancelled public events: everyone;
- members-only events: people of active member organizations (others do not see them at all, as with
  members-only projects), plus anyone already registered and the organizers;
- drafts: only their organizers and staff. Staff see everything.

An event's hosting project is named (title, slug, link) only to who may see that project
(``projects.selectors.projects_visible_to``): ``viewer_sees_project`` says so on every event the selectors return.
"""

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from members.selectors import is_member_expression
from projects.models import Project
from projects.selectors import projects_visible_to

from .models import Event, Registration

UPCOMING, PAST = "upcoming", "past"


def events_visible_to(person: Any) -> QuerySet[Event]:
    """The events the person may see, by the rules in the module docstring."""
    if getattr(person, "is_staff", False):
        return Event.objects.all()
    listed = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
    if not getattr(person, "is_authenticated", False):
        return Event.objects.filter(listed, visibility=Event.Visibility.PUBLIC)
    organized = Event.organizers.through.objects.filter(user_id=person.pk).values("event_id")
    registered = Registration.objects.filter(person_id=person.pk).values("event_id")
    return Event.objects.alias(viewer_is_member=is_member_expression(person)).filter(
        (listed & (Q(visibility=Event.Visibility.PUBLIC) | Q(viewer_is_member=True)))
        | Q(pk__in=organized)
        | Q(pk__in=registered)
    )


def _waitlist_position() -> Subquery:
    """For a registration row: 1 + the number of people waiting before it (None when not waitlisted)."""
    ahead_or_same = (
        Registration.objects.filter(event_id=OuterRef("event_id"), status=Registration.Status.WAITLISTED)
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("event_id")
        .annotate(position=Count("pk"))
        .values("position")
    )
    return Subquery(ahead_or_same)


def _waitlist_position_or_none() -> Case:
    return Case(
        When(status=Registration.Status.WAITLISTED, then=_waitlist_position()),
        default=None,
        output_field=IntegerField(),
    )


def with_viewer_registration(events: QuerySet[Event], person: Any) -> QuerySet[Event]:
    """Attach what the viewer's own situation needs, at a fixed cost for any number of events.

    ``viewer_is_organizer`` (an annotation: staff, or one of the event's organizers) and
    ``viewer_registrations`` (one prefetch query: the person's active registration, a list of at most one,
    with its waitlist ``position``).
    """
    if not getattr(person, "is_authenticated", False):
        return events.annotate(viewer_is_organizer=Value(False)).prefetch_related(
            Prefetch("registrations", queryset=Registration.objects.none(), to_attr="viewer_registrations")
        )
    if person.is_staff:
        organizer = Value(True)
    else:
        organizer = Exists(Event.organizers.through.objects.filter(event_id=OuterRef("pk"), user_id=person.pk))
    mine = Registration.objects.filter(person_id=person.pk, status__in=Registration.ACTIVE_STATUSES).annotate(
        position=_waitlist_position_or_none()
    )
    return events.annotate(viewer_is_organizer=organizer).prefetch_related(
        Prefetch("registrations", queryset=mine, to_attr="viewer_registrations")
    )


def with_viewer_project(events: QuerySet[Event], person: Any) -> QuerySet[Event]:
    """Annotate ``viewer_sees_project``: a public event may be hosted by a draft or members-only project, whose
    title must not show to who cannot see it. One subquery per list (plus, for a signed-in person, the one
    membership query ``projects_visible_to`` makes), whatever the number of events."""
    visible = projects_visible_to(person).filter(pk=OuterRef("project_id"))
    return events.annotate(viewer_sees_project=Exists(visible))


def hosting_projects(person: Any) -> QuerySet[Project]:
    """The projects the person may see that host an event the person may see: the event list's project filter."""
    hosting = events_visible_to(person).filter(project__isnull=False).values("project_id")
    return projects_visible_to(person).filter(pk__in=hosting).order_by("title")


def viewer_registration(event: Event) -> Registration | None:
    """The registration attached by ``with_viewer_registration`` (None when the viewer holds none)."""
    registrations = getattr(event, "viewer_registrations", None) or []
    return registrations[0] if registrations else None


def event_list(
    *,
    person: Any,
    when: str = UPCOMING,
    kind: str = "",
    format: str = "",
    focus_area: str = "",
    project: str = "",
    search: str = "",
    status: str = "",
    visibility: str = "",
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Events as lists show them: hosting project joined, the viewer's registration prefetched.

    ``when`` is ``upcoming`` (not yet over, soonest first), ``past`` (over, latest first) or empty (all, by start).
    """
    now = now or timezone.now()
    events = events_visible_to(person).select_related("project")
    if when == UPCOMING:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    elif when == PAST:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.order_by("starts_at", "pk")
    if kind:
        events = events.filter(kind=kind)
    if format:
        events = events.filter(format=format)
    if status:
        events = events.filter(status=status)
    if visibility:
        events = events.filter(visibility=visibility)
    if project:
        events = events.filter(project__slug=project)
    if focus_area:
        events = events.filter(project__focus_areas__slug=focus_area)
    if search:
        events = events.filter(
            Q(title__icontains=search) | Q(description__icontains=search) | Q(venue__icontains=search)
        )
    return with_viewer_project(with_viewer_registration(events, person), person)


def event_for_viewer(*, person: Any, slug: str) -> Event | None:
    """One event the person may see, with its project and the person's registration; None when hidden."""
    events = events_visible_to(person).filter(slug=slug).select_related("project")
    return with_viewer_project(with_viewer_registration(events, person), person).first()


def event_registrations(event: Event, *, status: str = "") -> QuerySet[Registration]:
    """An event's registrations for its organizers: people and organizations joined, waitlist positions."""
    registrations = registrations_for_organizers().filter(event=event)
    if status:
        registrations = registrations.filter(status=status)
    return registrations


def registrations_for_organizers() -> QuerySet[Registration]:
    return (
        Registration.objects.select_related("person", "organization", "event")
        .annotate(position=_waitlist_position_or_none())
        .order_by("created_at", "pk")
    )


def event_waitlist(event: Event) -> QuerySet[Registration]:
    """The people waiting, in the order they will be given seats."""
    return (
        registrations_for_organizers()
        .filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
    )


def event_organizers(event: Event) -> QuerySet[Any]:
    """The people who organize the event, by name, for its organizers and staff."""
    return event.organizers.order_by("name", "pk")


def confirmed_attendees(event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .select_related("person", "organization")
        .order_by("confirmed_at", "pk")
    )


def person_registrations(person: Any, *, now: datetime | None = None) -> QuerySet[Registration]:
    """The person's active registrations for events not yet over, soonest first, with waitlist positions."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(
            person_id=person.pk, status__in=Registration.ACTIVE_STATUSES, event__ends_at__gte=now
        )
        .select_related("event", "event__project")
        .annotate(position=_waitlist_position_or_none())
        .order_by("event__starts_at", "pk")
    )


def person_past_registrations(person: Any, *, now: datetime | None = None) -> QuerySet[Registration]:
    now = now or timezone.now()
    return (
        Registration.objects.filter(person_id=person.pk, status=Registration.Status.CONFIRMED, event__ends_at__lt=now)
        .select_related("event")
        .order_by("-event__starts_at", "-pk")
    )


def events_organized_by(person: Any) -> QuerySet[Event]:
    if not getattr(person, "is_authenticated", False):
        return Event.objects.none()
    return Event.objects.filter(organizers=person).order_by("-starts_at", "-pk")


def feed_events(person: Any) -> QuerySet[Event]:
    """A person's calendar feed: the events, not cancelled, where they hold a confirmed seat."""
    return (
        Event.objects.filter(registrations__person_id=person.pk, registrations__status=Registration.Status.CONFIRMED)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .distinct()
    )


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------


def is_organizer(person: Any, event: Event) -> bool:
    """One of the event's organizers, or staff (who organize every event)."""
    if not getattr(person, "is_authenticated", False):
        return False
    return person.is_staff or event.organizers.filter(pk=person.pk).exists()
