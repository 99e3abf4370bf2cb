"""Permission before input, for the notifications API and pages: a caller who may not act hears 401/403 (or 404
where the notification is not theirs to see) whatever the body says, and nothing changes; only a caller who may
act hears about a bad body."""

import pytest
from django.test import TestCase
from django.urls import reverse

from alliance.models import Notification, NotificationPreference
from alliance.notifications import notify

from .api_matrix import client_as
from .members.factories import OrganizationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
PREFERENCES = "/api/v1/notification-preferences/"
NOT_JSON = "{this is not: json"


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def notification(owner) -> Notification:
    with TestCase.captureOnCommitCallbacks(execute=True):
        [recorded] = notify(
            recipients=[owner],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/organization_status_changed",
            context={"organization": OrganizationFactory(), "note": ""},
        )
    return recorded


def unchanged(notification: Notification) -> bool:
    notification.refresh_from_db()
    return notification.read_at is None and notification.status == Notification.Status.SENT


# --- the API -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [NOT_JSON, '{"read_at": "yesterday", "unread": "perhaps"}'])
def test_marking_someone_elses_notification_read_is_404_whatever_the_body(notification, body):
    # when another person posts a body that is not even JSON (or nonsense fields)
    response = client_as(UserFactory()).post(f"{LIST}{notification.pk}/read/", body, content_type="application/json")

    # then they hear only that there is no such notification
    assert response.status_code == 404
    assert unchanged(notification)


def test_anonymous_read_all_with_a_bad_body_is_refused_and_marks_nothing(notification):
    response = client_as(None).post(f"{LIST}read-all/", NOT_JSON, content_type="application/json")

    assert response.status_code in (401, 403)
    assert unchanged(notification)


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("body", [NOT_JSON, '{"email_enabled": "perhaps"}'])
def test_anonymous_preference_writes_with_a_bad_body_are_refused(method, body):
    response = getattr(client_as(None), method)(f"{PREFERENCES}events/", body, content_type="application/json")

    assert response.status_code in (401, 403)
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_kind_one_cannot_turn_off_is_404_before_the_body_is_read(owner, method):
    response = getattr(client_as(owner), method)(
        f"{PREFERENCES}security/", '{"email_enabled": "perhaps"}', content_type="application/json"
    )

    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


def test_only_a_caller_who_may_act_hears_about_the_bad_body(owner):
    response = client_as(owner).patch(f"{PREFERENCES}events/", {"email_enabled": "perhaps"}, format="json")

    assert response.status_code == 400
    assert "email_enabled" in response.json()["errors"]
    assert not NotificationPreference.objects.exists()


# --- the pages -----------------------------------------------------------------------------------------------------


def test_marking_someone_elses_notification_read_on_the_page_is_404(client, notification):
    client.force_login(UserFactory())

    response = client.post(reverse("inbox_mark_read", kwargs={"pk": notification.pk}), {"next": "https://evil.test/"})

    assert response.status_code == 404
    assert unchanged(notification)


def test_anonymous_posts_to_the_inbox_and_preferences_are_sent_to_sign_in(client, notification):
    for url, body in (
        (reverse("inbox_mark_all_read"), {"junk": "x" * 50}),
        (reverse("inbox_mark_read", kwargs={"pk": notification.pk}), {"next": "nowhere"}),
        (reverse("notification_preferences"), {"language": "xx", "email_events": "maybe"}),
    ):
        response = client.post(url, body)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url

    assert unchanged(notification)
    assert not NotificationPreference.objects.exists()


def test_people_who_are_not_staff_cannot_retry_whatever_they_post(client, notification):
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.FAILED)
    client.force_login(UserFactory())

    response = client.post(
        reverse("failed_notification_retry", kwargs={"pk": notification.pk}), {"attempts": "-1", "status": "sent"}
    )

    assert response.status_code == 403
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 1)


def test_staff_retrying_a_notification_that_has_not_failed_hear_why(client, notification):
    client.force_login(StaffFactory())

    response = client.post(reverse("failed_notification_retry", kwargs={"pk": notification.pk}), follow=True)

    assert "Only a failed notification can be retried." in response.content.decode()
    assert unchanged(notification)
