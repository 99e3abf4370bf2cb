"""Reusable read queries of the events domain; each costs a fixed number of queries whatever the rows.

Who sees what, everywhere (pages, calendars, API):

- published and cancelled public events: everyone;
- members-only events: people of active member organizations (others do not see them at all, as with
  members-only projects), plus anyone already registered and the organizers;
- drafts: only their organizers and staff. Staff see everything.

An event's hosting project is named (title, slug, link) only to who may see that project
(``projects.selectors.projects_visible_to``): ``viewer_sees_project`` says so on every event the selectors return.

Who may do what is answered here too, once, for the services, the pages, the API and the templates alike:
``is_organizer``, ``may_create_events`` / ``projects_person_may_host`` / ``may_host_event``, and
``registration_options`` (what the registration panel offers is what ``event_register`` does).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from members.models import Affiliation, Organization
from members.selectors import MEMBERS_ONLY_EVENTS, is_alliance_member, is_member_expression
from projects.models import Participation, Project
from projects.selectors import is_project_lead, organization_led_projects, projects_visible_to

from .models import CalendarFeed, Event, Registration

UPCOMING, PAST = "upcoming", "past"


# the events a list may show to others than their organizers
LISTED_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


def events_visible_to(person: Any) -> QuerySet[Event]:
    """The events the person may see, by the rules in the module docstring."""
    if getattr(person, "is_staff", False):
        return Event.objects.all()
    listed = Q(status__in=LISTED_STATUSES)
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
    organizer: Exists | Value
    if person.is_staff:
        organizer = Value(True, output_field=BooleanField())
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
    return events.annotate(viewer_sees_project=_viewer_sees_project(person))


def _viewer_sees_project(person: Any) -> Exists:
    """True, in SQL, for an event whose hosting project the person may see."""
    return Exists(projects_visible_to(person).filter(pk=OuterRef("project_id")))


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
    """Events as lists show them (the page and the API alike): hosting project joined, the viewer's registration
    prefetched.

    ``when`` is ``upcoming`` (not yet over, soonest first), ``past`` (over, latest first) or empty (all, by start).
    Every other filter is an exact value (``search`` looks in the title, description and venue); an empty one
    filters nothing.
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
    if project:  # a project the viewer may not see finds nothing, as if it did not exist
        events = events.filter(_viewer_sees_project(person), project__slug=project)
    if focus_area:
        events = events.filter(project__focus_areas__slug=focus_area)
    if search:
        events = events.filter(
            Q(title__icontains=search) | Q(description__icontains=search) | Q(venue__icontains=search)
        )
    return with_viewer_project(with_viewer_registration(events, person), person)


def organization_upcoming_events(
    organization: Organization, *, person: Any, now: datetime | None = None
) -> QuerySet[Event]:
    """An organization's coming published events, as ``event_list`` shows them to ``person``: the ones a project it
    leads hosts (``organization_led_projects``, so a hidden project's never) and the ones its people organize."""
    hosted = Q(project__in=organization_led_projects(organization, person=person).values("pk"))
    organized = Q(
        pk__in=Event.organizers.through.objects.filter(user__affiliations__organization=organization).values("event_id")
    )
    events = event_list(person=person, when=UPCOMING, status=Event.Status.PUBLISHED, now=now)
    return events.filter(hosted | organized)


def event_for_viewer(*, person: Any, slug: str) -> Event | None:
    """One event the person may see, with its project and the person's registration; None when hidden."""
    events = events_visible_to(person).filter(slug=slug).select_related("project")
    return with_viewer_project(with_viewer_registration(events, person), person).first()


def event_visible(*, person: Any, slug: str) -> Event | None:
    """One event the person may see, the row alone (no viewer annotations): what a write such as ``event_register``
    starts from. None when hidden.

    The row is read by its slug alone: a listed public event, the common case, is everyone's to see (the first rule
    of ``events_visible_to``), so it costs one plain query; any other is asked of ``events_visible_to`` by its id."""
    event = Event.objects.filter(slug=slug).first()
    if event is None:
        return None
    if event.visibility == Event.Visibility.PUBLIC and event.status in LISTED_STATUSES:
        return event
    return events_visible_to(person).filter(pk=event.pk).first()


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
    """The person's active registrations for events not yet over and not cancelled, soonest first, with waitlist
    positions (``person_cancelled_registrations`` lists the cancelled ones apart)."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(
            person_id=person.pk, status__in=Registration.ACTIVE_STATUSES, event__ends_at__gte=now
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .select_related("event", "event__project")
        .annotate(position=_waitlist_position_or_none())
        .order_by("event__starts_at", "pk")
    )


def person_cancelled_registrations(person: Any, *, now: datetime | None = None) -> QuerySet[Registration]:
    """The person's registrations for events the organizers cancelled that would not be over yet, soonest first."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(
            person_id=person.pk,
            status__in=Registration.ACTIVE_STATUSES,
            event__ends_at__gte=now,
            event__status=Event.Status.CANCELLED,
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )


def person_past_registrations(person: Any, *, now: datetime | None = None) -> QuerySet[Registration]:
    """The events the person had a seat at (a cancelled event took place for no one)."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(person_id=person.pk, status=Registration.Status.CONFIRMED, event__ends_at__lt=now)
        .exclude(event__status=Event.Status.CANCELLED)
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


def projects_person_may_host(person: Any) -> QuerySet[Project]:
    """The projects that may host a new event of the person's: any for staff, else the ones they lead."""
    projects = Project.objects.order_by("title")
    if getattr(person, "is_staff", False):
        return projects
    if not getattr(person, "is_authenticated", False):
        return projects.none()
    return projects.filter(
        participations__person=person,
        participations__role=Participation.Role.LEAD,
        participations__status=Participation.Status.ACTIVE,
    )


def may_create_events(person: Any) -> bool:
    """Staff, and the leads of at least one project: who sees "Create an event" and may open its page."""
    if not getattr(person, "is_authenticated", False):
        return False
    return person.is_staff or projects_person_may_host(person).exists()


def may_host_event(person: Any, project: Project | None) -> bool:
    """Whether the person may create an event hosted by ``project`` (None: no hosting project, staff only)."""
    if getattr(person, "is_staff", False):
        return True
    return project is not None and is_project_lead(person, project)


# --- who may register (the registration panel shows what event_register would do) -------------------------------


def registration_is_open(event: Event, *, now: datetime | None = None) -> bool:
    """Whether the registration window is open: from ``registration_opens_at`` (else publication) until
    ``registration_closes_at`` (else the start)."""
    now = now or timezone.now()
    opens = event.registration_opens_at or event.published_at
    closes = event.registration_closes_at or event.starts_at
    return (opens is None or opens <= now) and now < closes


def seat_organization(person: Any) -> Organization | None:
    """The organization a person's seat counts against: their first active member organization."""
    affiliation = (
        Affiliation.objects.filter(person_id=person.pk, organization__status=Organization.Status.ACTIVE)
        .select_related("organization")
        .order_by("created_at", "pk")
        .first()
    )
    return affiliation.organization if affiliation else None


def organization_has_seat(event: Event, organization: Organization | None) -> bool:
    """Whether ``organization`` holds fewer confirmed seats than the event's per-organization cap (if any)."""
    if event.organization_seat_cap is None or organization is None:
        return True
    taken = event.registrations.filter(status=Registration.Status.CONFIRMED, organization=organization)
    return taken.count() < event.organization_seat_cap


_UNKNOWN: Any = object()


@dataclass(frozen=True)
class RegistrationOptions:
    """Where the person stands with registering for an event, and, when they cannot, why.

    ``state`` is one of the names below; ``refusal`` is the message ``event_register`` refuses with (empty when it
    would accept), and ``not_permitted`` says the refusal is about who the person is (403), not about the event.
    """

    state: str
    refusal: str = ""
    not_permitted: bool = False

    CANCELLED = "cancelled"
    DRAFT = "draft"
    CONFIRMED = "confirmed"  # the person holds a seat
    WAITLISTED = "waitlisted"  # the person is waiting
    OVER = "over"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    ANONYMOUS = "anonymous"
    MEMBERS_ONLY = "members_only"
    ORGANIZATION_FULL = "organization_full"
    FULL = "full"
    WAITLIST = "waitlist"  # full, but the person may join the waitlist
    OPEN = "open"  # a seat is free

    @property
    def may_register(self) -> bool:
        return not self.refusal


def registration_options(
    person: Any,
    event: Event,
    *,
    registration: Registration | None = _UNKNOWN,
    organization: Organization | None = _UNKNOWN,
    now: datetime | None = None,
) -> RegistrationOptions:
    """What the person may do about registering for ``event`` now: the page shows it, ``event_register`` (under the
    event's lock, with the fresh row) refuses by it. One rule, so the page never offers what the service refuses.

    ``registration`` is the person's active registration (by default the one ``with_viewer_registration``
    attached, else read); ``organization`` the one their seat would count against (read when needed).
    """
    options = RegistrationOptions
    now = now or timezone.now()
    closed = "Registration for this event is closed."
    if event.status == Event.Status.CANCELLED:
        return options(options.CANCELLED, "This event was cancelled.")
    if event.status != Event.Status.PUBLISHED:
        return options(options.DRAFT, "This event is not open for registration yet.")
    if registration is _UNKNOWN:
        registration = _active_registration(person, event)
    if registration is not None:
        return options(registration.status, "You are already registered for this event.")
    if event.ends_at <= now:
        return options(options.OVER, closed)
    if not registration_is_open(event, now=now):
        opens = event.registration_opens_at
        return options(options.NOT_YET if opens and opens > now else options.CLOSED, closed)
    if not getattr(person, "is_authenticated", False):
        return options(options.ANONYMOUS, "Sign in to register.", not_permitted=True)
    if event.visibility == Event.Visibility.MEMBERS and not is_alliance_member(person, benefit=MEMBERS_ONLY_EVENTS):
        return options(
            options.MEMBERS_ONLY, "This event is for people of alliance member organizations.", not_permitted=True
        )
    if event.capacity is None or event.confirmed_count < event.capacity:
        if organization is _UNKNOWN:
            organization = seat_organization(person) if event.organization_seat_cap is not None else None
        if not organization_has_seat(event, organization):
            return options(
                options.ORGANIZATION_FULL,
                f"{organization} already holds its {event.organization_seat_cap} seat(s) at this event.",
            )
        return options(options.OPEN)
    if event.waitlist_enabled:
        return options(options.WAITLIST)
    return options(options.FULL, "This event is full.")


def _active_registration(person: Any, event: Event) -> Registration | None:
    if hasattr(event, "viewer_registrations"):
        return viewer_registration(event)
    if not getattr(person, "is_authenticated", False):
        return None
    return event.registrations.filter(person_id=person.pk, status__in=Registration.ACTIVE_STATUSES).first()


# --- the personal-data contract (ARCHITECTURE.md) ------------------------------------------------------------


def events_only_organized_by(person: Any, *, now: datetime | None = None) -> QuerySet[Event]:
    """The events still to come (not ended, not cancelled) whose one organizer is this person: they cannot leave
    them (nor erase their account) before adding another organizer."""
    other_organizers = Event.organizers.through.objects.filter(event=OuterRef("pk")).exclude(user_id=person.pk)
    return (
        Event.objects.filter(organizers=person, ends_at__gt=now or timezone.now())
        .exclude(status=Event.Status.CANCELLED)
        .exclude(Exists(other_organizers))
        .order_by("starts_at", "pk")
    )


def personal_data(person: Any) -> dict[str, QuerySet]:
    """What the events app holds about ``person``: each part a query of the rows."""
    return {
        "events_created": Event.objects.filter(created_by=person),
        "events_organized": Event.objects.filter(organizers=person),
        "registrations": Registration.objects.filter(person=person),
        "calendar_feed": CalendarFeed.objects.filter(person=person),
    }


# The parts whose rows are the person's own: the audit trail's entries about them are about the person (the export's
# audit_entries_about_you, ARCHITECTURE.md); events they created or organize are their attendees' too.
PERSONAL_DATA_OWN_ROWS = ("registrations", "calendar_feed")
