"""The events admin changes nothing on its own: its actions call the services, with the signed-in staff as actor."""

import pytest
from django.core import mail
from django.urls import reverse

from alliance.models import AuditEntry
from events import services
from events.models import CalendarFeed, Event, Registration
from tests.members.factories import StaffFactory, UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_staff():
    return StaffFactory(is_superuser=True)


@pytest.fixture
def admin_client(client, superuser_staff):
    client.force_login(superuser_staff)
    return client


def run_action(client, model: str, action: str, *objects, **extra) -> list[str]:
    response = client.post(
        reverse(f"admin:events_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_pages_render(admin_client, event):
    registration = services.event_register(actor=UserFactory(), event=event)
    services.calendar_feed_for(actor=registration.person)

    for name, args in [
        ("events_event_changelist", []),
        ("events_event_change", [event.pk]),
        ("events_registration_changelist", []),
        ("events_registration_change", [registration.pk]),
        ("events_calendarfeed_changelist", []),
    ]:
        assert admin_client.get(reverse(f"admin:{name}", args=args)).status_code == 200


def test_no_adding_or_deleting_events(admin_client, event):
    assert admin_client.get(reverse("admin:events_event_add")).status_code == 403
    assert admin_client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403


def test_changing_the_capacity_goes_through_the_service_and_promotes(admin_client, superuser_staff):
    event = EventFactory(capacity=1)
    services.event_register(actor=UserFactory(), event=event)
    waiting = services.event_register(actor=UserFactory(), event=event)

    messages = run_action(admin_client, "event", "change_capacity", event, capacity="2")

    event.refresh_from_db()
    waiting.refresh_from_db()
    assert messages == ["Capacity set to 2: 1."]
    assert (event.capacity, event.confirmed_count, waiting.status) == (2, 2, Registration.Status.CONFIRMED)
    assert AuditEntry.objects.get(action="event.capacity_changed").actor == superuser_staff


def test_a_bad_capacity_is_refused_before_any_service_runs(admin_client, event):
    messages = run_action(admin_client, "event", "change_capacity", event, capacity="0")

    event.refresh_from_db()
    assert messages == ["Give a capacity of at least 1, or leave it empty."]
    assert event.capacity == 20


def test_the_capacity_cannot_go_below_the_seats_taken(admin_client):
    event = EventFactory(capacity=3)
    services.event_register(actor=UserFactory(), event=event)
    services.event_register(actor=UserFactory(), event=event)

    messages = run_action(admin_client, "event", "change_capacity", event, capacity="1")

    event.refresh_from_db()
    assert event.capacity == 3
    assert messages == [f"{event}: 2 people hold a seat: the capacity cannot go below that."]


def test_publish_and_cancel_with_a_reason(admin_client, django_capture_on_commit_callbacks):
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None)
    published = EventFactory()
    attendee = services.event_register(actor=UserFactory(), event=published).person
    mail.outbox.clear()

    published_messages = run_action(admin_client, "event", "publish", draft, published)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled_messages = run_action(admin_client, "event", "cancel", published, reason="The venue flooded.")

    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED and published.status == Event.Status.CANCELLED
    assert published_messages == [
        f"{published}: Only a draft can be published; this event is published.",
        "Published: 1.",
    ]
    assert cancelled_messages == ["Cancelled: 1."]
    assert mail.outbox[0].to == [attendee.email] and "The venue flooded." in mail.outbox[0].body


def test_organizers_are_added_and_removed_through_the_services(admin_client, superuser_staff, staff):
    # given two events organized by ``staff``
    first, second = EventFactory(organizers=[staff]), EventFactory(organizers=[staff])
    colleague = UserFactory()

    # when the colleague is added to both, then ``staff`` removed from both, then the colleague from the first
    added = run_action(admin_client, "event", "add_organizer", first, second, organizer_email=colleague.email.upper())
    removed = run_action(admin_client, "event", "remove_organizer", first, second, organizer_email=staff.email)
    last = run_action(admin_client, "event", "remove_organizer", first, organizer_email=colleague.email)

    # then the rule of the service held: the colleague is the last organizer of both
    assert added == ["Organizer added: 2."]
    assert removed == ["Organizer removed: 2."]
    assert last == [f"{first}: {colleague.get_full_name()} is the only organizer, and an event always keeps at least "
                    "one organizer: add another before removing them."]  # fmt: skip
    assert list(first.organizers.all()) == [colleague] and list(second.organizers.all()) == [colleague]
    assert AuditEntry.objects.filter(action="event.organizer_added", actor=superuser_staff).count() == 2


def test_an_unknown_organizer_address_is_refused_before_any_service_runs(admin_client, event, staff):
    messages = run_action(admin_client, "event", "add_organizer", event, organizer_email="nobody@example.org")

    assert messages == ["No one has an account with the address nobody@example.org."]
    assert list(event.organizers.all()) == [staff]


def test_editing_details_goes_through_event_update_and_status_cannot_be_edited(admin_client, event):
    url = reverse("admin:events_event_change", args=[event.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data |= {
        "title": "Renamed in the admin",
        "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
        "ends_at_0": event.ends_at.strftime("%Y-%m-%d"),
        "ends_at_1": event.ends_at.strftime("%H:%M:%S"),
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "organization_seat_cap": "",
        "status": Event.Status.CANCELLED,
        "capacity": "1",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    data = {key: value for key, value in data.items() if value is not None and key not in ("starts_at", "ends_at")}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title == "Renamed in the admin"
    assert (event.status, event.capacity) == (Event.Status.PUBLISHED, 20)
    assert AuditEntry.objects.filter(action="event.updated").exists()


def test_registration_actions_call_the_services(admin_client, superuser_staff):
    event = EventFactory(capacity=1)
    seated = services.event_register(actor=UserFactory(), event=event)
    waiting = services.event_register(actor=UserFactory(), event=event)
    waiting_before = str(waiting)

    check_in = run_action(admin_client, "registration", "check_in", seated, waiting)
    cancel = run_action(admin_client, "registration", "cancel", seated)

    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert check_in == [f"{waiting_before}: Only confirmed attendees can be checked in.", "Checked in: 1."]
    assert cancel == ["Cancelled: 1."]
    assert seated.checked_in_at is not None and seated.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED
    assert AuditEntry.objects.get(action="registration.cancelled").actor == superuser_staff


def test_registrations_cannot_be_added_or_deleted(admin_client, event):
    registration = services.event_register(actor=UserFactory(), event=event)

    assert admin_client.get(reverse("admin:events_registration_add")).status_code == 403
    assert admin_client.get(reverse("admin:events_registration_delete", args=[registration.pk])).status_code == 403


def test_resetting_a_feed_revokes_its_address(admin_client, person):
    feed = services.calendar_feed_for(actor=person)
    old = feed.token

    messages = run_action(admin_client, "calendarfeed", "reset", feed)

    assert messages == ["Reset: 1."]
    assert CalendarFeed.objects.get(pk=feed.pk).token != old
    assert old not in admin_client.get(reverse("admin:events_calendarfeed_changelist")).content.decode()
