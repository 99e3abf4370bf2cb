"""The bench's data, written straight into its own database (bulk inserts: ten thousand people in seconds).

Lists are topped up to a total (``organizations(5)`` then ``organizations(200)``), so the same run can count a
list's queries at two sizes. People share one password hash, computed once (the production hasher is slow by
design, and the bench measures the portal, not the seeding).
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from events.models import Event, Registration
from members.models import Affiliation, ApiToken, MembershipTerm, MembershipTier, Organization, User
from members.services import api_token_create
from projects.models import FocusArea, Project

PASSWORD = "bench-password-not-secret"
_password_hash: str | None = None
KINDS = [Organization.Kind.COMPANY, Organization.Kind.UNIVERSITY, Organization.Kind.NON_PROFIT]
COUNTRIES = ["DE", "FR", "US", "JP", "BR", "KE", "IN", "CA"]


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = make_password(PASSWORD)
    return _password_hash


def people(count: int, *, prefix: str, verified: bool = False) -> list[User]:
    """``count`` new active accounts ``<prefix>-<n>@bench.example``, all with ``PASSWORD``."""
    users = User.objects.bulk_create(
        User(email=f"{prefix}-{number}@bench.example", name=f"{prefix.title()} {number}", password=_hash())
        for number in range(count)
    )
    if verified:
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
    return users


def staff() -> User:
    user, created = User.objects.get_or_create(
        email="staff@bench.example", defaults={"name": "Bench Staff", "is_staff": True, "password": _hash()}
    )
    if created:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def organizations(total: int) -> None:
    """Active member organizations, up to ``total``, each with a term running for a year (members in good standing)."""
    have = Organization.objects.count()
    created = Organization.objects.bulk_create(
        Organization(
            name=f"Organization {number:04d}",
            slug=f"organization-{number:04d}",
            kind=KINDS[number % len(KINDS)],
            country=COUNTRIES[number % len(COUNTRIES)],
            website=f"https://organization-{number}.example.org",
            description="Builds open evaluation tools and shares datasets for responsible AI. " * 2,
            status=Organization.Status.ACTIVE,
            tier=Organization.Tier.GENERAL,
            member_since=timezone.localdate() - timedelta(days=number),
        )
        for number in range(have, total)
    )
    tier = MembershipTier.objects.get(code=Organization.Tier.GENERAL)
    now = timezone.now()
    MembershipTerm.objects.bulk_create(
        MembershipTerm(organization=organization, tier=tier, starts_at=now, ends_at=now + timedelta(days=365))
        for organization in created
    )


def projects(total: int) -> None:
    """Active public projects, up to ``total``, each in a focus area and sponsored by an organization."""
    have = Project.objects.count()
    proposer = staff()
    areas = [
        FocusArea.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").title()})[0]
        for slug in ("trust-and-safety", "skills-and-education", "foundation-models")
    ]
    sponsors = list(Organization.objects.order_by("pk")[:20])
    created = Project.objects.bulk_create(
        Project(
            title=f"Project {number:04d}",
            slug=f"project-{number:04d}",
            summary="Open tools and benchmarks that make AI systems safer to deploy.",
            description="## Goals\n\nBuild *open* things.",
            kind=Project.Kind.SOFTWARE,
            proposer=proposer,
            license="Apache-2.0",
            state=Project.State.ACTIVE,
            visibility=Project.Visibility.PUBLIC,
        )
        for number in range(have, total)
    )
    Project.focus_areas.through.objects.bulk_create(
        Project.focus_areas.through(project_id=project.pk, focusarea_id=areas[index % len(areas)].pk)
        for index, project in enumerate(created)
    )
    if sponsors:
        Project.sponsors.through.objects.bulk_create(
            Project.sponsors.through(project_id=project.pk, organization_id=sponsors[index % len(sponsors)].pk)
            for index, project in enumerate(created)
        )


def _event(number: int, *, creator: User, capacity: int | None, project: Project | None = None) -> Event:
    starts = timezone.now() + timedelta(days=7 + number % 300, hours=number % 24)
    return Event(
        title=f"Workshop {number:05d}",
        slug=f"workshop-{number:05d}",
        description="Hands-on evaluation of open models.",
        kind=Event.Kind.WORKSHOP,
        format=Event.Format.HYBRID,
        venue="Alliance House, Rue de la Loi 1, Brussels",
        online_url="https://meet.example.org/workshop",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        timezone="Europe/Brussels",
        project=project,
        visibility=Event.Visibility.PUBLIC,
        status=Event.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
        capacity=capacity,
        created_by=creator,
    )


def events(total: int) -> None:
    """Published public upcoming events, up to ``total``; every other one hosted by a project."""
    have = Event.objects.count()
    creator = staff()
    hosts: list[Project | None] = [*Project.objects.order_by("pk")[:20]] or [None]
    created = Event.objects.bulk_create(
        _event(number, creator=creator, capacity=50, project=hosts[number % len(hosts)] if number % 2 else None)
        for number in range(have, total)
    )
    Event.organizers.through.objects.bulk_create(
        Event.organizers.through(event_id=event.pk, user_id=creator.pk) for event in created
    )


def event_for(capacity: int, *, slug: str) -> Event:
    """A published event with ``capacity`` seats and the waitlist on, organized by the bench's staff account."""
    creator = staff()
    event = _event(90000 + Event.objects.count(), creator=creator, capacity=capacity)
    event.slug, event.title = slug, slug.replace("-", " ").title()
    event.save()
    event.organizers.add(creator)
    return event


def event_with_registrations(count: int, *, slug: str) -> Event:
    """A full event: ``count`` people, each with a confirmed seat (as if they had registered)."""
    event = event_for(count, slug=slug)
    now = timezone.now()
    attendees = people(count, prefix=slug)
    Registration.objects.bulk_create(
        Registration(event=event, person=person, status=Registration.Status.CONFIRMED, confirmed_at=now)
        for person in attendees
    )
    Event.objects.filter(pk=event.pk).update(confirmed_count=count)
    return event


def tokens(users: list[User]) -> list[str]:
    """One personal API token per person (through the service, as a person would get one): their keys."""
    return [api_token_create(actor=user, name="bench")[1] for user in users]


def forget_token_use(users: list[User]) -> None:
    ApiToken.objects.filter(user__in=users).update(last_used_at=None)


def staff_token() -> str:
    return api_token_create(actor=staff(), name="bench")[1]


def member_session_cookie() -> str:
    """The ``Cookie`` header of a signed-in person of an active member organization."""
    [person] = people(1, prefix="member", verified=True)
    organization = Organization.objects.filter(status=Organization.Status.ACTIVE).order_by("pk").first()
    if organization is not None:
        Affiliation.objects.create(person=person, organization=organization, role=Affiliation.Role.MEMBER)
    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "members.auth_backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
