"""Staff erase an account from the admin on a verified request: the action's confirmation page warns, asks for the
reason and shows what stands in the way; it calls the same service as the API, with the staff as actor."""

import pytest
from django.core import mail
from django.urls import reverse

from alliance.models import AuditEntry
from members.models import Affiliation, User
from tests.events.factories import EventFactory
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory
from tests.projects.factories import LeadFactory

from .conftest import ADDRESS, NAME, PASSWORD
from .test_erasure import traces_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:members_user_changelist"
ACTION = "erase_on_verified_request"
REASON = f"Letter from {NAME}, signed, checked against the member file on 3 December."


@pytest.fixture
def staff_client(client, world):
    world.staff.is_superuser = True
    world.staff.save(update_fields=["is_superuser"])
    client.force_login(world.staff)
    return client


def choose(client, *people):
    """The action chosen on the list: the confirmation page (nothing erased yet)."""
    return client.post(
        reverse(CHANGELIST), {"action": ACTION, "_selected_action": [person.pk for person in people], "index": 0}
    )


def confirm(client, person, **fields):
    """The confirmation page sent back, as its form does."""
    return client.post(
        reverse(CHANGELIST), {"action": ACTION, "_selected_action": [person.pk], "confirm_erasure": "yes", **fields}
    )


def test_choosing_the_action_shows_a_warning_and_asks_for_the_reason_before_anything_changes(world, staff_client):
    # when staff choose the action for the person
    response = choose(staff_client, world.person)

    # then a confirmation page warns and asks for the reason; nothing is erased yet
    assert response.status_code == 200
    page = response.content.decode()
    assert "Erasing cannot be undone." in page
    assert 'name="reason"' in page and 'name="confirm"' in page
    assert ADDRESS in page
    assert User.objects.get(pk=world.person.pk).erased_at is None
    assert not AuditEntry.objects.filter(action="person.erased").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_reason_is_required(world, staff_client, reason):
    # when staff confirm without a reason
    response = confirm(staff_client, world.person, reason=reason, confirm="on")

    # then the page says why, and nothing is erased
    assert response.status_code == 200
    assert "Give a reason: the audit trail will read it." in response.content.decode()
    assert User.objects.get(pk=world.person.pk).erased_at is None
    assert not AuditEntry.objects.filter(action="person.erased").exists()


def test_the_warning_must_be_acknowledged(world, staff_client):
    response = confirm(staff_client, world.person, reason=REASON)

    assert response.status_code == 200
    assert "Tick the box to confirm you read the warning." in response.content.decode()
    assert User.objects.get(pk=world.person.pk).erased_at is None


def _only_admin(world):
    organization = OrganizationFactory()
    AffiliationFactory(person=world.person, organization=organization, role=Affiliation.Role.ADMIN)
    return f"This person is the only admin of {organization}: make another person an admin of it first."


def _only_lead(world):
    project = LeadFactory(person=world.person).project
    return f"This person is the only lead of the live project {project}: make another participant a lead first."


def _only_organizer(world):
    event = EventFactory(organizers=[world.person])
    return f"This person is the only organizer of the upcoming event {event}: add another organizer or cancel it first."


@pytest.mark.parametrize("others_depend", [_only_admin, _only_lead, _only_organizer])
def test_the_page_shows_what_to_do_first_and_erases_nothing(world, staff_client, others_depend):
    # given a person others depend on
    refusal = others_depend(world)

    # when staff choose the action, then send the form anyway
    page = choose(staff_client, world.person).content.decode()
    response = confirm(staff_client, world.person, reason=REASON, confirm="on")

    # then both show what to do first; the first offers no way to erase; nothing is erased
    assert refusal in page
    assert "cannot be erased yet" in page
    assert 'name="reason"' not in page
    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert User.objects.get(pk=world.person.pk).erased_at is None
    assert not AuditEntry.objects.filter(action="person.erased").exists()


def _erase_through_the_api(world, client, api_client):
    api_client.force_authenticate(world.staff)
    response = api_client.post(
        reverse("person-erase", kwargs={"pk": world.person.pk}), {"reason": REASON}, format="json"
    )
    assert response.status_code == 200


def _erase_through_the_admin(world, client, api_client):
    world.staff.is_superuser = True
    world.staff.save(update_fields=["is_superuser"])
    client.force_login(world.staff)
    response = confirm(client, world.person, reason=REASON, confirm="on")
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGELIST)
    messages = [str(message) for message in client.get(response["Location"]).context["messages"]]
    assert messages == ["The account is erased. A last email to its old address confirms it."]


@pytest.mark.parametrize("erase", [_erase_through_the_api, _erase_through_the_admin])
def test_the_admin_action_erases_as_the_api_does(world, client, api_client, erase, django_capture_on_commit_callbacks):
    # when staff erase the account, through the API or the admin
    with django_capture_on_commit_callbacks(execute=True):
        erase(world, client, api_client)

    # then the result is the same: the account cannot sign in, the reason is audited (without the name) by the staff
    person = User.objects.get(pk=world.person.pk)
    assert person.erased_at is not None and person.is_active is False and not person.has_usable_password()
    client.logout()
    assert client.login(email=ADDRESS, password=PASSWORD) is False
    entry = AuditEntry.objects.get(action="person.erased")
    assert (entry.actor, entry.target_id) == (world.staff, str(world.person.pk))
    assert entry.note == "Letter from Former member, signed, checked against the member file on 3 December."
    assert [message.to for message in mail.outbox if "erased" in message.subject.lower()] == [[ADDRESS]]
    assert traces_of("Marlowe-Ashby", ADDRESS) == []


def test_one_person_at_a_time_and_never_staffs_own_account(world, staff_client):
    # when staff choose two people, or themselves
    two = staff_client.post(
        reverse(CHANGELIST),
        {"action": ACTION, "_selected_action": [world.person.pk, world.other.pk], "index": 0},
        follow=True,
    )
    themselves = staff_client.post(
        reverse(CHANGELIST), {"action": ACTION, "_selected_action": [world.staff.pk], "index": 0}, follow=True
    )

    # then each is turned back with what to do instead, and nobody is erased
    assert [str(message) for message in two.context["messages"]] == [
        "Erase one account at a time: each needs its own verified request and reason."
    ]
    assert [str(message) for message in themselves.context["messages"]] == [
        "Erase your own account from Your data, with your password: not as staff."
    ]
    assert not User.objects.filter(erased_at__isnull=False).exists()


def test_someone_who_is_not_staff_cannot_reach_the_action(world, client):
    # given a signed-in person who is not staff
    client.force_login(world.other)

    # when they send the action and its confirmation
    chosen = choose(client, world.person)
    confirmed = confirm(client, world.person, reason=REASON, confirm="on")

    # then the admin sends them to sign in as staff, and nothing is erased
    assert chosen.status_code == confirmed.status_code == 302
    assert reverse("admin:login") in confirmed["Location"]
    assert User.objects.get(pk=world.person.pk).erased_at is None


def test_staff_without_the_right_to_change_people_are_not_offered_the_action(world, client):
    # given staff who may only look at people
    from django.contrib.auth.models import Permission

    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)

    # when they open the list and send the confirmation anyway
    listing = client.get(reverse(CHANGELIST)).content.decode()
    response = confirm(client, world.person, reason=REASON, confirm="on")

    # then the action is not on the list, the confirmation only shows the list again, and nothing is erased
    assert ACTION not in listing
    assert response.status_code == 200
    assert "Erasing cannot be undone." not in response.content.decode()
    assert "Select user to view" in response.content.decode()  # the list again, no action run
    assert User.objects.get(pk=world.person.pk).erased_at is None
    assert not AuditEntry.objects.filter(action="person.erased").exists()
