"""A person who took part in something of every app, written through the services where the trail matters (audit
entries, notifications, webhook payloads name them), and another person beside them."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.governance.models import CommitteeMember
from alliance.models import Notification, NotificationPreference
from alliance.notifications import notification_preference_set
from alliance.webhooks.event_types import EVENT_TYPES
from alliance.webhooks.models import WebhookEndpoint
from alliance.webhooks.signing import secret_generate
from events import services as event_services
from events.models import Registration
from members import services as member_services
from members.models import Affiliation, Invitation, JoinRequest
from projects.models import Participation
from tests.benchmarks.factories import RoundFactory, SubmissionFactory
from tests.events.factories import EventFactory
from tests.governance.factories import CommitteeMemberFactory
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import LeadFactory, ParticipationFactory, ProjectFactory

NAME = "Quentin Marlowe-Ashby"
ADDRESS = "q.marlowe-ashby@example.org"
PASSWORD = "correct horse battery"


@dataclass
class World:
    person: object
    other: object
    staff: object
    token_key: str
    other_token_key: str
    upcoming: object  # the full event the person holds a seat of; ``waiting`` is first on its waitlist
    waiting: object
    past: object  # an event that ended, where the person was checked in
    organized: object  # an upcoming event the person organizes with someone else
    secrets: list[str] = field(default_factory=list)


def person_with_everything(*, name: str = NAME, email: str = ADDRESS):
    person = UserFactory(email=email, name="Q. M.")
    member_services.person_update_profile(actor=person, person=person, name=name)  # the old name is in the audit
    return person


@pytest.fixture
def world(db) -> World:
    person = person_with_everything()
    other = UserFactory(name="Olive Other-Person", email="olive.other@example.org")
    staff = StaffFactory()

    # members: a member of one organization, an admin (beside another admin) of a second; a join request to a third;
    # an invitation waiting for their address; tokens
    member_of = OrganizationFactory()
    admin_of = OrganizationFactory()
    AffiliationFactory(person=person, organization=member_of, title="Head of Marlowe-Ashby research")
    AffiliationFactory(person=person, organization=admin_of, role=Affiliation.Role.ADMIN)
    AffiliationFactory(person=other, organization=admin_of, role=Affiliation.Role.ADMIN)
    AffiliationFactory(person=other, organization=member_of)
    JoinRequest.objects.create(organization=OrganizationFactory(), person=person, message=f"Hello, I am {NAME}.")
    invitation = Invitation.objects.create(
        organization=OrganizationFactory(),
        email=ADDRESS,
        token_hash="a" * 64,
        invited_by=other,
        expires_at=timezone.now() + timedelta(days=7),
    )
    _, token_key = member_services.api_token_create(actor=person, name=f"{NAME}'s laptop")
    _, other_token_key = member_services.api_token_create(actor=other, name="Olive's laptop")

    # projects: a contributor of one project, a lead beside another lead of a second
    ParticipationFactory(person=person, message=f"{NAME} would like to help")
    led = ProjectFactory()
    LeadFactory(person=person, project=led)
    LeadFactory(person=other, project=led)
    ParticipationFactory(person=other)

    # events: the last seat of a full event (someone waits), a past event they attended, one they co-organize
    upcoming = EventFactory(capacity=1)
    event_services.event_register(actor=person, event=upcoming)
    waiting = UserFactory()
    event_services.event_register(actor=waiting, event=upcoming)
    past = EventFactory(starts_at=timezone.now() - timedelta(days=10))
    Registration.objects.create(
        event=past, person=person, status=Registration.Status.CONFIRMED, checked_in_at=past.starts_at
    )
    Registration.objects.create(event=past, person=other, status=Registration.Status.CONFIRMED)
    past.confirmed_count = 2
    past.save(update_fields=["confirmed_count"])
    organized = EventFactory(organizers=[person, other])
    feed = event_services.calendar_feed_for(actor=person)
    event_services.calendar_feed_for(actor=other)

    # governance, benchmarks
    CommitteeMemberFactory(person=person, role=CommitteeMember.Role.VOTING)
    CommitteeMemberFactory(person=other)
    SubmissionFactory(round=RoundFactory(), organization=member_of, submitted_by=person)

    # notifications and webhooks: a preference, a message to them, one about them to someone else, an endpoint
    notification_preference_set(person=person, kind=NotificationPreference.Kind.DIGESTS, email_enabled=True)
    Notification.objects.create(
        recipient=other, email=other.email, kind=Notification.Kind.PROJECTS, subject=f"{NAME} joined", body=f"{NAME}!"
    )
    endpoint = WebhookEndpoint.objects.create(
        organization=admin_of,
        created_by=person,
        url="https://hooks.example.org/marlowe",
        event_types=list(EVENT_TYPES),
        secret=secret_generate(),
    )
    return World(
        person=person,
        other=other,
        staff=staff,
        token_key=token_key,
        other_token_key=other_token_key,
        upcoming=upcoming,
        waiting=waiting,
        past=past,
        organized=organized,
        secrets=[token_key, endpoint.secret, feed.token, invitation.token_hash, person.password],
    )


def participation_count(person) -> int:
    return Participation.objects.filter(person=person).count()
