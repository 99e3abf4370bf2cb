"""The events pages: they render what each person may see, act only through the services, refuse what a person
may not do, and keep a fixed number of queries on the list and the event page."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.models import AuditEntry
from events import services
from events.models import CalendarFeed, Event, Registration
from tests.members.factories import AffiliationFactory, ApplicantOrganizationFactory, OrganizationFactory, UserFactory
from tests.projects.factories import LeadFactory, ProjectFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def register(event: Event, person=None) -> Registration:
    return services.event_register(actor=person or UserFactory(), event=event)


def layout_queries(client) -> int:
    """What the portal layout costs this client by itself (session, user, the header's counters): measured on
    the 404 page, which is the layout and nothing else, so the counts below are the events pages' own."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/no-such-page/").status_code == 404
    return len(queries)


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the list -----------------------------------------------------------------------------------------------------


def test_list_shows_upcoming_published_events_and_hides_drafts_from_others(client, staff):
    EventFactory(title="Open evaluation workshop")
    EventFactory(title="Secret draft", status=Event.Status.DRAFT, published_at=None, created_by=staff)
    EventFactory(
        title="Last year's meetup",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
    )

    upcoming = page_of(client.get(reverse("events:event_list")))
    past = page_of(client.get(reverse("events:event_list"), {"when": "past"}))

    assert "Open evaluation workshop" in upcoming
    assert "Secret draft" not in upcoming and "Last year" not in upcoming
    assert "Last year&#x27;s meetup" in past and "Open evaluation workshop" not in past


def test_organizers_and_staff_see_their_drafts_in_the_list(client, staff):
    organizer = UserFactory()
    EventFactory(title="Draft in progress", status=Event.Status.DRAFT, published_at=None, organizers=[organizer])

    client.force_login(organizer)
    as_organizer = page_of(client.get(reverse("events:event_list")))
    client.force_login(staff)
    as_staff = page_of(client.get(reverse("events:event_list")))
    client.force_login(UserFactory())
    as_other = page_of(client.get(reverse("events:event_list")))

    assert "Draft in progress" in as_organizer and "Draft in progress" in as_staff
    assert "Draft in progress" not in as_other


def test_members_only_events_are_listed_only_to_people_of_member_organizations(client, member, person):
    EventFactory(title="Members roundtable", visibility=Event.Visibility.MEMBERS)

    anonymous = page_of(client.get(reverse("events:event_list")))
    client.force_login(person)
    outsider = page_of(client.get(reverse("events:event_list")))
    client.force_login(member)
    inside = page_of(client.get(reverse("events:event_list")))

    assert "Members roundtable" not in anonymous and "Members roundtable" not in outsider
    assert "Members roundtable" in inside and "Members only" in inside


def test_list_filters_by_kind_format_focus_area_and_project(client):
    project = ProjectFactory(title="Open Evals")
    area = project.focus_areas.create(name="Trust and safety", slug="trust-and-safety")
    EventFactory(title="Hosted hackathon", kind=Event.Kind.HACKATHON, project=project)
    EventFactory(title="Virtual webinar", kind=Event.Kind.WEBINAR, format=Event.Format.VIRTUAL, venue="")
    EventFactory(title="City meetup", kind=Event.Kind.MEETUP, format=Event.Format.IN_PERSON)
    url = reverse("events:event_list")

    by_kind = page_of(client.get(url, {"kind": "webinar"}))
    by_format = page_of(client.get(url, {"format": "in_person"}))
    by_area = page_of(client.get(url, {"focus_area": area.slug}))
    by_project = page_of(client.get(url, {"project": project.slug}))
    by_search = page_of(client.get(url, {"q": "hackathon"}))

    assert "Virtual webinar" in by_kind and "City meetup" not in by_kind
    assert "City meetup" in by_format and "Virtual webinar" not in by_format
    assert "Hosted hackathon" in by_area and "City meetup" not in by_area
    assert "Hosted hackathon" in by_project and "hosted by Open Evals" in by_project
    assert "Virtual webinar" not in by_project
    assert "Hosted hackathon" in by_search and "City meetup" not in by_search


def test_a_draft_projects_title_never_shows_on_the_list_for_anonymous_visitors(client):
    # given a public event hosted by a draft project, and one by a members-only project
    EventFactory(title="Open workshop", project=ProjectFactory(title="Secret Draft Project", state="draft"))
    EventFactory(title="Roundtable", project=ProjectFactory(title="Members Project", visibility="members"))

    # when an anonymous visitor opens the list
    page = page_of(client.get(reverse("events:event_list")))

    # then both events are listed, but neither project: not in the filter, not on the cards
    assert "Open workshop" in page and "Roundtable" in page
    assert "Secret Draft Project" not in page and "Members Project" not in page


def test_the_hosting_project_filter_lists_the_projects_the_viewer_may_see(client, member):
    visible = ProjectFactory(title="Members Project", visibility="members")
    EventFactory(title="Roundtable", project=visible)
    EventFactory(title="Open workshop", project=ProjectFactory(title="Secret Draft Project", state="draft"))
    client.force_login(member)

    response = client.get(reverse("events:event_list"))

    page = page_of(response)
    assert [label for _, label in response.context["form"].fields["project"].choices] == [
        "All projects",
        "Members Project",
    ]
    assert "hosted by Members Project" in page and "Secret Draft Project" not in page


def test_the_event_page_names_the_hosting_project_only_to_who_may_see_it(client, member):
    project = ProjectFactory(title="Members Project", slug="members-project", visibility="members")
    event = EventFactory(title="Roundtable", project=project)

    anonymous = page_of(client.get(event.get_absolute_url()))
    client.force_login(member)
    inside = page_of(client.get(event.get_absolute_url()))

    assert "Members Project" not in anonymous and "members-project" not in anonymous
    assert "Hosted by the project" in inside and project.get_absolute_url() in inside


def test_list_ignores_unknown_filter_values(client):
    EventFactory(title="Open evaluation workshop")

    page = page_of(client.get(reverse("events:event_list"), {"kind": "party", "focus_area": "nope", "when": "x"}))

    assert "Open evaluation workshop" in page


def test_list_answers_htmx_with_only_the_results(client):
    EventFactory(title="Open evaluation workshop")

    page = page_of(client.get(reverse("events:event_list"), {"q": "evaluation"}, **HTMX))

    assert "Open evaluation workshop" in page
    assert "<html" not in page and 'id="results"' not in page


def test_list_shows_the_viewers_own_status(client, person):
    seat = EventFactory(title="Seat event")
    full = EventFactory(title="Full event", capacity=1)
    register(seat, person)
    register(full)
    register(full, person)

    client.force_login(person)
    page = page_of(client.get(reverse("events:event_list")))

    assert "You have a seat" in page
    assert "Waitlist, number 1" in page


@pytest.mark.parametrize("event_count", [5, 200])
@pytest.mark.parametrize("signed_in", [False, True])
def test_list_costs_the_same_queries_for_5_and_200_events(client, django_assert_num_queries, event_count, signed_in):
    # given events with registrations, some hosted by a project, and a viewer registered for some
    viewer = UserFactory()
    project = ProjectFactory()
    for number in range(event_count):
        event = EventFactory(capacity=2, project=project if number % 2 else None)
        register(event)
        if number % 3 == 0:
            register(event, viewer)
    if signed_in:
        client.force_login(viewer)

    # focus areas, hosting projects, count, page of events (with project), the viewer's registrations;
    # signed in: also whether the viewer may create events (membership is a subquery of the lists, not a query)
    with django_assert_num_queries(layout_queries(client) + (6 if signed_in else 4)):
        response = client.get(reverse("events:event_list"))

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == event_count


# --- the event page -----------------------------------------------------------------------------------------------


def test_event_page_shows_markdown_times_in_the_events_zone_venue_and_seats(client):
    start = timezone.now().replace(microsecond=0) + timedelta(days=5)
    event = EventFactory(
        description="Bring **your laptop**.\n\n<script>alert(1)</script>",
        timezone="America/New_York",
        starts_at=start,
        capacity=10,
        venue="1 Main St, Boston",
    )
    register(event)

    page = page_of(client.get(event.get_absolute_url()))

    assert "<strong>your laptop</strong>" in page
    assert "<script>alert(1)</script>" not in page
    local = start.astimezone(event.tzinfo)
    assert local.strftime("%H:%M") in page and "(America/New_York)" in page
    assert f'datetime="{start.isoformat()}"' in page
    assert f'data-local-time="{start.isoformat()}"' in page and "js/local-time.js" in page
    assert "1 Main St, Boston" in page
    assert "9 of 10 left" in page
    assert reverse("events:event_ics", kwargs={"slug": event.slug}) in page


def test_the_online_link_is_shown_only_to_confirmed_attendees_and_organizers(client, event, staff):
    confirmed, waiting, outsider = UserFactory(), UserFactory(), UserFactory()
    services.event_change_capacity(actor=staff, event=event, capacity=1)
    register(event, confirmed)
    register(event, waiting)

    seen = {}
    for name, viewer in [("confirmed", confirmed), ("waiting", waiting), ("outsider", outsider), ("staff", staff)]:
        client.force_login(viewer)
        seen[name] = event.online_url in page_of(client.get(event.get_absolute_url()))
    client.logout()
    seen["anonymous"] = event.online_url in page_of(client.get(event.get_absolute_url()))

    assert seen == {"confirmed": True, "waiting": False, "outsider": False, "staff": True, "anonymous": False}


def test_a_full_event_offers_the_waitlist_and_shows_the_viewers_position(client, person):
    event = EventFactory(capacity=1)
    register(event)
    register(event)

    client.force_login(person)
    before = page_of(client.get(event.get_absolute_url()))
    register(event, person)
    after = page_of(client.get(event.get_absolute_url()))

    assert "Full — join the waitlist" in before and "Join the waitlist" in before
    assert "You are number 2 on the waitlist" in after
    assert "Leave the waitlist" in after


def test_anonymous_visitors_are_asked_to_sign_in(client, event):
    page = page_of(client.get(event.get_absolute_url()))

    assert "Sign in to register" in page
    assert f"{reverse('account_login')}?next={event.get_absolute_url()}" in page


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"status": Event.Status.CANCELLED}, "This event was cancelled."),
        ({"capacity": 1, "waitlist_enabled": False}, "The event is full"),
        ({"registration_closes_at": timezone.now() - timedelta(hours=1)}, "Registration is closed."),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "Registration opens"),
    ],
)
def test_the_panel_says_why_one_cannot_register(client, person, fields, text):
    event = EventFactory(**fields)
    if fields.get("capacity") == 1:
        register(event)
    client.force_login(person)

    page = page_of(client.get(event.get_absolute_url()))

    assert text in page
    assert '<button class="button button-wide" type="submit">Register</button>' not in page


def test_the_panel_says_when_the_viewers_organization_holds_its_seats(client):
    # given an event with one seat per organization, taken by a colleague of the viewer
    colleague = AffiliationFactory(organization__name="Open Lab").person
    viewer = AffiliationFactory(organization=colleague.affiliations.get().organization).person
    event = EventFactory(organization_seat_cap=1)
    register(event, colleague)
    client.force_login(viewer)

    # when the viewer opens the event
    page = page_of(client.get(event.get_absolute_url()))

    # then the panel says what registering would answer, and offers no button
    assert "Open Lab already holds its 1 seat(s) at this event." in page
    assert '<button class="button button-wide" type="submit">Register</button>' not in page


def test_drafts_are_404_for_everyone_but_organizers_and_staff(client, staff, person):
    organizer = UserFactory()
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None, organizers=[organizer])

    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(person)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(organizer)
    assert "nobody can register until an organizer publishes it" in page_of(client.get(draft.get_absolute_url()))
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_members_only_event_is_404_for_non_members_and_open_to_members(client, person, member):
    event = EventFactory(visibility=Event.Visibility.MEMBERS)

    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(person)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.post(reverse("events:event_register", kwargs={"slug": event.slug})).status_code == 404
    client.force_login(member)
    assert "Register" in page_of(client.get(event.get_absolute_url()))


@pytest.mark.parametrize("registration_count", [5, 200])
def test_event_page_costs_the_same_queries_for_5_and_200_registrations(
    client, django_assert_num_queries, registration_count, person
):
    event = EventFactory(capacity=3, project=ProjectFactory())
    for _ in range(registration_count):
        register(event)
    register(event, person)
    client.force_login(person)

    # the event (with project, organizer flag and whether the viewer may see the hosting project), and the
    # viewer's registration with its waitlist position
    with django_assert_num_queries(layout_queries(client) + 2):
        response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert "You are number" in response.content.decode()


# --- registering and cancelling --------------------------------------------------------------------------------


def test_register_through_htmx_swaps_the_panel_and_confirms(client, event, person, django_capture_on_commit_callbacks):
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:event_register", kwargs={"slug": event.slug}), **HTMX)

    page = page_of(response)
    assert page.startswith('<section id="registration"')
    assert "You have a seat." in page and event.online_url in page
    assert Registration.objects.get(event=event, person=person).status == Registration.Status.CONFIRMED
    assert mail.outbox[-1].to == [person.email]


def test_register_when_full_puts_the_person_on_the_waitlist_with_their_position(client, person):
    event = EventFactory(capacity=1)
    register(event)
    register(event)
    client.force_login(person)

    page = page_of(client.post(reverse("events:event_register", kwargs={"slug": event.slug}), **HTMX))

    assert "you are number 2 on the waitlist" in page
    assert "You are number 2 on the waitlist." in page


def test_registering_twice_shows_the_services_refusal_in_the_panel(client, event, person):
    register(event, person)
    client.force_login(person)

    page = page_of(client.post(reverse("events:event_register", kwargs={"slug": event.slug}), **HTMX))

    assert "You are already registered for this event." in page
    assert Registration.objects.filter(event=event, person=person).count() == 1


def test_register_without_htmx_redirects_with_a_message(client, event, person):
    client.force_login(person)

    response = client.post(reverse("events:event_register", kwargs={"slug": event.slug}), follow=True)

    assert response.redirect_chain[-1][0] == event.get_absolute_url()
    assert "You are registered. A confirmation is on its way" in response.content.decode()


def test_anonymous_register_is_sent_to_sign_in(client, event):
    response = client.post(reverse("events:event_register", kwargs={"slug": event.slug}))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Registration.objects.exists()


def test_register_needs_post(client, event, person):
    client.force_login(person)

    assert client.get(reverse("events:event_register", kwargs={"slug": event.slug})).status_code == 405


def test_cancelling_gives_the_seat_to_the_first_waiting(client, person, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    register(event, person)
    waiting = register(event)
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        page = page_of(client.post(reverse("events:event_registration_cancel", kwargs={"slug": event.slug}), **HTMX))

    assert "Your registration is cancelled" in page and "Join the waitlist" in page  # the seat is taken again
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert mail.outbox[-1].to == [waiting.person.email]


def test_leaving_the_waitlist(client, person):
    event = EventFactory(capacity=1)
    register(event)
    register(event, person)
    client.force_login(person)

    page = page_of(client.post(reverse("events:event_registration_cancel", kwargs={"slug": event.slug}), **HTMX))

    assert "You left the waitlist." in page
    assert not Registration.objects.filter(event=event, person=person, status__in=Registration.ACTIVE_STATUSES)


def test_cancelling_without_a_registration_says_so(client, event, person):
    client.force_login(person)

    page = page_of(client.post(reverse("events:event_registration_cancel", kwargs={"slug": event.slug}), **HTMX))

    assert "You are not registered for this event." in page


# --- my events and the calendar feed ------------------------------------------------------------------------------


def test_my_events_lists_registrations_and_the_private_feed_address(client, person):
    seat = EventFactory(title="Seat event")
    full = EventFactory(title="Full event", capacity=1)
    register(seat, person)
    register(full)
    register(full, person)
    client.force_login(person)

    page = page_of(client.get(reverse("events:my_events")))

    feed = CalendarFeed.objects.get(person=person)
    assert "Seat event" in page and "Confirmed" in page
    assert "Full event" in page and "Waitlist, number 1" in page
    assert f"http://testserver/calendar/{feed.token}.ics" in page
    assert f"webcal://testserver/calendar/{feed.token}.ics" in page


def test_resetting_the_feed_address_revokes_the_old_one(client, person):
    client.force_login(person)
    client.get(reverse("events:my_events"))
    old = CalendarFeed.objects.get(person=person).token

    response = client.post(reverse("events:calendar_feed_reset"), follow=True)

    new = CalendarFeed.objects.get(person=person).token
    assert new != old
    page = page_of(response)
    assert new in page and "the old one no longer works" in page
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_my_events_needs_sign_in(client):
    response = client.get(reverse("events:my_events"))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# --- creating and editing ----------------------------------------------------------------------------------------


def event_form_data(**overrides) -> dict[str, str]:
    return {
        "title": "Red-teaming clinic",
        "description": "Hands-on.",
        "kind": "workshop",
        "format": "hybrid",
        "timezone": "America/New_York",
        "starts_at": "2031-05-04T18:00",
        "ends_at": "2031-05-04T21:00",
        "venue": "1 Main St, Boston",
        "online_url": "https://meet.example.org/clinic",
        "visibility": "public",
        "capacity": "30",
        "waitlist_enabled": "on",
        **overrides,
    }


def test_staff_create_a_draft_with_times_in_the_events_zone(client, staff):
    client.force_login(staff)

    response = client.post(reverse("events:event_create"), event_form_data())

    event = Event.objects.get(title="Red-teaming clinic")
    assert response.status_code == 302 and response["Location"] == reverse("events:event_manage", args=[event.slug])
    assert event.status == Event.Status.DRAFT and event.capacity == 30
    assert event.starts_at.astimezone(event.tzinfo).strftime("%Y-%m-%d %H:%M") == "2031-05-04 18:00"
    assert event.starts_at.utcoffset().total_seconds() == 0 and event.starts_at.hour == 22  # 18:00 EDT is 22:00 UTC
    assert list(event.organizers.all()) == [staff]


def test_a_project_lead_creates_an_event_for_their_project(client):
    project = ProjectFactory()
    lead = LeadFactory(project=project).person
    other_project = ProjectFactory()
    client.force_login(lead)

    form_page = page_of(client.get(reverse("events:event_create")))
    refused = client.post(reverse("events:event_create"), event_form_data(project=other_project.slug))
    response = client.post(reverse("events:event_create"), event_form_data(project=project.slug))

    assert project.title in form_page and other_project.title not in form_page
    assert refused.status_code == 400
    assert response.status_code == 302
    assert Event.objects.get().project == project


def test_people_who_are_not_staff_or_leads_cannot_create_events(client, person):
    client.force_login(person)

    assert client.get(reverse("events:event_create")).status_code == 403
    assert client.post(reverse("events:event_create"), event_form_data()).status_code == 403
    assert not Event.objects.exists()


def test_create_shows_errors_on_their_fields(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("events:event_create"), event_form_data(ends_at="2031-05-04T17:00", format="in_person", venue="")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The event must end after it starts." in page
    assert not Event.objects.exists()


def test_the_new_address_is_never_an_events_slug(client, staff):
    client.force_login(staff)

    client.post(reverse("events:event_create"), event_form_data(title="New"))

    event = Event.objects.get(title="New")
    assert event.slug != "new"
    assert client.get(event.get_absolute_url()).status_code == 200


def test_organizers_edit_the_details(client, event, staff):
    client.force_login(staff)
    form = page_of(client.get(reverse("events:event_edit", args=[event.slug])))
    local_start = event.starts_at.astimezone(event.tzinfo).strftime("%Y-%m-%dT%H:%M")

    data = event_form_data(
        title="Renamed workshop",
        timezone=event.timezone,
        starts_at=local_start,
        ends_at=event.ends_at.astimezone(event.tzinfo).strftime("%Y-%m-%dT%H:%M"),
    )
    data.pop("capacity")
    response = client.post(reverse("events:event_edit", args=[event.slug]), data)

    assert f'value="{local_start}"' in form
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed workshop"
    entry = AuditEntry.objects.get(action="event.updated")
    assert "starts_at" not in entry.changes and "title" in entry.changes


@pytest.mark.parametrize(
    ("alias", "canonical"), [("US/Eastern", "America/New_York"), ("Asia/Calcutta", "Asia/Kolkata")]
)
def test_an_event_saved_with_a_zone_alias_is_edited_and_saved_again(client, staff, alias, canonical):
    # given an event whose zone was stored as an alias of the time-zone database (the API and the admin accept one)
    event = EventFactory(timezone=alias, created_by=staff)
    local_start = event.starts_at.astimezone(event.tzinfo).strftime("%Y-%m-%dT%H:%M")
    client.force_login(staff)

    # when its organizer opens the form and saves it as shown, with a new title
    form = page_of(client.get(reverse("events:event_edit", args=[event.slug])))
    data = event_form_data(
        title="Renamed",
        timezone=canonical,
        starts_at=local_start,
        ends_at=event.ends_at.astimezone(event.tzinfo).strftime("%Y-%m-%dT%H:%M"),
    )
    data.pop("capacity")
    response = client.post(reverse("events:event_edit", args=[event.slug]), data)

    # then the canonical zone was preselected, the form was accepted and neither the zone nor the times moved
    assert f'<option value="{canonical}" selected>' in form
    assert response.status_code == 302, page_of(response)
    before = (event.starts_at, event.ends_at)
    event.refresh_from_db()
    assert event.title == "Renamed" and (event.starts_at, event.ends_at) == before
    entry = AuditEntry.objects.get(action="event.updated")
    assert "title" in entry.changes and not {"timezone", "starts_at", "ends_at"} & set(entry.changes)
    assert event.timezone == alias


def test_the_event_form_also_takes_the_alias_itself(client, staff):
    # given an event stored with an alias, and a client that posts the stored value back unchanged
    event = EventFactory(timezone="US/Eastern", created_by=staff)
    client.force_login(staff)
    data = event_form_data(
        title="Renamed",
        timezone="US/Eastern",
        starts_at=event.starts_at.astimezone(event.tzinfo).strftime("%Y-%m-%dT%H:%M"),
        ends_at=event.ends_at.astimezone(event.tzinfo).strftime("%Y-%m-%dT%H:%M"),
    )
    data.pop("capacity")

    # when it is saved
    response = client.post(reverse("events:event_edit", args=[event.slug]), data)

    # then it is accepted
    assert response.status_code == 302, page_of(response)
    event.refresh_from_db()
    assert event.title == "Renamed"


def test_others_cannot_edit(client, event, person):
    client.force_login(person)

    assert client.get(reverse("events:event_edit", args=[event.slug])).status_code == 403
    assert client.post(reverse("events:event_edit", args=[event.slug]), event_form_data()).status_code == 403


# --- organizer pages ---------------------------------------------------------------------------------------------


def test_manage_page_is_for_organizers_and_staff_only(client, event, person):
    organizer = UserFactory()
    event.organizers.add(organizer)

    assert client.get(reverse("events:event_manage", args=[event.slug])).status_code == 302
    client.force_login(person)
    assert client.get(reverse("events:event_manage", args=[event.slug])).status_code == 403
    client.force_login(organizer)
    assert client.get(reverse("events:event_manage", args=[event.slug])).status_code == 200


def test_manage_page_lists_registrations_by_status_and_the_waitlist_in_order(client, staff):
    event = EventFactory(capacity=1, created_by=staff)
    seated = register(event, UserFactory(name="Ada Seated"))
    first = register(event, UserFactory(name="Bo First"))
    second = register(event, UserFactory(name="Cy Second"))
    client.force_login(staff)

    page = page_of(client.get(reverse("events:event_manage", args=[event.slug])))
    waiting = page_of(client.get(reverse("events:event_manage", args=[event.slug]), {"status": "waitlisted"}))
    partial = page_of(
        client.get(
            reverse("events:event_manage", args=[event.slug]),
            {"status": "confirmed"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="registrations",
        )
    )

    waitlist = page[page.index('id="waitlist"') :]
    assert waitlist.index("Bo First") < waitlist.index("Cy Second")
    assert seated.person.name not in waitlist
    registrations = waiting[waiting.index('id="registrations"') : waiting.index('id="waitlist"')]
    assert first.person.name in registrations and seated.person.name not in registrations
    assert "Ada Seated" in partial and "Bo First" not in partial and "<html" not in partial
    assert second.person.name in page


def test_check_in_through_htmx_swaps_the_row(client, event, staff, person):
    registration = register(event, person)
    client.force_login(staff)
    url = reverse("events:registration_check_in", args=[event.slug, registration.pk])

    first = page_of(client.post(url, **HTMX))
    again = page_of(client.post(url, **HTMX))

    assert first.startswith(f'<tr id="registration-{registration.pk}"')
    assert "is checked in." in first and "Checked in" in first
    assert "was already checked in" in again
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_others_cannot_check_in(client, event, person):
    registration = register(event, person)
    client.force_login(person)

    response = client.post(reverse("events:registration_check_in", args=[event.slug, registration.pk]), **HTMX)

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_attendee_csv_lists_confirmed_people_only(client, staff):
    event = EventFactory(capacity=2, created_by=staff)
    organization_member = AffiliationFactory(person__name="=Ada Formula", organization__name="Open Lab").person
    seated = register(event, organization_member)
    register(event, UserFactory(name="Bo Seated"))
    register(event, UserFactory(name="Cy Waiting"))
    services.registration_check_in(actor=staff, registration=seated)
    client.force_login(staff)

    response = client.get(reverse("events:attendees_csv", args=[event.slug]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Email", "Organization", "Registered", "Checked in"]
    assert [row[0] for row in rows[1:]] == ["'=Ada Formula", "Bo Seated"]
    assert rows[1][1] == organization_member.email and rows[1][2] == "Open Lab"
    assert rows[1][4] and not rows[2][4]


def test_csv_is_refused_to_others(client, event, person):
    client.force_login(person)

    assert client.get(reverse("events:attendees_csv", args=[event.slug])).status_code == 403


def test_raising_the_capacity_promotes_people_waiting(client, staff):
    event = EventFactory(capacity=1, created_by=staff)
    register(event)
    waiting = register(event)
    client.force_login(staff)

    response = client.post(reverse("events:event_capacity", args=[event.slug]), {"capacity": "2"}, follow=True)

    assert "The capacity is now 2." in page_of(response)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_lowering_the_capacity_below_the_seats_taken_is_refused_on_the_field(client, staff):
    event = EventFactory(capacity=3, created_by=staff)
    register(event)
    register(event)
    client.force_login(staff)

    response = client.post(reverse("events:event_capacity", args=[event.slug]), {"capacity": "1"})

    assert response.status_code == 400
    assert "2 people hold a seat" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 3


def test_publish_a_draft(client, staff):
    event = EventFactory(status=Event.Status.DRAFT, published_at=None, created_by=staff)
    client.force_login(staff)

    response = client.post(reverse("events:event_publish", args=[event.slug]), follow=True)

    assert "The event is published" in page_of(response)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_cancel_with_a_reason_tells_everyone_registered(client, staff, django_capture_on_commit_callbacks):
    event = EventFactory(created_by=staff)
    attendee = register(event).person
    mail.outbox.clear()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:event_cancel", args=[event.slug]), {"reason": "The venue flooded."}, follow=True
        )

    assert "The event is cancelled" in page_of(response)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert [message.to for message in mail.outbox] == [[attendee.email]]
    assert "The venue flooded." in mail.outbox[0].body


def test_organizer_cancels_a_registration_and_the_seat_moves_on(client, staff):
    event = EventFactory(capacity=1, created_by=staff)
    seated = register(event)
    waiting = register(event)
    client.force_login(staff)

    response = client.post(reverse("events:registration_cancel", args=[event.slug, seated.pk]), **HTMX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("events:event_manage", args=[event.slug])
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_organizer_actions_are_refused_to_others(client, event, person):
    client.force_login(person)

    for name in ("event_publish", "event_cancel", "event_capacity"):
        assert client.post(reverse(f"events:{name}", args=[event.slug]), {"capacity": "5"}).status_code == 403
    event.refresh_from_db()
    assert (event.status, event.capacity) == (Event.Status.PUBLISHED, 20)


def test_navigation_links_to_events(client, person):
    client.force_login(person)

    page = page_of(client.get(reverse("home")))

    assert f'href="{reverse("events:event_list")}"' in page
    assert f'href="{reverse("events:my_events")}"' in page


# --- organizers ----------------------------------------------------------------------------------------------------


def organizers_section(page: str) -> str:
    start = page.index('id="organizers"')
    return page[start : page.index("</section>", start)]


def test_manage_page_lists_the_organizers(client, staff):
    event = EventFactory(organizers=[UserFactory(name="Olga Organizer"), UserFactory(name="Cora Co-organizer")])
    client.force_login(staff)

    section = organizers_section(page_of(client.get(reverse("events:event_manage", args=[event.slug]))))

    assert "Olga Organizer" in section and "Cora Co-organizer" in section
    assert section.count("Remove<span") == 2
    assert 'name="email"' in section


def test_an_organizer_adds_a_colleague_by_address_through_htmx(client, django_capture_on_commit_callbacks):
    # given an organizer on the manage page
    organizer, colleague = UserFactory(name="Olga Organizer"), UserFactory(name="Cleo Colleague")
    event = EventFactory(organizers=[organizer])
    client.force_login(organizer)
    mail.outbox.clear()

    # when they add the colleague by address
    with django_capture_on_commit_callbacks(execute=True):
        section = page_of(
            client.post(
                reverse("events:event_organizer_add", args=[event.slug]), {"email": colleague.email.upper()}, **HTMX
            )
        )

    # then the section is swapped with the colleague in it, and the colleague is told
    assert section.startswith('<section id="organizers"') and "<html" not in section
    assert "Cleo Colleague now organizes this event." in section and "Remove<span" in section
    assert set(event.organizers.all()) == {organizer, colleague}
    assert [message.to for message in mail.outbox] == [[colleague.email]]


def test_adding_an_unknown_address_shows_the_error_on_the_field(client, event, staff):
    client.force_login(staff)
    url = reverse("events:event_organizer_add", args=[event.slug])

    plain = client.post(url, {"email": "nobody@example.org"})
    swapped = page_of(client.post(url, {"email": "nobody@example.org"}, **HTMX))
    twice = page_of(client.post(url, {"email": staff.email}, **HTMX))

    assert plain.status_code == 400 and "No one has an account with the address" in plain.content.decode()
    assert "No one has an account with the address" in swapped
    assert "already organizes this event" in twice
    assert list(event.organizers.all()) == [staff]


def test_plain_posts_add_and_remove_organizers_with_a_message(client, event, staff):
    colleague = UserFactory(name="Cleo Colleague")
    client.force_login(staff)

    added = client.post(
        reverse("events:event_organizer_add", args=[event.slug]), {"email": colleague.email}, follow=True
    )
    removed = client.post(reverse("events:event_organizer_remove", args=[event.slug, colleague.pk]), follow=True)

    assert "Cleo Colleague now organizes this event." in page_of(added)
    assert "Cleo Colleague no longer organizes this event." in page_of(removed)
    assert removed.redirect_chain[-1][0] == reverse("events:event_manage", args=[event.slug])
    assert list(event.organizers.all()) == [staff]


def test_the_last_organizer_cannot_be_removed_from_the_page(client, event, staff):
    client.force_login(staff)

    page = page_of(client.post(reverse("events:event_organizer_remove", args=[event.slug, staff.pk]), **HTMX))

    assert "at least one organizer" in page
    assert "Remove<span" not in page  # the only organizer has no remove button
    assert list(event.organizers.all()) == [staff]


def test_an_organizer_who_leaves_goes_back_to_the_event_page(client, event, staff):
    organizer = UserFactory()
    event.organizers.add(organizer)
    client.force_login(organizer)

    response = client.post(reverse("events:event_organizer_remove", args=[event.slug, organizer.pk]), **HTMX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == event.get_absolute_url()
    assert list(event.organizers.all()) == [staff]


def test_others_cannot_add_or_remove_organizers(client, event, staff, person):
    client.force_login(person)

    add = client.post(reverse("events:event_organizer_add", args=[event.slug]), {"email": person.email}, **HTMX)
    remove = client.post(reverse("events:event_organizer_remove", args=[event.slug, staff.pk]), **HTMX)

    assert (add.status_code, remove.status_code) == (403, 403)
    assert list(event.organizers.all()) == [staff]


# --- the organization's page: its coming events ------------------------------------------------------------------


def _organization_events(client, organization) -> str:
    response = client.get(reverse("events:organization_events", args=[organization.slug]), **HTMX)
    assert response.status_code == 200
    return page_of(response)


def test_the_organization_page_shows_its_coming_events_as_the_viewer_may_see_them(client, staff):
    # given an organization that sponsors a project, one of whose people leads another and organizes an event
    organization = OrganizationFactory(name="Open Lab")
    colleague = AffiliationFactory(organization=organization).person
    sponsored = ProjectFactory(title="Sponsored")
    sponsored.sponsors.add(organization)
    led = LeadFactory(person=colleague).project
    hidden = ProjectFactory(title="Draft work", state="draft")
    hidden.sponsors.add(organization)
    EventFactory(title="Hosted clinic", project=sponsored, created_by=staff)
    EventFactory(title="Led meetup", project=led, created_by=staff)
    EventFactory(title="Organized webinar", organizers=[colleague], created_by=staff)
    EventFactory(title="Members briefing", project=sponsored, visibility=Event.Visibility.MEMBERS, created_by=staff)
    EventFactory(title="Draft event", project=sponsored, status=Event.Status.DRAFT, created_by=staff)
    EventFactory(
        title="Last year's",
        project=sponsored,
        starts_at=timezone.now() - timedelta(days=300),
        ends_at=timezone.now() - timedelta(days=300, hours=-2),
        created_by=staff,
    )
    EventFactory(title="Draft project's", project=hidden, created_by=staff)
    EventFactory(title="Someone else's", created_by=staff)

    # when a visitor, then a member of another organization, read the part of the page
    visitor_sees = _organization_events(client, organization)
    client.force_login(AffiliationFactory(organization=OrganizationFactory()).person)
    member_sees = _organization_events(client, organization)

    # then each sees the coming published events of its projects and people, with their zone; members also the
    # members-only one; never a draft, a past one, one of a hidden project, or someone else's
    for title in ("Hosted clinic", "Led meetup", "Organized webinar"):
        assert title in visitor_sees and title in member_sees
    assert "Members briefing" not in visitor_sees and "Members briefing" in member_sees
    for title in ("Draft event", "Last year&#x27;s", "Draft project&#x27;s", "Someone else&#x27;s"):
        assert title not in visitor_sees and title not in member_sees
    assert "CET" in visitor_sees or "CEST" in visitor_sees
    # and the organization's page loads the part
    assert reverse("events:organization_events", args=[organization.slug]) in page_of(
        client.get(organization.get_absolute_url())
    )


@pytest.mark.parametrize("events", [2, 6])
def test_the_organizations_events_cost_the_same_queries_for_few_or_many(
    client, staff, django_assert_num_queries, events
):
    organization = OrganizationFactory()
    project = ProjectFactory()
    project.sponsors.add(organization)
    for _ in range(events):
        EventFactory(project=project, created_by=staff)
    layout = layout_queries(client)

    with django_assert_num_queries(layout + 2):  # the organization, the events
        page = _organization_events(client, organization)
    assert page.count('href="/events/') == events


def test_the_events_of_a_hidden_organization_are_a_404(client):
    applicant = ApplicantOrganizationFactory()

    assert client.get(reverse("events:organization_events", args=[applicant.slug])).status_code == 404
