"""The home pages by role: a visitor's marketing page, a person's own home (next events, projects and their latest
updates, what their organizations ask of them, unread notifications), an organization admin's pending items, and
staff's queues with how long each thing has waited. Each part's rows are only the person's, and each page costs
the same number of queries for a few rows or many."""

import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import Notification
from alliance.templatetags.ages import age_of
from events.models import Registration
from members.models import Affiliation, Invitation, JoinRequest, MembershipApplication
from members.selectors import grace_period
from projects.benchmarks.models import Objection
from projects.catalog.models import CatalogEntry
from projects.models import Participation, Project, ProjectUpdate
from tests.benchmarks.factories import SubmissionFactory
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)
from tests.projects.factories import CatalogEntryFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def page_of(client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def part(page: str, part_id: str) -> str:
    """The HTML of one part of the home page (its card)."""
    start = page.index(f'id="{part_id}"')
    end = page.find('class="card home-part"', start)
    return page[start : end if end != -1 else len(page)]


def notify(person, subject: str, *, read: bool = False) -> Notification:
    return Notification.objects.create(
        recipient=person,
        email=person.email,
        kind="events",
        subject=subject,
        body="Body",
        url="/events/",
        status=Notification.Status.SENT,
        read_at=timezone.now() if read else None,
    )


def invite(organization, email: str, *, expires_in: timedelta = timedelta(days=7)) -> Invitation:
    return Invitation.objects.create(
        organization=organization,
        email=email,
        token_hash=secrets.token_hex(32),
        invited_by=UserFactory(),
        expires_at=timezone.now() + expires_in,
    )


# --- content per role ----------------------------------------------------------------------------------------------


def test_a_visitor_sees_the_marketing_page(client):
    OrganizationFactory()

    page = client.get(reverse("home")).content.decode()

    assert "An open alliance for responsible AI" in page
    assert "1 member organization" in page
    assert 'id="home-events"' not in page


def test_a_newcomer_with_no_organization_and_nothing_going_on_gets_the_next_steps(client):
    page = page_of(client, UserFactory())

    assert "Here is what to do next" in page
    assert reverse("members:organization_register") in page
    assert 'id="home-events"' not in page


def test_a_person_sees_their_next_events_with_zone_labels_their_projects_updates_and_unread_notifications(client):
    # given a member with a confirmed seat, a waitlisted place, a project with two updates and unread notifications
    person = AffiliationFactory(organization=OrganizationFactory(name="Aurora Labs")).person
    confirmed = EventFactory(title="Evaluation workshop", timezone="Europe/Brussels")
    full = EventFactory(title="Red-teaming hackathon", timezone="America/New_York", capacity=1)
    RegistrationFactory(event=confirmed, person=person)
    RegistrationFactory(event=full, person=UserFactory())
    RegistrationFactory(event=full, person=person, status=Registration.Status.WAITLISTED, waitlisted_at=timezone.now())
    past = EventFactory(title="Last year's summit", starts_at=timezone.now() - timedelta(days=30))
    RegistrationFactory(event=past, person=person)
    project = ProjectFactory(title="Open evaluation harness")
    ParticipationFactory(project=project, person=person)
    for title in ("Version 1 is out", "Version 2 is out"):
        ProjectUpdate.objects.create(project=project, author=project.proposer, title=title, body="News.")
    notify(person, "Your seat is confirmed")
    notify(person, "An old message", read=True)

    # when they open the home page
    page = page_of(client, person)

    # then each part shows their rows, with the event's own zone, and links to its full page
    events = part(page, "home-events")
    assert "Evaluation workshop" in events and "Red-teaming hackathon" in events
    assert "Last year's summit" not in events
    assert "CET" in events or "CEST" in events
    assert "EST" in events or "EDT" in events
    assert "Confirmed" in events and "Waitlist, number 1" in events
    assert reverse("events:my_events") in events
    projects = part(page, "home-projects")
    assert "Open evaluation harness" in projects
    assert "Version 2 is out" in projects and "Version 1 is out" not in projects
    assert reverse("projects:my_projects") in projects
    notifications = part(page, "home-notifications")
    assert "Your seat is confirmed" in notifications and "An old message" not in notifications
    assert reverse("inbox") in notifications
    assert "Aurora Labs" in page
    assert 'id="staff-heading"' not in page


def test_each_empty_part_says_what_to_do(client):
    person = AffiliationFactory().person

    page = page_of(client, person)

    assert "See what is on" in part(page, "home-events")
    assert "Browse the projects" in part(page, "home-projects")
    assert "nothing unread" in part(page, "home-notifications")
    assert "Nothing waits for you" in part(page, "home-pending")


def test_an_org_admin_sees_join_requests_applications_renewals_and_invitations_they_may_act_on(client):
    # given an admin of an organization due for renewal, with a join request, and of an applicant asked for changes
    soon = timezone.now() + timedelta(days=20)
    renewing = OrganizationFactory(name="Renewing Institute", term__ends_at=soon)
    admin = AdminAffiliationFactory(organization=renewing).person
    JoinRequest.objects.create(organization=renewing, person=UserFactory(name="Jo Joiner"))
    applicant = ApplicantOrganizationFactory(name="Fresh Start-up")
    AdminAffiliationFactory(organization=applicant, person=admin)
    ApplicationFactory(organization=applicant, status=MembershipApplication.Status.CHANGES_REQUESTED)
    registered = ApplicantOrganizationFactory(name="Registered Only")
    AdminAffiliationFactory(organization=registered, person=admin)
    invite(OrganizationFactory(name="Inviting University"), admin.email.upper())

    # when they open the home page
    pending = part(page_of(client, admin), "home-pending")

    # then what waits for them is there, each linked to where they act on it
    assert "Jo Joiner asks to join Renewing Institute" in pending
    assert reverse("members:my_organization", args=[renewing.slug]) + "#join_requests" in pending
    assert "Renew the membership of Renewing Institute" in pending
    assert reverse("members:membership", kwargs={"slug": renewing.slug}) in pending
    assert "Staff asked for changes" in pending and "Fresh Start-up" in pending
    assert "Apply for membership for Registered Only" in pending
    assert reverse("members:application_create", args=[registered.slug]) in pending
    assert "Inviting University" in pending and "invited you" in pending
    assert "Apply for membership for Fresh Start-up" not in pending  # its application is open


def test_an_organization_in_grace_asks_its_admin_to_renew(client):
    ended = timezone.now() - timedelta(days=1)
    organization = OrganizationFactory(
        name="Late Payers", term__starts_at=ended - timedelta(days=365), term__ends_at=ended
    )
    admin = AdminAffiliationFactory(organization=organization).person

    pending = part(page_of(client, admin), "home-pending")

    assert "Renew the membership of Late Payers" in pending
    assert f"its benefits stop on {timezone.localtime(ended + grace_period()):%-d %b %Y}" in pending


# --- visibility ----------------------------------------------------------------------------------------------------


def test_a_member_never_sees_what_only_admins_or_other_organizations_may_act_on(client):
    # given a plain member of an organization with a join request, and another organization's admin business
    organization = OrganizationFactory(name="Aurora Labs", term__ends_at=timezone.now() + timedelta(days=10))
    member = AffiliationFactory(organization=organization).person
    JoinRequest.objects.create(organization=organization, person=UserFactory(name="Jo Joiner"))
    other = OrganizationFactory(name="Other Org", term__ends_at=timezone.now() + timedelta(days=10))
    JoinRequest.objects.create(organization=other, person=UserFactory(name="Olga Other"))
    ApplicationFactory(organization=ApplicantOrganizationFactory(name="Other Applicant"))
    invite(other, "somebody.else@example.org")
    invite(other, member.email, expires_in=timedelta(days=-1))  # expired
    notify(UserFactory(), "Somebody else's message")

    # when the member opens the home page
    page = page_of(client, member)

    # then none of it shows
    for text in ("Jo Joiner", "Olga Other", "Other Applicant", "Renew the membership", "Other Org", "Somebody else"):
        assert text not in page, text
    assert "Nothing waits for you" in part(page, "home-pending")


def test_a_hidden_project_and_another_persons_events_never_appear(client):
    person = AffiliationFactory().person
    hidden = ProjectFactory(title="Members-only skunkworks", visibility=Project.Visibility.MEMBERS)
    ParticipationFactory(project=hidden)
    ProjectUpdate.objects.create(project=hidden, author=hidden.proposer, title="Secret progress", body="News.")
    ProjectUpdate.objects.create(
        project=ProjectFactory(title="Someone else's project"), author=person, title="Public news", body="News."
    )
    RegistrationFactory(event=EventFactory(title="Someone else's workshop"))
    cancelled = EventFactory(title="Cancelled meetup", status="cancelled")
    RegistrationFactory(event=cancelled, person=person)

    page = page_of(client, person)

    for text in ("Members-only skunkworks", "Secret progress", "Someone else's project", "Public news"):
        assert text not in page, text
    assert "Someone else's workshop" not in page and "Cancelled meetup" not in part(page, "home-events")


def test_a_person_who_asked_to_join_a_project_sees_it_as_asked(client):
    person = AffiliationFactory().person
    ParticipationFactory(
        project=ProjectFactory(title="Dataset cards"), person=person, status=Participation.Status.PENDING
    )

    projects = part(page_of(client, person), "home-projects")

    assert "Dataset cards" in projects and "Asked to join" in projects


# --- staff ---------------------------------------------------------------------------------------------------------


def _staff_world(number: int = 0):
    """One thing in each staff queue, the oldest ones three days old."""
    three_days_ago = timezone.now() - timedelta(days=3, hours=1)
    suffix = f" {number}" if number else ""
    application = ApplicationFactory(organization=ApplicantOrganizationFactory(name=f"Applicant Analytics{suffix}"))
    MembershipApplication.objects.filter(pk=application.pk).update(submitted_at=three_days_ago)
    ProjectFactory(title=f"Proposed benchmark {number}", state=Project.State.PROPOSED, state_changed_at=three_days_ago)
    entry = CatalogEntryFactory(name="Toxicity checker", status=CatalogEntry.Status.SUBMITTED)
    CatalogEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(hours=5))
    CatalogEntryFactory(name="Validated tool", status=CatalogEntry.Status.VALIDATED)
    submission = SubmissionFactory(organization=OrganizationFactory(name=f"Objected Org{suffix}"))
    Objection.objects.create(
        submission=submission,
        objector=UserFactory(),
        objector_organization=OrganizationFactory(name=f"Objecting Org{suffix}"),
        rule="Rule 4",
        description="Trained on the test set.",
    )


def test_staff_see_what_waits_for_them_oldest_first_with_how_long_and_links(client):
    _staff_world()
    newer = ApplicationFactory(organization=ApplicantOrganizationFactory(name="Newer Applicant"))

    page = page_of(client, StaffFactory())

    applications = part(page, "queue-applications")
    assert applications.index("Applicant Analytics") < applications.index("Newer Applicant")
    assert "waiting" in applications and "3\xa0days" in applications
    assert reverse("members:application_detail", args=[newer.pk]) in applications
    assert reverse("members:review_queue") in applications
    proposals = part(page, "queue-proposals")
    assert "Proposed benchmark" in proposals and "3\xa0days" in proposals
    validations = part(page, "queue-validations")
    assert "Toxicity checker" in validations and "5\xa0hours" in validations and "Validated tool" not in validations
    objections = part(page, "queue-objections")
    assert "Objecting Org on Objected Org" in objections
    assert reverse("staff_dashboard") in page


def test_staff_with_empty_queues_are_told_so_and_their_own_empty_parts_fold_into_one_line(client):
    page = page_of(client, StaffFactory())

    assert "No application waits for a decision." in page
    assert "No catalog entry waits for validation." in page
    assert reverse("staff_dashboard") in page
    assert "Nothing of your own waits" in page
    assert 'id="home-events"' not in page and "You do not belong to an organization" not in page


def test_staff_with_an_event_ahead_see_it_under_their_queues(client):
    staff = StaffFactory()
    RegistrationFactory(event=EventFactory(title="Secretariat offsite"), person=staff)

    page = page_of(client, staff)

    assert page.index('id="queue-applications"') < page.index('id="home-events"')
    assert "Secretariat offsite" in part(page, "home-events")
    assert 'id="home-projects"' not in page and "Nothing of your own waits" not in page


def test_staff_are_not_offered_the_objections_of_their_own_organization(client):
    _staff_world()
    staff = StaffFactory()
    Affiliation.objects.create(person=staff, organization=Objection.objects.get().objector_organization)

    assert "Objecting Org on Objected Org" not in part(page_of(client, staff), "queue-objections")


# --- query counts --------------------------------------------------------------------------------------------------


def _busy_admin(size: int):
    """An admin with ``size`` events, projects (each with updates), join requests and unread notifications."""
    organization = OrganizationFactory(term__ends_at=timezone.now() + timedelta(days=10))
    admin = AdminAffiliationFactory(organization=organization).person
    for number in range(size):
        RegistrationFactory(event=EventFactory(), person=admin)
        project = ProjectFactory()
        ParticipationFactory(project=project, person=admin)
        for _ in range(2):
            ProjectUpdate.objects.create(project=project, author=admin, title=f"News {number}", body="News.")
        JoinRequest.objects.create(organization=organization, person=UserFactory())
        notify(admin, f"Message {number}")
        applicant = ApplicantOrganizationFactory()
        AdminAffiliationFactory(organization=applicant, person=admin)
        ApplicationFactory(organization=applicant)
        invite(OrganizationFactory(), admin.email)
    return admin


@pytest.mark.parametrize("size", [2, 20])
def test_a_persons_home_costs_the_same_for_2_or_20_of_everything(client, size, django_assert_num_queries):
    client.force_login(_busy_admin(size))
    client.get(reverse("home"))

    # the session, the person; affiliations, registrations, participations and their latest updates, invitations,
    # join requests, applications, organizations to act on, ballots, unread notifications; the menu (unread count,
    # webhooks)
    with django_assert_num_queries(14):
        response = client.get(reverse("home"))
    home = response.context["home"]
    assert len(home.registrations) == len(home.participations) == len(home.join_requests) == min(size, 5)
    assert len(home.unread_notifications) == min(size, 3)


@pytest.mark.parametrize("size", [2, 20])
def test_staffs_home_costs_the_same_for_2_or_20_in_each_queue(client, size, django_assert_num_queries):
    for number in range(size):
        _staff_world(number + 1)
    client.force_login(StaffFactory())
    client.get(reverse("home"))

    # the person's home as above, less the latest updates (no project) and the menu's webhooks check (staff see the
    # link), and a count and the oldest rows of each of the four queues
    with django_assert_num_queries(20):
        response = client.get(reverse("home"))
    assert [queue.count for queue in response.context["queues"]] == [size] * 4


def test_an_age_reads_in_its_largest_unit_and_never_as_zero_minutes():
    now = timezone.now()

    assert age_of(now - timedelta(seconds=20), now) == "under a minute"
    assert age_of(now - timedelta(days=3, hours=5), now) == "3\xa0days"
    assert age_of(now - timedelta(hours=2, minutes=10), now) == "2\xa0hours"
