"""The notifications API: one's own inbox and email preferences, nobody else's."""

import pytest
from django.core.management import call_command
from django.test import TestCase

from alliance.models import Notification, NotificationPreference
from alliance.notifications import email_preferences, notify

from .api_matrix import client_as
from .members.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
PREFERENCES = "/api/v1/notification-preferences/"


def notify_person(person, *, count=1, kind=Notification.Kind.MEMBERSHIP) -> list[Notification]:
    organization = OrganizationFactory()
    created = []
    for _ in range(count):
        with TestCase.captureOnCommitCallbacks(execute=True):
            created += notify(
                recipients=[person],
                kind=kind,
                template="members/notifications/organization_status_changed",
                context={"organization": organization, "note": ""},
                url=organization.get_absolute_url(),
            )
    return created


def test_anonymous_people_get_nothing(api_client):
    assert api_client.get(LIST).status_code in (401, 403)
    assert api_client.post(f"{LIST}read-all/").status_code in (401, 403)
    assert api_client.get(PREFERENCES).status_code in (401, 403)


def test_the_list_holds_ones_own_notifications_only_and_filters_unread():
    person, other = UserFactory(), UserFactory()
    first, second = notify_person(person, count=2)
    notify_person(other)
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    client = client_as(person)

    everything = client.get(LIST).json()
    unread = client.get(LIST, {"unread": "true"}).json()

    assert everything["count"] == 2
    assert {row["id"] for row in everything["results"]} == {first.pk, second.pk}
    assert [row["id"] for row in unread["results"]] == [second.pk]
    row = unread["results"][0]
    assert row["unread"] is True
    assert row["emailed"] is True
    assert row["subject"] == second.subject


def test_marking_read_one_and_all():
    person = UserFactory()
    first, _second, _third = notify_person(person, count=3)
    client = client_as(person)

    response = client.post(f"{LIST}{first.pk}/read/")
    assert response.status_code == 200
    assert response.json()["unread"] is False

    response = client.post(f"{LIST}read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_persons_notification_is_404():
    [notification] = notify_person(UserFactory())
    client = client_as(UserFactory())

    assert client.get(f"{LIST}{notification.pk}/").status_code == 404
    assert client.post(f"{LIST}{notification.pk}/read/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_session_writes_need_the_csrf_token(csrf_api_client):
    person = UserFactory()
    [notification] = notify_person(person)
    csrf_api_client.force_login(person)

    assert csrf_api_client.post(f"{LIST}{notification.pk}/read/").status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("size", [2, 40])
def test_the_list_costs_the_same_queries_for_few_and_many(django_assert_num_queries, size):
    person = UserFactory()
    notify_person(person, count=size)
    client = client_as(person)

    # count, page
    with django_assert_num_queries(2):
        response = client.get(LIST)

    assert response.json()["count"] == size


def test_preferences_list_every_kind_with_defaults_and_update_one():
    person = UserFactory()
    client = client_as(person)

    listed = client.get(PREFERENCES).json()
    assert {row["kind"]: row["email_enabled"] for row in listed} == {
        "membership": True,
        "projects": True,
        "events": True,
        "digests": False,
    }

    response = client.patch(f"{PREFERENCES}projects/", {"email_enabled": False})
    assert response.status_code == 200
    assert response.json()["email_enabled"] is False
    response = client.put(f"{PREFERENCES}digests/", {"email_enabled": True})
    assert response.status_code == 200

    assert email_preferences(person=person) == {"membership": True, "projects": False, "events": True, "digests": True}
    assert client.get(f"{PREFERENCES}projects/").json()["email_enabled"] is False
    assert NotificationPreference.objects.filter(person=person).count() == 2


def test_preferences_refuse_unknown_kinds_and_bad_values_and_touch_only_ones_own():
    person, other = UserFactory(), UserFactory()
    client = client_as(person)

    assert client.patch(f"{PREFERENCES}security/", {"email_enabled": False}).status_code == 404
    assert client.patch(f"{PREFERENCES}invitation/", {"email_enabled": False}).status_code == 404
    response = client.patch(f"{PREFERENCES}events/", {"email_enabled": "perhaps"})
    assert response.status_code == 400
    assert "email_enabled" in response.json()["errors"]
    client.patch(f"{PREFERENCES}events/", {"email_enabled": False})

    assert email_preferences(person=other)["events"] is True


def test_the_schema_stays_valid():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
