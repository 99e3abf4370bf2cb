"""Fictional events for the demo: upcoming and past, of every kind and format, a full one with a waitlist, a
members-only one, a draft, a cancelled one and one hosted by a project, with registrations by the demo people.

Everything a rule governs goes through the services, as on the pages: creating, publishing, registering,
checking in, cancelling. Past events are built as upcoming ones and then moved into the past, which is history
no service writes (as the members demo backdates memberships). Each event is built in one transaction and
skipped when it already exists, so loading the demo again changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from members.models import User
from projects.models import Project

from . import services
from .models import Event, Registration

STAFF_EMAIL = "staff@alliance.example"
HOSTING_PROJECT_SLUG = "open-safety-evaluations"  # created by the projects demo, when it has run

# The demo people of load_demo_data, in the order they register (all of active member organizations).
PEOPLE = [
    "admin@aurora-labs.example",
    "mira.koskinen@aurora-labs.example",
    "linnea.berg@aurora-labs.example",
    "haruto.sato@meridian-research-institute.example",
    "yui.tanaka@meridian-research-institute.example",
    "e.hughes@northwind-university.example",
    "t.okafor@northwind-university.example",
    "jonas.weber@helix-health.example",
    "lena.fischer@helix-health.example",
    "maya@open-commons-foundation.example",
    "daniel@open-commons-foundation.example",
    "rgreen@quanta-systems.example",
]

DESCRIPTION = """{summary}

## Programme

- Welcome and introductions
- Hands-on session in small groups
- What we learned, and what comes next

## Before you come

Bring a laptop. Everything we use is open source; the material is published after the event.
"""


@dataclass
class DemoEvent:
    title: str
    kind: str
    format: str
    days_from_now: int  # negative: in the past
    hour: int  # local start time, in the event's time zone
    hours: int
    zone: str
    summary: str
    venue: str = ""
    online: bool = False
    capacity: int | None = None
    waitlist: bool = True
    visibility: str = Event.Visibility.PUBLIC
    seat_cap: int | None = None
    registrants: int = 0  # how many of PEOPLE register, in order
    story: str = "published"  # published, draft, cancelled
    reason: str = ""
    hosted: bool = False
    checked_in: int = 0  # past events: how many of the confirmed were checked in

    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-").replace(":", "")


EVENTS = [
    DemoEvent(
        "Open evaluation workshop",
        Event.Kind.WORKSHOP,
        Event.Format.HYBRID,
        days_from_now=10,
        hour=14,
        hours=3,
        zone="Europe/Brussels",
        summary="Run the alliance's open evaluation suite on a model of your choice, with its maintainers.",
        venue="Alliance House, Rue de la Loi 1, 1000 Brussels",
        online=True,
        capacity=40,
        registrants=6,
    ),
    DemoEvent(
        "Red-teaming clinic",
        Event.Kind.WORKSHOP,
        Event.Format.IN_PERSON,
        days_from_now=6,
        hour=10,
        hours=4,
        zone="Europe/Helsinki",
        summary="A small, hands-on clinic: probe an open model for unsafe output and write up what you find.",
        venue="Aurora Labs, Mannerheimintie 12, Helsinki",
        capacity=4,
        registrants=7,  # four seats, three people waiting
    ),
    DemoEvent(
        "Members roundtable on model licensing",
        Event.Kind.MEETUP,
        Event.Format.VIRTUAL,
        days_from_now=4,
        hour=16,
        hours=1,
        zone="Europe/Berlin",
        summary="For people of member organizations: how members license the models they release, and why.",
        online=True,
        visibility=Event.Visibility.MEMBERS,
        capacity=25,
        registrants=5,
    ),
    DemoEvent(
        "Dataset documentation webinar",
        Event.Kind.WEBINAR,
        Event.Format.VIRTUAL,
        days_from_now=3,
        hour=11,
        hours=1,
        zone="America/New_York",
        summary="How to write a dataset card people can trust, with examples from the Open Commons Foundation.",
        online=True,
        registrants=4,
    ),
    DemoEvent(
        "Responsible AI Summit 2027",
        Event.Kind.CONFERENCE,
        Event.Format.HYBRID,
        days_from_now=75,
        hour=9,
        hours=8,
        zone="Asia/Tokyo",
        summary="The alliance's yearly conference: talks, working-group sessions and the members' assembly.",
        venue="Meridian Research Institute, 2-1 Otemachi, Tokyo",
        online=True,
        capacity=300,
        seat_cap=5,
        registrants=3,
    ),
    DemoEvent(
        "Open safety evaluations hackathon",
        Event.Kind.HACKATHON,
        Event.Format.VIRTUAL,
        days_from_now=21,
        hour=9,
        hours=30,
        zone="UTC",
        summary="Two days to add new prompt sets and checks to the shared safety harness.",
        online=True,
        capacity=60,
        registrants=3,
        hosted=True,
    ),
    DemoEvent(
        "Autumn model-card sprint",
        Event.Kind.HACKATHON,
        Event.Format.IN_PERSON,
        days_from_now=120,
        hour=10,
        hours=6,
        zone="Europe/London",
        summary="Still being planned: a day of writing model cards together.",
        venue="Northwind University, Computer Science Building, Manchester",
        capacity=30,
        story="draft",
    ),
    DemoEvent(
        "Speech models in the Andes",
        Event.Kind.WORKSHOP,
        Event.Format.HYBRID,
        days_from_now=30,
        hour=15,
        hours=3,
        zone="America/Santiago",
        summary="Training speech models for Quechua and Aymara with community-recorded data.",
        venue="Andes Institute of Technology, Santiago",
        online=True,
        capacity=30,
        registrants=2,
        story="cancelled",
        reason="The speakers cannot travel that week; we will announce a new date soon.",
    ),
    DemoEvent(
        "Safety benchmarks meetup",
        Event.Kind.MEETUP,
        Event.Format.IN_PERSON,
        days_from_now=-20,
        hour=18,
        hours=2,
        zone="Europe/London",
        summary="An evening of short talks on what safety benchmarks measure, and what they miss.",
        venue="Northwind University, Great Hall, Manchester",
        capacity=50,
        registrants=8,
        checked_in=6,
    ),
    DemoEvent(
        "Introduction to model cards",
        Event.Kind.WEBINAR,
        Event.Format.VIRTUAL,
        days_from_now=-45,
        hour=15,
        hours=1,
        zone="Europe/Brussels",
        summary="What goes into a model card, and how the catalog uses them.",
        online=True,
        registrants=5,
    ),
]


def _start(demo: DemoEvent, days: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(demo.hour), tzinfo=ZoneInfo(demo.zone))


def load_events_demo(*, log: Callable[[str], object] = print) -> None:
    """Load the demo events; people and projects come from the members and projects demos when present."""
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        log("  no staff account yet: load the members demo first")
        return
    people = {user.email: user for user in User.objects.filter(email__in=PEOPLE)}
    registrants = [people[email] for email in PEOPLE if email in people]
    project = Project.objects.filter(slug=HOSTING_PROJECT_SLUG).first()
    for demo in EVENTS:
        if Event.objects.filter(slug=demo.slug).exists():
            log(f"  {demo.title}: already there")
            continue
        with transaction.atomic():
            _build(demo, staff, registrants, project if demo.hosted else None)
        log(f"  {demo.title}: created ({demo.story}{', past' if demo.days_from_now < 0 else ''})")


def _build(demo: DemoEvent, staff: User, registrants: list[User], project: Project | None) -> None:
    # a past event is first built a week ahead, so that people can register as they would have
    days = demo.days_from_now if demo.days_from_now > 0 else 7
    starts_at = _start(demo, days)
    event = services.event_create(
        actor=staff,
        title=demo.title,
        slug=demo.slug,
        kind=demo.kind,
        format=demo.format,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=demo.hours),
        timezone_name=demo.zone,
        description=DESCRIPTION.format(summary=demo.summary),
        venue=demo.venue,
        online_url=f"https://meet.alliance.example/{demo.slug}" if demo.online else "",
        project=project,
        visibility=demo.visibility,
        capacity=demo.capacity,
        waitlist_enabled=demo.waitlist,
        organization_seat_cap=demo.seat_cap,
    )
    if demo.story == "draft":
        return
    event = services.event_publish(actor=staff, event=event)
    for person in registrants[: demo.registrants]:
        services.event_register(actor=person, event=event)
    if demo.story == "cancelled":
        services.event_cancel(actor=staff, event=event, reason=demo.reason)
    if demo.days_from_now < 0:
        _move_into_the_past(demo, event, staff)


def _move_into_the_past(demo: DemoEvent, event: Event, staff: User) -> None:
    """History no service writes: the event took place, people registered weeks before, some were checked in."""
    confirmed = list(event.registrations.filter(status=Registration.Status.CONFIRMED).order_by("pk"))
    for registration in confirmed[: demo.checked_in]:
        services.registration_check_in(actor=staff, registration=registration)
    starts_at = _start(demo, demo.days_from_now)
    shift = starts_at - event.starts_at
    ends_at = starts_at + timedelta(hours=demo.hours)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts_at, ends_at=ends_at, published_at=starts_at - timedelta(days=30)
    )
    for registration in event.registrations.all():
        moved = {
            name: getattr(registration, name) + shift
            for name in ("created_at", "confirmed_at", "waitlisted_at", "checked_in_at")
            if getattr(registration, name) is not None
        }
        if registration.checked_in_at is not None:
            moved["checked_in_at"] = starts_at + timedelta(minutes=10)
        Registration.objects.filter(pk=registration.pk).update(reminder_sent_at=starts_at - timedelta(days=1), **moved)
