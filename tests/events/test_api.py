"""The events REST API under /api/v1/: permission matrix, registration lifecycle, filters, bad input, query counts."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from events import services
from events.models import Event, Registration
from members.models import User
from tests.api_matrix import API, Case, check_case, client_as, refreshed
from tests.members.factories import AffiliationFactory, UserFactory
from tests.projects.factories import LeadFactory, ProjectFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "person", "member", "organizer", "staff")


@dataclass
class World:
    public: Event
    members_only: Event
    draft: Event
    attendance: Registration
    co_organizer: User  # organizes the members-only event with ``organizer``
    colleague: User  # organizes nothing; the one organizers add
    users: dict[str, User | None]


@pytest.fixture
def world(staff, person, member) -> World:
    """Three events organized by ``organizer`` (who is not staff and belongs to no member organization); the
    members-only one also by ``co_organizer``."""
    organizer, co_organizer = UserFactory(name="Olga Organizer"), UserFactory(name="Cora Co-organizer")
    public = EventFactory(title="Public workshop", organizers=[organizer], capacity=5)
    members_only = EventFactory(
        title="Members roundtable", visibility=Event.Visibility.MEMBERS, organizers=[organizer, co_organizer]
    )
    draft = EventFactory(title="Draft hackathon", status=Event.Status.DRAFT, published_at=None, organizers=[organizer])
    attendance = services.event_register(actor=UserFactory(), event=public)
    return World(
        public=public,
        members_only=members_only,
        draft=draft,
        attendance=attendance,
        co_organizer=co_organizer,
        colleague=UserFactory(name="Cleo Colleague"),
        users={"anonymous": None, "person": person, "member": member, "organizer": organizer, "staff": staff},
    )


def new_event_body(**overrides) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=20)
    return {
        "title": "API clinic",
        "kind": "workshop",
        "format": "virtual",
        "online_url": "https://meet.example.org/api",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "timezone": "Asia/Tokyo",
        "capacity": 10,
        **overrides,
    }


# --- the permission matrix ---------------------------------------------------------------------------------------


CASES = [  # expected: anonymous, person, member, organizer, staff
    # reads: what one may not see is a 404; organizer-only lists of a visible event are a 403
    Case("public event", "get", "/events/{w.public.slug}/", (200, 200, 200, 200, 200)),
    Case("members-only event", "get", "/events/{w.members_only.slug}/", (404, 404, 200, 200, 200)),
    Case("draft", "get", "/events/{w.draft.slug}/", (404, 404, 404, 200, 200)),
    Case("registrations", "get", "/events/{w.public.slug}/registrations/", (401, 403, 403, 200, 200)),
    Case("registrations of a draft", "get", "/events/{w.draft.slug}/registrations/", (404, 404, 404, 200, 200)),
    Case(
        "one registration",
        "get",
        "/events/{w.public.slug}/registrations/{w.attendance.pk}/",
        (401, 403, 403, 200, 200),
    ),
    # writes
    Case(
        "create",
        "post",
        "/events/",
        (401, 403, 403, 403, 201),
        body=new_event_body(),
        changed=lambda w: Event.objects.filter(title="API clinic").exists(),
    ),
    Case(
        "update",
        "patch",
        "/events/{w.public.slug}/",
        (401, 403, 403, 200, 200),
        body={"title": "Renamed through the API"},
        changed=lambda w: refreshed(w.public).title == "Renamed through the API",
    ),
    Case(
        "update a draft",
        "patch",
        "/events/{w.draft.slug}/",
        (401, 404, 404, 200, 200),
        body={"title": "Renamed through the API"},
        changed=lambda w: refreshed(w.draft).title == "Renamed through the API",
    ),
    Case(
        "change capacity",
        "patch",
        "/events/{w.public.slug}/",
        (401, 403, 403, 200, 200),
        body={"capacity": 50},
        changed=lambda w: refreshed(w.public).capacity == 50,
    ),
    Case(
        "publish",
        "post",
        "/events/{w.draft.slug}/publish/",
        (401, 404, 404, 200, 200),
        changed=lambda w: refreshed(w.draft).status == Event.Status.PUBLISHED,
    ),
    Case(
        "cancel",
        "post",
        "/events/{w.public.slug}/cancel/",
        (401, 403, 403, 200, 200),
        body={"reason": "Snow storm."},
        changed=lambda w: refreshed(w.public).status == Event.Status.CANCELLED,
    ),
    Case(
        "register",
        "post",
        "/events/{w.public.slug}/register/",
        (401, 201, 201, 201, 201),
        changed=lambda w: w.public.registrations.count() == 2,
    ),
    Case(
        "register for a members-only event",
        "post",
        "/events/{w.members_only.slug}/register/",
        (401, 404, 201, 403, 403),  # staff see it, but the seats are for people of member organizations
        changed=lambda w: w.members_only.registrations.exists(),
    ),
    Case(
        "register for a draft",
        "post",
        "/events/{w.draft.slug}/register/",
        (401, 404, 404, 400, 400),
        changed=lambda w: w.draft.registrations.exists(),
    ),
    Case(
        "cancel a registration one does not hold",
        "post",
        "/events/{w.public.slug}/cancel-registration/",
        (401, 400, 400, 400, 400),
        changed=lambda w: refreshed(w.attendance).status == Registration.Status.CANCELLED,
    ),
    Case(
        "check in",
        "post",
        "/events/{w.public.slug}/registrations/{w.attendance.pk}/check-in/",
        (401, 403, 403, 200, 200),
        changed=lambda w: refreshed(w.attendance).checked_in_at is not None,
    ),
    # organizers
    Case("organizers", "get", "/events/{w.public.slug}/organizers/", (401, 403, 403, 200, 200)),
    Case("organizers of a draft", "get", "/events/{w.draft.slug}/organizers/", (404, 404, 404, 200, 200)),
    Case(
        "add an organizer",
        "post",
        "/events/{w.public.slug}/organizers/",
        (401, 403, 403, 201, 201),
        body={"email": "{w.colleague.email}"},
        changed=lambda w: w.public.organizers.filter(pk=w.colleague.pk).exists(),
    ),
    Case(
        "add an organizer to a draft",
        "post",
        "/events/{w.draft.slug}/organizers/",
        (404, 404, 404, 201, 201),
        body={"email": "{w.colleague.email}"},
        changed=lambda w: w.draft.organizers.filter(pk=w.colleague.pk).exists(),
    ),
    Case(
        "add an address nobody has",
        "post",
        "/events/{w.public.slug}/organizers/",
        (401, 403, 403, 400, 400),
        body={"email": "nobody@example.org"},
        changed=lambda w: w.public.organizers.count() != 1,
    ),
    Case(
        "remove an organizer",
        "delete",
        "/events/{w.members_only.slug}/organizers/{w.co_organizer.pk}/",
        (404, 404, 403, 204, 204),
        changed=lambda w: not w.members_only.organizers.filter(pk=w.co_organizer.pk).exists(),
    ),
    Case(
        "remove the last organizer",
        "delete",
        "/events/{w.public.slug}/organizers/{w.users[organizer].pk}/",
        (401, 403, 403, 400, 400),
        changed=lambda w: not w.public.organizers.exists(),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(world, case, role):
    check_case(world, case, role, ROLES)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", {"Public workshop"}),
        ("person", {"Public workshop"}),
        ("member", {"Public workshop", "Members roundtable"}),
        ("organizer", {"Public workshop", "Members roundtable", "Draft hackathon"}),
        ("staff", {"Public workshop", "Members roundtable", "Draft hackathon"}),
    ],
)
def test_list_shows_each_role_only_what_it_may_see(world, role, sees):
    response = client_as(world.users[role]).get(f"{API}/events/")

    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == sees


def test_events_cannot_be_deleted(world):
    response = client_as(world.users["staff"]).delete(f"{API}/events/{world.public.slug}/")

    assert response.status_code == 405
    assert refreshed(world.public) is not None


# --- what an event shows -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_link"),
    [("anonymous", False), ("person", False), ("waiting", False), ("confirmed", True), ("organizer", True)],
)
def test_the_online_link_only_for_confirmed_attendees_and_organizers(world, role, sees_link):
    event = world.public
    services.event_change_capacity(actor=world.users["staff"], event=event, capacity=2)
    confirmed, waiting = UserFactory(), UserFactory()
    services.event_register(actor=confirmed, event=event)
    services.event_register(actor=waiting, event=event)
    viewer = {"confirmed": confirmed, "waiting": waiting}.get(role) or world.users.get(role)

    detail = client_as(viewer).get(f"{API}/events/{event.slug}/").json()
    listed = next(row for row in client_as(viewer).get(f"{API}/events/").json()["results"] if row["slug"] == event.slug)

    assert (detail["online_url"] == event.online_url) is sees_link
    assert (listed["online_url"] == event.online_url) is sees_link
    if not sees_link:
        assert detail["online_url"] == "" and listed["online_url"] == ""


def test_event_fields(world):
    body = client_as(world.users["person"]).get(f"{API}/events/{world.public.slug}/").json()

    assert body["slug"] == world.public.slug
    assert body["timezone"] == "Europe/Brussels"
    assert (body["capacity"], body["confirmed_count"], body["seats_left"]) == (5, 1, 4)
    assert (body["visibility"], body["status"], body["waitlist_enabled"]) == ("public", "published", True)
    assert body["my_registration"] is None
    assert body["url"].endswith(f"/api/v1/events/{world.public.slug}/")
    assert {"registration_opens_at", "registration_closes_at", "organization_seat_cap", "project"} <= set(body)


@pytest.mark.parametrize(("role", "sees_project"), [("anonymous", False), ("person", False), ("member", True)])
def test_a_hosting_project_shows_only_to_who_may_see_it(world, role, sees_project):
    project = ProjectFactory(title="Members Project", visibility="members")
    draft_project = ProjectFactory(title="Secret Draft Project", state="draft")
    EventFactory(title="Hosted by members", project=project)
    EventFactory(title="Hosted by a draft", project=draft_project)
    client = client_as(world.users[role])

    listed = {row["title"]: row["project"] for row in client.get(f"{API}/events/").json()["results"]}
    detail = client.get(f"{API}/events/{Event.objects.get(title='Hosted by members').slug}/").json()
    filtered = client.get(f"{API}/events/", {"project": draft_project.slug}).json()

    assert listed["Hosted by members"] == (project.slug if sees_project else None)
    assert detail["project"] == (project.slug if sees_project else None)
    assert listed["Hosted by a draft"] is None
    assert filtered["count"] == 0  # filtering by a hidden project's slug tells nothing either


# --- registering ---------------------------------------------------------------------------------------------------


def test_register_confirms_then_waitlists_with_positions_and_cancel_promotes(django_capture_on_commit_callbacks):
    # given an event with one seat
    event = EventFactory(capacity=1)
    first, second, third = UserFactory(), UserFactory(), UserFactory()

    # when three people register
    seat = client_as(first).post(f"{API}/events/{event.slug}/register/")
    waiting = client_as(second).post(f"{API}/events/{event.slug}/register/")
    later = client_as(third).post(f"{API}/events/{event.slug}/register/")

    # then the first has the seat and the others wait in order
    assert seat.status_code == 201 and seat.json()["status"] == "confirmed"
    assert seat.json()["waitlist_position"] is None and seat.json()["event"] == event.slug
    assert (waiting.json()["status"], waiting.json()["waitlist_position"]) == ("waitlisted", 1)
    assert (later.json()["status"], later.json()["waitlist_position"]) == ("waitlisted", 2)
    mine = client_as(third).get(f"{API}/events/{event.slug}/").json()["my_registration"]
    assert (mine["status"], mine["waitlist_position"]) == ("waitlisted", 2)

    # when the first cancels
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client_as(first).post(f"{API}/events/{event.slug}/cancel-registration/")

    # then the second gets the seat and an email, the third moves up
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    promoted = client_as(second).get(f"{API}/events/{event.slug}/").json()
    assert promoted["my_registration"]["status"] == "confirmed" and promoted["online_url"] == event.online_url
    assert client_as(third).get(f"{API}/events/{event.slug}/").json()["my_registration"]["waitlist_position"] == 1
    assert [message.to for message in mail.outbox] == [[second.email]]


def test_registering_twice_is_refused(world):
    client = client_as(world.users["person"])
    client.post(f"{API}/events/{world.public.slug}/register/")

    response = client.post(f"{API}/events/{world.public.slug}/register/")

    assert response.status_code == 400
    assert response.json()["detail"] == "You are already registered for this event."


def test_registrations_list_filters_by_status_and_shows_waitlist_positions(world):
    event = world.public
    services.event_change_capacity(actor=world.users["staff"], event=event, capacity=1)
    waiting = [services.event_register(actor=UserFactory(), event=event) for _ in range(2)]
    client = client_as(world.users["organizer"])

    everyone = client.get(f"{API}/events/{event.slug}/registrations/").json()
    waitlisted = client.get(f"{API}/events/{event.slug}/registrations/", {"status": "waitlisted"}).json()
    bad = client.get(f"{API}/events/{event.slug}/registrations/", {"status": "lost"})

    assert everyone["count"] == 3
    assert [(row["id"], row["waitlist_position"]) for row in waitlisted["results"]] == [
        (waiting[0].pk, 1),
        (waiting[1].pk, 2),
    ]
    assert waitlisted["results"][0]["person"]["email"] == waiting[0].person.email
    assert bad.status_code == 400


def test_check_in_twice_is_refused(world):
    client = client_as(world.users["organizer"])
    path = f"{API}/events/{world.public.slug}/registrations/{world.attendance.pk}/check-in/"

    first = client.post(path)
    again = client.post(path)

    assert first.status_code == 200 and first.json()["checked_in_at"]
    assert again.status_code == 400 and "already checked in" in again.json()["detail"]


# --- organizers ---------------------------------------------------------------------------------------------------


def test_organizers_add_a_colleague_by_address_and_remove_them(world, django_capture_on_commit_callbacks):
    # given an organizer and a colleague whose address they type in capitals
    client = client_as(world.users["organizer"])
    path = f"{API}/events/{world.public.slug}/organizers/"
    mail.outbox.clear()

    # when they add the colleague
    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(path, {"email": world.colleague.email.upper()}, format="json")
    listed = client.get(path)

    # then the colleague organizes the event, is told, and shows in the list
    assert added.status_code == 201, added.content
    assert added.json() == {"id": world.colleague.pk, "name": "Cleo Colleague", "email": world.colleague.email}
    assert [message.to for message in mail.outbox] == [[world.colleague.email]]
    assert [row["name"] for row in listed.json()["results"]] == ["Cleo Colleague", "Olga Organizer"]
    assert client_as(world.colleague).get(f"{path}").status_code == 200

    # when the colleague removes the first organizer
    removed = client_as(world.colleague).delete(f"{path}{world.users['organizer'].pk}/")

    # then only the colleague is left
    assert removed.status_code == 204
    assert list(world.public.organizers.all()) == [world.colleague]


@pytest.mark.parametrize(
    ("email", "detail"),
    [
        ("nobody@example.org", "No one has an account with the address nobody@example.org"),
        ("not an address", "Enter a valid email address."),
        ("{organizer}", "already organizes this event"),
        ("{deactivated}", "is deactivated"),
    ],
)
def test_adding_an_organizer_explains_each_refusal(world, email, detail):
    gone = UserFactory(is_active=False)
    email = email.format(organizer=world.users["organizer"].email, deactivated=gone.email)

    response = client_as(world.users["organizer"]).post(
        f"{API}/events/{world.public.slug}/organizers/", {"email": email}, format="json"
    )

    assert response.status_code == 400
    assert detail in str(response.json())
    assert list(world.public.organizers.all()) == [world.users["organizer"]]


def test_the_last_organizer_stays(world):
    response = client_as(world.users["staff"]).delete(
        f"{API}/events/{world.public.slug}/organizers/{world.users['organizer'].pk}/"
    )

    assert response.status_code == 400
    assert "at least one organizer" in response.json()["detail"]


def test_removing_someone_who_does_not_organize_is_404(world):
    response = client_as(world.users["organizer"]).delete(
        f"{API}/events/{world.public.slug}/organizers/{world.colleague.pk}/"
    )

    assert response.status_code == 404


# --- creating and updating ----------------------------------------------------------------------------------------


def test_staff_create_a_draft_in_its_time_zone(staff):
    response = client_as(staff).post(f"{API}/events/", new_event_body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["timezone"], body["slug"], body["capacity"]) == (
        "draft",
        "Asia/Tokyo",
        "api-clinic",
        10,
    )
    assert body["online_url"] == "https://meet.example.org/api"  # the creator organizes it


def test_a_project_lead_creates_events_only_for_their_project():
    project, other = ProjectFactory(), ProjectFactory()
    lead = LeadFactory(project=project).person
    client = client_as(lead)

    refused = client.post(f"{API}/events/", new_event_body(project=other.slug), format="json")
    created = client.post(f"{API}/events/", new_event_body(project=project.slug), format="json")

    assert refused.status_code == 403
    assert created.status_code == 201 and created.json()["project"] == project.slug


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"slug": "new"}, "slug"),
        ({"format": "in_person"}, "venue"),
        ({"ends_at": (timezone.now() + timedelta(days=1)).isoformat()}, None),
        ({"project": "no-such-project"}, "project"),
    ],
)
def test_bad_event_details_are_refused(staff, overrides, field):
    response = client_as(staff).post(f"{API}/events/", new_event_body(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    if field:
        assert field in response.json()["errors"]
    assert not Event.objects.exists()


def test_update_details_and_capacity_together_or_not_at_all(world):
    event = world.public
    services.event_register(actor=UserFactory(), event=event)  # two seats taken
    client = client_as(world.users["organizer"])

    refused = client.patch(f"{API}/events/{event.slug}/", {"title": "Renamed", "capacity": 1}, format="json")
    accepted = client.patch(f"{API}/events/{event.slug}/", {"title": "Renamed", "capacity": 2}, format="json")

    assert refused.status_code == 400 and "capacity" in refused.json()["errors"]
    assert accepted.status_code == 200
    assert (accepted.json()["title"], accepted.json()["capacity"], accepted.json()["seats_left"]) == ("Renamed", 2, 0)


def test_put_needs_every_required_field(world):
    response = client_as(world.users["organizer"]).put(
        f"{API}/events/{world.public.slug}/", {"title": "Only a title"}, format="json"
    )

    assert response.status_code == 400
    assert {"kind", "format", "starts_at", "ends_at"} <= set(response.json()["errors"])


# --- filters --------------------------------------------------------------------------------------------------------


def test_filters_and_search(staff):
    project = ProjectFactory()
    EventFactory(title="Hosted hackathon", kind=Event.Kind.HACKATHON, project=project)
    EventFactory(title="Virtual webinar", kind=Event.Kind.WEBINAR, format=Event.Format.VIRTUAL, venue="")
    EventFactory(title="Members meetup", kind=Event.Kind.MEETUP, visibility=Event.Visibility.MEMBERS)
    EventFactory(title="Old cancelled", status=Event.Status.CANCELLED, starts_at=timezone.now() - timedelta(days=9))
    client = client_as(staff)

    def titles(**params) -> set[str]:
        response = client.get(f"{API}/events/", params)
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert titles(kind="webinar") == {"Virtual webinar"}
    assert titles(format="virtual") == {"Virtual webinar"}
    assert titles(project=project.slug) == {"Hosted hackathon"}
    assert titles(visibility="members") == {"Members meetup"}
    assert titles(status="cancelled") == {"Old cancelled"}
    assert titles(when="past") == {"Old cancelled"}
    assert "Old cancelled" not in titles(when="upcoming")
    assert titles(search="webinar") == {"Virtual webinar"}
    assert client.get(f"{API}/events/", {"kind": "party"}).status_code == 400


# --- CSRF, query counts, schema ----------------------------------------------------------------------------------


def test_session_writes_without_csrf_token_are_refused(csrf_api_client, world):
    csrf_api_client.force_login(world.users["person"])

    response = csrf_api_client.post(f"{API}/events/{world.public.slug}/register/")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert world.public.registrations.count() == 1


# count, page of events (with project); for a person, also their registrations (with waitlist positions) and
# whether they belong to a member organization (projects_visible_to: may they see each hosting project)
EVENT_LIST_QUERIES = {"anonymous": 2, "person": 3}


@pytest.mark.parametrize("count", [5, 200])
@pytest.mark.parametrize("role", ["anonymous", "person"])
def test_event_list_costs_the_same_queries_for_5_and_200(django_assert_num_queries, count, role):
    # given events with registrations, half of them hosted by a project, the person registered for some
    person = UserFactory()
    AffiliationFactory(person=person)
    project = ProjectFactory()
    for number in range(count):
        event = EventFactory(capacity=1, project=project if number % 2 else None)
        services.event_register(actor=UserFactory(), event=event)
        if number % 3 == 0:
            services.event_register(actor=person, event=event)
    client = client_as(person if role == "person" else None)

    # when
    with django_assert_num_queries(EVENT_LIST_QUERIES[role]):
        response = client.get(f"{API}/events/", {"page_size": 1000})

    # then
    assert response.status_code == 200
    assert response.json()["count"] == count
    rows = response.json()["results"]
    assert len(rows) == min(count, 100)
    if role == "person":
        assert rows[0]["my_registration"]["status"] == "waitlisted"
        assert rows[0]["my_registration"]["waitlist_position"] == 1


def test_schema_lists_the_events_endpoints(tmp_path):
    schema = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    text = schema.read_text()
    for path in (
        "/api/v1/events/{slug}/register/",
        "/api/v1/events/{slug}/cancel-registration/",
        "/api/v1/events/{event_slug}/registrations/{id}/check-in/",
        "/api/v1/events/{event_slug}/organizers/",
        "/api/v1/events/{event_slug}/organizers/{user_id}/",
    ):
        assert path in text
