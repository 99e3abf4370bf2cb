from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alliance.errors import DomainError, NotPermitted
from alliance.models import AuditEntry, Notification
from events import selectors, services
from events.models import Event, Registration
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import LeadFactory, ProjectFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _register_many(event, count) -> list[Registration]:
    return [services.event_register(actor=UserFactory(), event=event) for _ in range(count)]


def _statuses(event) -> dict[str, int]:
    rows = Registration.objects.filter(event=event).values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


# --- creating and publishing -------------------------------------------------------------------------------------


def _new_event(actor, **overrides) -> Event:
    start = timezone.now() + timedelta(days=10)
    values = {
        "title": "Red-teaming clinic", "kind": Event.Kind.WORKSHOP, "format": Event.Format.IN_PERSON,
        "starts_at": start, "ends_at": start + timedelta(hours=2), "timezone_name": "America/New_York",
        "venue": "1 Main St, Boston", "capacity": 30,
    }  # fmt: skip
    return services.event_create(actor=actor, **{**values, **overrides})


def test_staff_create_a_draft_and_organize_it(staff):
    event = _new_event(staff)

    assert event.status == Event.Status.DRAFT
    assert event.slug == "red-teaming-clinic"
    assert list(event.organizers.all()) == [staff]
    assert AuditEntry.objects.filter(action="event.created", target_id=str(event.pk)).exists()


def test_a_project_lead_creates_an_event_hosted_by_the_project():
    project = ProjectFactory()
    lead = LeadFactory(project=project).person

    event = _new_event(lead, project=project)

    assert event.project == project
    assert selectors.is_organizer(lead, event)


def test_people_who_are_not_staff_or_leads_cannot_create_events(person):
    with pytest.raises(NotPermitted):
        _new_event(person)
    with pytest.raises(NotPermitted):
        _new_event(person, project=ProjectFactory())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone_name": "Mars/Olympus"}, "timezone"),
        ({"venue": ""}, "venue"),
        ({"capacity": 0}, None),
        ({"online_url": "not a link"}, "online_url"),
    ],
)
def test_bad_event_details_are_refused(staff, overrides, field):
    with pytest.raises(DomainError) as error:
        _new_event(staff, **overrides)

    assert error.value.field == field
    assert not Event.objects.exists()


def test_an_event_must_end_after_it_starts(staff):
    start = timezone.now() + timedelta(days=3)

    with pytest.raises(DomainError, match="end after it starts"):
        _new_event(staff, starts_at=start, ends_at=start - timedelta(hours=1))


def test_the_address_of_the_new_event_page_is_never_an_events_slug(staff):
    # /events/new/ is the page that creates events: an event at that address could never be opened
    with pytest.raises(DomainError, match="reserved") as error:
        _new_event(staff, slug="new")
    event = _new_event(staff, title="New")

    assert error.value.field == "slug"
    assert event.slug == "new-event"


@pytest.mark.parametrize(
    ("window", "is_open"),
    [
        ({}, True),
        ({"registration_opens_at": timedelta(hours=1)}, False),
        ({"registration_opens_at": -timedelta(hours=1), "registration_closes_at": -timedelta(minutes=1)}, False),
        ({"registration_closes_at": timedelta(hours=1)}, True),
    ],
)
def test_registration_is_open_follows_the_window_the_service_enforces(event, person, window, is_open):
    now = timezone.now()
    for field, offset in window.items():
        setattr(event, field, now + offset)
    event.save()

    shown_open = services.registration_is_open(event, now=now)
    try:
        services.event_register(actor=person, event=event)
        accepted = True
    except DomainError:
        accepted = False

    assert shown_open is is_open
    assert accepted is is_open


def test_publish_then_cancel_tells_everyone_registered(staff, django_capture_on_commit_callbacks):
    event = services.event_publish(actor=staff, event=_new_event(staff, capacity=1))
    first, second = UserFactory(), UserFactory()
    services.event_register(actor=first, event=event)
    services.event_register(actor=second, event=event)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=staff, event=event, reason="The venue flooded.")

    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.email, second.email])
    assert "The venue flooded." in mail.outbox[0].body
    with pytest.raises(DomainError):
        services.event_publish(actor=staff, event=event)
    with pytest.raises(DomainError):
        services.event_cancel(actor=staff, event=event)


def test_only_organizers_change_an_event(event, person):
    with pytest.raises(NotPermitted):
        services.event_update(actor=person, event=event, title="Mine now")
    with pytest.raises(NotPermitted):
        services.event_cancel(actor=person, event=event)
    with pytest.raises(DomainError):
        services.event_update(actor=event.created_by, event=event, confirmed_count=0)


# --- organizers ----------------------------------------------------------------------------------------------------


def test_an_organizer_adds_a_colleague_who_is_told(event, django_capture_on_commit_callbacks):
    # given an event organized by one person
    organizer, colleague = UserFactory(), UserFactory(name="Cleo Colleague")
    event.organizers.set([organizer])
    mail.outbox.clear()

    # when the organizer adds a colleague
    with django_capture_on_commit_callbacks(execute=True):
        services.event_organizer_add(actor=organizer, event=event, person=colleague)

    # then the colleague organizes it, the change is audited and they get a message
    assert set(event.organizers.all()) == {organizer, colleague}
    assert selectors.is_organizer(colleague, event)
    entry = AuditEntry.objects.get(action="event.organizer_added", target_id=str(event.pk))
    assert entry.actor == organizer and entry.changes == {"organizers": [None, colleague.email]}
    notification = Notification.objects.get(recipient=colleague, kind=Notification.Kind.EVENTS)
    assert event.title in notification.subject
    assert [message.to for message in mail.outbox] == [[colleague.email]]
    assert reverse("events:event_manage", args=[event.slug]) in mail.outbox[0].body


def test_staff_add_organizers_without_organizing_themselves(event, person):
    staff = StaffFactory()

    services.event_organizer_add(actor=staff, event=event, person=person)

    assert event.organizers.filter(pk=person.pk).exists()
    assert not event.organizers.filter(pk=staff.pk).exists()


@pytest.mark.parametrize("who", ["anonymous", "person", "attendee"])
def test_only_organizers_and_staff_add_organizers(event, person, who):
    actor = {"anonymous": AnonymousUser(), "person": person}.get(who)
    if actor is None:
        actor = services.event_register(actor=UserFactory(), event=event).person

    with pytest.raises(NotPermitted, match="organizers and staff"):
        services.event_organizer_add(actor=actor, event=event, person=UserFactory())

    assert event.organizers.count() == 1
    assert not AuditEntry.objects.filter(action="event.organizer_added").exists()


def test_a_deactivated_account_cannot_be_added(event, staff):
    gone = UserFactory(is_active=False)

    with pytest.raises(DomainError, match="deactivated"):
        services.event_organizer_add(actor=staff, event=event, person=gone)

    assert not event.organizers.filter(pk=gone.pk).exists()
    assert not Notification.objects.filter(recipient=gone).exists()


def test_adding_someone_who_already_organizes_is_refused(event, staff):
    with pytest.raises(DomainError, match="already organizes"):
        services.event_organizer_add(actor=staff, event=event, person=staff)

    assert not AuditEntry.objects.filter(action="event.organizer_added").exists()


def test_an_organizer_removes_another(event, staff):
    # given two organizers
    colleague = UserFactory()
    services.event_organizer_add(actor=staff, event=event, person=colleague)

    # when the colleague removes the creator
    services.event_organizer_remove(actor=colleague, event=event, person=staff)

    # then
    assert list(event.organizers.all()) == [colleague]
    entry = AuditEntry.objects.get(action="event.organizer_removed", target_id=str(event.pk))
    assert entry.actor == colleague and entry.changes == {"organizers": [staff.email, None]}


def test_an_organizer_removes_themselves_when_another_remains(event, staff):
    colleague = UserFactory()
    services.event_organizer_add(actor=staff, event=event, person=colleague)

    services.event_organizer_remove(actor=colleague, event=event, person=colleague)

    assert list(event.organizers.all()) == [staff]
    assert not selectors.is_organizer(colleague, event)


def test_the_last_organizer_cannot_be_removed_even_by_staff(event):
    organizer = event.organizers.get()

    with pytest.raises(DomainError, match="at least one organizer") as error:
        services.event_organizer_remove(actor=StaffFactory(), event=event, person=organizer)

    assert "add another" in error.value.message
    assert list(event.organizers.all()) == [organizer]
    assert not AuditEntry.objects.filter(action="event.organizer_removed").exists()


def test_removing_someone_who_does_not_organize_is_refused(event, staff, person):
    services.event_organizer_add(actor=staff, event=event, person=UserFactory())

    with pytest.raises(DomainError, match="does not organize"):
        services.event_organizer_remove(actor=staff, event=event, person=person)


@pytest.mark.parametrize("who", ["anonymous", "person"])
def test_only_organizers_and_staff_remove_organizers(event, staff, person, who):
    colleague = UserFactory()
    services.event_organizer_add(actor=staff, event=event, person=colleague)
    actor = AnonymousUser() if who == "anonymous" else person

    with pytest.raises(NotPermitted):
        services.event_organizer_remove(actor=actor, event=event, person=colleague)

    assert event.organizers.count() == 2


# --- registering ---------------------------------------------------------------------------------------------------


def test_a_free_seat_confirms_and_the_person_is_told(event, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.event_register(actor=person, event=event)

    assert registration.status == Registration.Status.CONFIRMED
    event.refresh_from_db()
    assert event.confirmed_count == 1
    assert mail.outbox[0].to == [person.email]
    assert "You have a seat" in mail.outbox[0].subject
    assert "(Europe/Brussels)" in mail.outbox[0].body


def test_a_full_event_waitlists_in_order_of_arrival(event):
    event.capacity = 2
    event.save()
    _register_many(event, 2)

    waiting = _register_many(event, 3)

    assert [registration.status for registration in waiting] == ["waitlisted"] * 3
    assert [services.waitlist_position(registration) for registration in waiting] == [1, 2, 3]


def test_a_full_event_without_waitlist_refuses(event, person):
    event.capacity, event.waitlist_enabled = 1, False
    event.save()
    _register_many(event, 1)

    with pytest.raises(DomainError, match="full"):
        services.event_register(actor=person, event=event)


def test_unlimited_capacity_always_confirms(event):
    event.capacity = None
    event.save()

    assert {registration.status for registration in _register_many(event, 30)} == {"confirmed"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Event.Status.DRAFT}, "not open for registration"),
        ({"status": Event.Status.CANCELLED}, "cancelled"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "closed"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "closed"),
    ],
)
def test_registration_refusals(event, person, change, message):
    for field, value in change.items():
        setattr(event, field, value)
    event.save()

    with pytest.raises(DomainError, match=message):
        services.event_register(actor=person, event=event)
    assert not Registration.objects.exists()


def test_registration_closes_at_the_start(event, person):
    with time_machine.travel(event.starts_at + timedelta(minutes=1)), pytest.raises(DomainError, match="closed"):
        services.event_register(actor=person, event=event)


def test_a_members_only_event_refuses_people_outside_member_organizations(event, person, member):
    event.visibility = Event.Visibility.MEMBERS
    event.save()

    with pytest.raises(NotPermitted):
        services.event_register(actor=person, event=event)
    assert services.event_register(actor=member, event=event).status == "confirmed"


def test_one_active_registration_per_person(event, person):
    services.event_register(actor=person, event=event)

    with pytest.raises(DomainError, match="already registered"):
        services.event_register(actor=person, event=event)


@pytest.mark.parametrize(
    ("seats_left", "waitlist"),
    [(1, True), (0, True), (0, False)],
    ids=["a seat free", "full, with a waitlist", "full, no waitlist"],
)
def test_registering_again_is_refused_as_already_registered_whatever_the_seats(person, seats_left, waitlist):
    # given a person holding a seat, at an event with a seat left or none, waiting or not
    event = EventFactory(capacity=2 if seats_left else 1, waitlist_enabled=waitlist)
    services.event_register(actor=person, event=event)

    # when they register again, then the refusal says what matters to them, and nothing changed
    with pytest.raises(DomainError, match=r"^You are already registered for this event\.$"):
        services.event_register(actor=person, event=Event.objects.get(pk=event.pk))
    assert Registration.objects.filter(event=event, person=person).count() == 1
    assert Event.objects.get(pk=event.pk).confirmed_count == 1


def test_a_person_who_cancelled_may_register_again(event, person):
    first = services.event_register(actor=person, event=event)
    services.registration_cancel(actor=person, registration=first)

    again = services.event_register(actor=person, event=event)

    assert again.status == Registration.Status.CONFIRMED
    assert _statuses(event) == {"cancelled": 1, "confirmed": 1}


def test_the_per_organization_seat_cap(event):
    organization = OrganizationFactory()
    colleagues = [AffiliationFactory(organization=organization).person for _ in range(3)]
    event.organization_seat_cap = 2
    event.save()

    services.event_register(actor=colleagues[0], event=event)
    services.event_register(actor=colleagues[1], event=event)
    with pytest.raises(DomainError, match="already holds its 2 seat"):
        services.event_register(actor=colleagues[2], event=event)
    assert services.event_register(actor=UserFactory(), event=event).status == "confirmed"


# --- cancelling and the waitlist ---------------------------------------------------------------------------------


def test_cancelling_a_seat_promotes_the_first_waiting_and_tells_them(event, django_capture_on_commit_callbacks):
    event.capacity = 1
    event.save()
    holder, first_waiting, second_waiting = _register_many(event, 3)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=holder.person, registration=holder)

    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == "confirmed"
    assert second_waiting.status == "waitlisted"
    assert services.waitlist_position(second_waiting) == 1
    assert [message.to for message in mail.outbox] == [[first_waiting.person.email]]
    assert "you are now confirmed" in mail.outbox[0].subject
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_cancelling_a_waitlisted_place_frees_no_seat(event):
    event.capacity = 1
    event.save()
    holder, waiting = _register_many(event, 2)

    services.registration_cancel(actor=waiting.person, registration=waiting)

    holder.refresh_from_db()
    assert holder.status == "confirmed"
    event.refresh_from_db()
    assert event.confirmed_count == 1
    with pytest.raises(DomainError, match="already cancelled"):
        services.registration_cancel(actor=waiting.person, registration=waiting)


def test_someone_else_cannot_cancel_my_registration(event, person):
    registration = services.event_register(actor=person, event=event)

    with pytest.raises(NotPermitted):
        services.registration_cancel(actor=UserFactory(), registration=registration)
    services.registration_cancel(actor=event.created_by, registration=registration)  # an organizer may


def test_cancel_my_registration_when_i_have_none(event, person):
    with pytest.raises(DomainError, match="not registered"):
        services.event_registration_cancel(actor=person, event=event)


def test_promotion_skips_organizations_at_their_cap(event):
    organization = OrganizationFactory()
    colleague_a, colleague_b = (AffiliationFactory(organization=organization).person for _ in range(2))
    event.capacity, event.organization_seat_cap = 2, 1
    event.save()
    outsider_seat = services.event_register(actor=UserFactory(), event=event)
    services.event_register(actor=colleague_a, event=event)
    waiting_colleague = services.event_register(actor=colleague_b, event=event)
    waiting_other = services.event_register(actor=UserFactory(), event=event)
    assert waiting_colleague.status == waiting_other.status == "waitlisted"

    services.registration_cancel(actor=outsider_seat.person, registration=outsider_seat)

    waiting_colleague.refresh_from_db()
    waiting_other.refresh_from_db()
    assert (waiting_colleague.status, waiting_other.status) == ("waitlisted", "confirmed")


# --- capacity, check-in -------------------------------------------------------------------------------------------


def test_raising_the_capacity_promotes_from_the_waitlist(event):
    event.capacity = 1
    event.save()
    _, first, second, third = _register_many(event, 4)

    services.event_change_capacity(actor=event.created_by, event=event, capacity=3)

    assert [Registration.objects.get(pk=r.pk).status for r in (first, second, third)] == [
        "confirmed", "confirmed", "waitlisted",
    ]  # fmt: skip
    event.refresh_from_db()
    assert (event.capacity, event.confirmed_count) == (3, 3)


def test_capacity_cannot_go_below_the_seats_taken(event):
    _register_many(event, 5)

    with pytest.raises(DomainError, match="5 people hold a seat"):
        services.event_change_capacity(actor=event.created_by, event=event, capacity=4)
    services.event_change_capacity(actor=event.created_by, event=event, capacity=5)
    with pytest.raises(NotPermitted):
        services.event_change_capacity(actor=UserFactory(), event=event, capacity=50)


def test_organizers_check_in_confirmed_attendees_once(event, person):
    registration = services.event_register(actor=person, event=event)

    with pytest.raises(NotPermitted):
        services.registration_check_in(actor=person, registration=registration)
    services.registration_check_in(actor=event.created_by, registration=registration)
    with pytest.raises(DomainError, match="already checked in"):
        services.registration_check_in(actor=event.created_by, registration=registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_waitlisted_people_cannot_be_checked_in(event):
    event.capacity = 1
    event.save()
    _, waiting = _register_many(event, 2)

    with pytest.raises(DomainError, match="Only confirmed"):
        services.registration_check_in(actor=event.created_by, registration=waiting)


# --- reminders -------------------------------------------------------------------------------------------------


def test_the_reminder_job_sends_one_reminder_per_confirmed_attendee_when_run_twice(
    event, django_capture_on_commit_callbacks
):
    event.capacity = 2
    event.save()
    confirmed = _register_many(event, 2)
    _register_many(event, 1)  # waitlisted: no reminder
    later = EventFactory(starts_at=event.starts_at + timedelta(days=5))
    services.event_register(actor=UserFactory(), event=later)
    mail.outbox.clear()

    with time_machine.travel(event.starts_at - timedelta(hours=23), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = services.event_reminders_send()
        with django_capture_on_commit_callbacks(execute=True):
            second = services.event_reminders_send()

    assert (first, second) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.person.email for r in confirmed)
    assert all(message.subject.startswith("[Alliance Portal] Reminder:") for message in mail.outbox)


def test_no_reminder_for_a_cancelled_event(event, person):
    services.event_register(actor=person, event=event)
    services.event_cancel(actor=event.created_by, event=event)

    with time_machine.travel(event.starts_at - timedelta(hours=2), tick=False):
        assert services.event_reminders_send() == 0


# --- calendar feeds -----------------------------------------------------------------------------------------------


def test_resetting_the_feed_revokes_the_old_address(person):
    old = services.calendar_feed_for(actor=person).token

    new = services.calendar_feed_reset(actor=person).token

    assert new != old
    assert services.calendar_feed_for(actor=person).token == new


# --- what the pages offer is what the services do -----------------------------------------------------------------


def _scenario(event, person, name) -> None:
    """Shape the event (and the person's place) as ``name`` says."""
    changes = {
        "full, with a waitlist": {"capacity": 1},
        "full, no waitlist": {"capacity": 1, "waitlist_enabled": False},
        "members only": {"visibility": Event.Visibility.MEMBERS},
        "organization at its cap": {"organization_seat_cap": 1},
        "draft": {"status": Event.Status.DRAFT},
        "cancelled": {"status": Event.Status.CANCELLED},
        "closed": {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
    }.get(name, {})
    for field, value in changes.items():
        setattr(event, field, value)
    event.save()
    if name.startswith("full"):
        _register_many(event, 1)
    elif name == "organization at its cap":
        organization = OrganizationFactory()
        AffiliationFactory(person=person, organization=organization)
        services.event_register(actor=AffiliationFactory(organization=organization).person, event=event)
    elif name == "already registered":
        services.event_register(actor=person, event=event)


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("open", "open"),
        ("full, with a waitlist", "waitlist"),
        ("full, no waitlist", "full"),
        ("members only", "members_only"),
        ("organization at its cap", "organization_full"),
        ("draft", "draft"),
        ("cancelled", "cancelled"),
        ("already registered", "confirmed"),
        ("closed", "closed"),
    ],
)
def test_the_registration_options_are_what_event_register_does(event, person, name, state):
    # given
    _scenario(event, person, name)
    event.refresh_from_db()

    # when the page asks, and then the person registers
    options = selectors.registration_options(person, event)
    try:
        services.event_register(actor=person, event=event)
    except NotPermitted as error:
        outcome, message = "not permitted", error.message
    except DomainError as error:
        outcome, message = "refused", error.message
    else:
        outcome, message = "accepted", ""

    # then the page knew: the state, whether it is refused, and in the service's very words
    assert options.state == state
    assert outcome == ("accepted" if options.may_register else "not permitted" if options.not_permitted else "refused")
    assert message == options.refusal


def test_organizers_are_found_by_the_address_of_their_account_whatever_its_case(person):
    assert services.organizer_by_address(f"  {person.email.upper()} ") == person
    with pytest.raises(DomainError) as error:
        services.organizer_by_address("nobody@example.org")
    assert error.value.message == "No one has an account with the address nobody@example.org."
    assert error.value.field == "email"


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"ends_at": -timedelta(hours=1)}, "ends_at"),
        ({"registration_opens_at": -timedelta(days=2), "registration_closes_at": -timedelta(days=3)}, None),
        ({"registration_closes_at": timedelta(hours=4)}, "registration_closes_at"),
    ],
)
def test_the_times_of_an_event_fit_together_when_created_and_when_edited(staff, event, times, field):
    start = timezone.now() + timedelta(days=10)
    values = {name: start + offset for name, offset in times.items()}
    values.setdefault("ends_at", start + timedelta(hours=3))

    with pytest.raises(DomainError) as created:
        _new_event(staff, starts_at=start, **values)
    with pytest.raises(DomainError) as edited:
        services.event_update(actor=staff, event=event, starts_at=start, **values)

    assert created.value.field == edited.value.field == (field or "registration_closes_at")
    assert created.value.message == edited.value.message


def test_a_seat_freed_while_joining_the_waitlist_is_taken_and_only_its_message_sent(person):
    # given a full event as the person's page read it, and a seat freed since
    event = EventFactory(capacity=1, waitlist_enabled=True)
    first = services.event_register(actor=UserFactory(), event=event)
    stale = Event.objects.get(pk=event.pk)  # full, as read before the cancellation
    services.registration_cancel(actor=first.person, registration=first)

    # when they register from what they read
    registration = services.event_register(actor=person, event=stale)

    # then they hold the seat, and were told that, not that they wait
    assert registration.status == Registration.Status.CONFIRMED
    subjects = list(Notification.objects.filter(recipient=person).values_list("subject", flat=True))
    assert len(subjects) == 1 and "waitlist" not in subjects[0].lower()


def test_joining_the_waitlist_writes_one_message_and_one_audit_entry(person):
    event = EventFactory(capacity=1, waitlist_enabled=True)
    services.event_register(actor=UserFactory(), event=event)

    registration = services.event_register(actor=person, event=Event.objects.get(pk=event.pk))

    assert registration.status == Registration.Status.WAITLISTED
    assert Notification.objects.filter(recipient=person, subject__icontains="waitlist").count() == 1
    assert AuditEntry.objects.filter(action="registration.waitlisted", target_id=str(registration.pk)).count() == 1
