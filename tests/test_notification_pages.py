"""Pages of the notification backbone: inbox, header count, preferences, one-click unsubscribe, failed mail."""

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from alliance.models import AuditEntry, Notification, NotificationPreference
from alliance.notifications import email_preferences, notify, unsubscribe_token

from .members.factories import OrganizationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def notify_person(person, *, kind=Notification.Kind.PROJECTS, count=1) -> list[Notification]:
    """Notifications recorded and delivered as after a committed change."""
    organization = OrganizationFactory()
    created = []
    for _ in range(count):
        with TestCase.captureOnCommitCallbacks(execute=True):
            created += notify(
                recipients=[person],
                kind=kind,
                template="members/notifications/organization_status_changed",
                context={"organization": organization, "note": "Welcome back."},
                url=organization.get_absolute_url(),
            )
    return created


# --- inbox ------------------------------------------------------------------------------------------------------


def test_the_inbox_needs_a_sign_in(client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_inbox_lists_ones_own_notifications_and_the_header_counts_the_unread(client):
    # given two notifications for the person, one already read, and one for someone else
    person = UserFactory()
    mine, read = notify_person(person, count=2)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify_person(UserFactory())
    client.force_login(person)

    # when
    response = client.get(reverse("inbox"))

    # then
    assert response.status_code == 200
    assert {n.pk for n in response.context["items"]} == {mine.pk, read.pk}
    assert len(response.context["items"]) == 2
    content = response.content.decode()
    assert 'id="inbox-unread"' in content
    assert '<span class="count">(1)</span><span class="visually-hidden"> unread</span>' in content


def test_the_header_shows_no_count_to_anonymous_people_and_costs_them_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("notification_unsubscribe", kwargs={"token": "not-a-token"}))
    assert 'id="inbox-unread"' not in response.content.decode()


@pytest.mark.parametrize("size", [3, 45])
def test_the_inbox_costs_the_same_queries_for_few_and_many_notifications(client, django_assert_num_queries, size):
    person = UserFactory()
    notify_person(person, count=size)
    client.force_login(person)

    # session, user, the page's count, the header's unread count, the header's webhooks link, the page of notifications
    with django_assert_num_queries(6):
        response = client.get(reverse("inbox"))

    assert response.status_code == 200
    assert len(response.context["items"]) == min(size, 20)


def test_marking_one_read_with_htmx_answers_the_row_and_the_new_count(client):
    person = UserFactory()
    first, _second = notify_person(person, count=2)
    client.force_login(person)

    response = client.post(reverse("inbox_mark_read", kwargs={"pk": first.pk}), headers={"HX-Request": "true"})

    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="notification-{first.pk}"' in content
    assert "Read " in content
    assert 'id="inbox-unread" hx-swap-oob="true"' in content
    assert '<span class="count">(1)</span>' in content
    first.refresh_from_db()
    assert first.read_at is not None


def test_marking_one_read_without_javascript_redirects_back_to_the_inbox(client):
    person = UserFactory()
    [notification] = notify_person(person)
    client.force_login(person)

    response = client.post(reverse("inbox_mark_read", kwargs={"pk": notification.pk}), {"next": "/inbox/?page=1"})

    assert response.status_code == 302
    assert response["Location"] == "/inbox/?page=1"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_can_mark_another_persons_notification_read(client):
    [notification] = notify_person(UserFactory())
    client.force_login(UserFactory())

    response = client.post(reverse("inbox_mark_read", kwargs={"pk": notification.pk}))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_ones_own(client):
    person, other = UserFactory(), UserFactory()
    notify_person(person, count=3)
    notify_person(other)
    client.force_login(person)

    response = client.post(reverse("inbox_mark_all_read"), follow=True)

    assert "3 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


# --- preferences -----------------------------------------------------------------------------------------------


def test_the_preferences_page_shows_the_defaults_and_saves_choices(client):
    person = UserFactory()
    client.force_login(person)

    page = client.get(reverse("notification_preferences"))
    assert page.status_code == 200
    assert page.context["form"]["email_projects"].value() is True
    assert page.context["form"]["email_digests"].value() is False

    response = client.post(
        reverse("notification_preferences"),
        {"email_membership": "on", "email_events": "on", "email_digests": "on"},
    )

    assert response.status_code == 302
    assert email_preferences(person=person) == {"membership": True, "projects": False, "events": True, "digests": True}


# --- one-click unsubscribe --------------------------------------------------------------------------------------


def test_the_email_carries_the_unsubscribe_link_and_headers_and_the_link_works_without_signing_in(client):
    # given a person who got a projects email
    person = UserFactory()
    notify_person(person, kind=Notification.Kind.PROJECTS)
    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    assert link in message.alternatives[0][0].replace("&amp;", "&")
    path = link.removeprefix("http://127.0.0.1:8000")

    # when someone opens the link (not signed in): a confirmation page, nothing changed yet
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop “Projects" in page.content.decode()
    assert email_preferences(person=person)["projects"] is True

    # when the mail client posts the one-click unsubscribe (RFC 8058), without CSRF token or session
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    # then only that kind is off, for only that person
    assert response.status_code == 200
    assert email_preferences(person=person) == {"membership": True, "projects": False, "events": True, "digests": False}
    assert not NotificationPreference.objects.exclude(person=person).exists()

    # and the next projects message goes to the inbox only
    notify_person(person, kind=Notification.Kind.PROJECTS)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=person).order_by("-pk")[0].status == Notification.Status.SKIPPED


def test_a_tampered_unsubscribe_token_changes_nothing(client):
    person, other = UserFactory(), UserFactory()
    token = unsubscribe_token(person=person, kind="projects")
    # the same payload for another person or another kind, with the signature kept, is not ours
    forged_person = unsubscribe_token(person=other, kind="projects").split(":")[0] + ":" + token.split(":", 1)[1]
    forged_kind = unsubscribe_token(person=person, kind="events").split(":")[0] + ":" + token.split(":", 1)[1]

    for bad in (token[:-2] + "xx", forged_person, forged_kind, "nonsense"):
        assert client.post(reverse("notification_unsubscribe", kwargs={"token": bad})).status_code == 400

    assert not NotificationPreference.objects.exists()


def test_the_unsubscribe_link_of_a_person_who_no_longer_exists_is_404(client):
    person = UserFactory()
    token = unsubscribe_token(person=person, kind="events")
    person.delete()

    assert client.post(reverse("notification_unsubscribe", kwargs={"token": token})).status_code == 404


def test_transactional_email_has_no_unsubscribe_link(django_capture_on_commit_callbacks):
    person = UserFactory()
    NotificationPreference.objects.create(person=person, kind="membership", email_enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[person],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/organization_status_changed",
            context={"organization": OrganizationFactory(), "note": ""},
            transactional=True,
        )

    [message] = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()


# --- failed notifications for staff ------------------------------------------------------------------------------


def test_staff_see_failed_notifications_counted_on_the_audit_trail_and_can_retry_them(
    client, django_capture_on_commit_callbacks
):
    [notification] = notify_person(UserFactory(email="ada@example.org"))
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.FAILED, attempts=6, last_error="ConnectionRefusedError()"
    )
    mail.outbox.clear()
    staff = StaffFactory()
    client.force_login(staff)

    audit = client.get(reverse("audit_log")).content.decode()
    assert "1 notification could not be delivered" in audit
    page = client.get(reverse("failed_notifications")).content.decode()
    assert "ada@example.org" in page
    assert "ConnectionRefusedError()" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("failed_notification_retry", kwargs={"pk": notification.pk}))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    entry = AuditEntry.objects.get(action="notification.retried")
    assert (entry.actor, entry.target_id) == (staff, str(notification.pk))
    assert entry.changes == {"status": ["failed", "pending"]}


def test_people_who_are_not_staff_cannot_see_or_retry_failed_notifications(client):
    [notification] = notify_person(UserFactory())
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.FAILED)
    client.force_login(UserFactory())

    assert client.get(reverse("failed_notifications")).status_code == 403
    assert client.post(reverse("failed_notification_retry", kwargs={"pk": notification.pk})).status_code == 403
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
