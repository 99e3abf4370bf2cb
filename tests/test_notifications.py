"""The notification outbox: rows in the caller's transaction, one email per row, retries with back-off, the sweep."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from alliance import notifications, tasks
from alliance.models import Notification
from alliance.notifications import MAX_ATTEMPTS, notification_deliver, notifications_due, notify
from members import services
from members.models import MembershipApplication, Organization

from .members.factories import (
    AdminAffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.test_notifications.FailingEmailBackend"


class FailingEmailBackend(BaseEmailBackend):
    """The SMTP server refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("smtp.alliance.example refused the connection")


def notify_one(recipients) -> list[Notification]:
    """A notification with a real template, as a service would record it."""
    organization = Organization.objects.filter(slug="aurora-labs").first() or OrganizationFactory(
        name="Aurora Labs", slug="aurora-labs"
    )
    return notify(
        recipients=recipients,
        kind=Notification.Kind.MEMBERSHIP,
        template="organization_status_changed",
        context={"organization": organization, "note": "Welcome back."},
    )


def test_a_rolled_back_change_records_and_sends_nothing(django_capture_on_commit_callbacks):
    person = UserFactory()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_one([person])
        assert Notification.objects.count() == 1  # visible inside the transaction...
        raise RuntimeError("the change failed")

    assert not Notification.objects.exists()  # ...and gone with it
    assert callbacks == []
    assert mail.outbox == []


def test_a_committed_change_records_one_notification_per_recipient_and_sends_after_commit(
    django_capture_on_commit_callbacks,
):
    # given a person listed twice (once by address, in another case) and a bare address
    person = UserFactory(email="ada@example.org")

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recorded = notify_one([person, "ADA@example.org", "secretariat@alliance.example", ""])

    # then the rows exist before anything is sent; delivery waits for the commit
    assert sorted(n.email for n in recorded) == ["ada@example.org", "secretariat@alliance.example"]
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 2
    assert Notification.objects.get(email="ada@example.org").recipient == person
    assert Notification.objects.get(email="secretariat@alliance.example").recipient is None
    assert mail.outbox == []
    assert len(callbacks) == 1  # one publish per change, not one per recipient

    # when the transaction commits
    for callback in callbacks:
        callback()

    # then each recipient got exactly one email
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.org", "secretariat@alliance.example"]
    assert mail.outbox[0].subject.startswith("[Alliance Portal] ")
    assert mail.outbox[0].subject == "[Alliance Portal] Aurora Labs is now active member"
    assert "Welcome back." in mail.outbox[0].body
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()


def test_delivering_twice_sends_one_email():
    [notification] = notify_one(["ada@example.org"])

    assert notification_deliver(notification_id=notification.pk) is True
    assert notification_deliver(notification_id=notification.pk) is False
    assert tasks.deliver_notification.delay(notification.pk).get() is False

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)
    assert notification.sent_at is not None


def test_a_failing_email_server_leaves_the_notification_pending_with_a_back_off(settings):
    # given
    settings.EMAIL_BACKEND = FAILING_BACKEND
    [notification] = notify_one(["ada@example.org"])
    before = timezone.now()

    # when
    sent = notification_deliver(notification_id=notification.pk)

    # then
    notification.refresh_from_db()
    assert sent is False
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    assert "refused the connection" in notification.last_error
    assert before + timedelta(minutes=2) <= notification.next_attempt_at <= timezone.now() + timedelta(minutes=2)
    assert not notifications_due().exists()  # not before its back-off has passed

    # when it fails again, the back-off doubles
    notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.next_attempt_at - timezone.now() > timedelta(minutes=3, seconds=50)


def test_after_max_attempts_the_notification_is_failed(settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    [notification] = notify_one(["ada@example.org"])

    for _ in range(MAX_ATTEMPTS):
        notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_deliver(notification_id=notification.pk) is False  # given up: not sent, not retried
    assert mail.outbox == []


def test_the_sweep_delivers_pending_notifications_whose_time_has_come(monkeypatch):
    # given one new notification, one whose back-off has passed and one still waiting
    _fresh, due, waiting = (notify_one([f"{name}@example.org"])[0] for name in ("fresh", "due", "waiting"))
    Notification.objects.filter(pk=due.pk).update(attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1))
    Notification.objects.filter(pk=waiting.pk).update(attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=2))

    # when the periodic sweep runs (on-commit delivery never happened: these were never enqueued)
    delivered = tasks.notifications_sweep.delay().get()

    # then
    assert delivered == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["due@example.org", "fresh@example.org"]
    assert Notification.objects.get(pk=waiting.pk).status == Notification.Status.PENDING

    # and once the back-off has passed, the next sweep sends the last one
    later = timezone.now() + timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert tasks.notifications_sweep() == 1
    assert not Notification.objects.filter(status=Notification.Status.PENDING).exists()


@pytest.fixture
def broker_down(monkeypatch):
    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_notification, "delay", unreachable)
    return attempts


def test_with_the_broker_down_the_service_completes_and_the_sweep_delivers_later(
    broker_down, django_capture_on_commit_callbacks
):
    # given an application waiting for a decision
    admin = AdminAffiliationFactory(organization=ApplicantOrganizationFactory()).person
    application = ApplicationFactory(organization=admin.affiliations.get().organization, submitted_by=admin)

    # when staff approve it while the broker cannot be reached
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(actor=StaffFactory(), application=application)

    # then the decision stands, its notification waits in the outbox, nothing was sent
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert len(broker_down) == 1
    assert Notification.objects.get().status == Notification.Status.PENDING
    assert mail.outbox == []

    # when the sweep runs
    assert tasks.notifications_sweep() == 1

    # then the decision email is delivered
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert "Welcome to the alliance" in mail.outbox[0].subject


def test_with_the_broker_down_a_request_still_completes(broker_down, client, django_capture_on_commit_callbacks):
    # given a staff member deciding in the admin
    staff = StaffFactory(is_superuser=True)
    admin = AdminAffiliationFactory(organization=ApplicantOrganizationFactory()).person
    application = ApplicationFactory(organization=admin.affiliations.get().organization, submitted_by=admin)
    client.force_login(staff)

    # when the approval is posted while the broker is unreachable
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_membershipapplication_changelist"),
            {"action": "approve", "_selected_action": [application.pk], "index": 0},
        )

    # then the request completes and the sweep delivers afterwards
    assert response.status_code == 302
    assert len(broker_down) == 1
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert mail.outbox == []
    assert tasks.notifications_sweep() == 1
    assert len(mail.outbox) == 1


def test_enqueueing_logs_and_returns_whatever_the_broker_raises(monkeypatch, caplog):
    """Whatever the broker raises, enqueueing logs and returns: the sweep is the safety net."""
    monkeypatch.setattr(tasks.deliver_notification, "delay", lambda *a: (_ for _ in ()).throw(TimeoutError()))

    notifications._enqueue([12345])

    assert "the sweep will deliver it" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_notification_at_once_send_one_email(settings):
    """One worker holds the row lock while it sends; the other skips it, and nobody sends twice."""
    # given an email server that is slow: the first send is still in progress when the second worker arrives
    notification = Notification.objects.create(
        email="ada@example.org", kind=Notification.Kind.MEMBERSHIP, subject="Hello", body="Hello.\n"
    )
    first_is_sending = threading.Event()
    second_has_tried = threading.Event()
    original_send = mail.EmailMessage.send

    def slow_send(message, *args, **kwargs):
        first_is_sending.set()
        assert second_has_tried.wait(timeout=10)
        return original_send(message, *args, **kwargs)

    results: dict[str, bool] = {}

    def deliver(name):
        try:
            results[name] = notification_deliver(notification_id=notification.pk)
        finally:
            connection.close()

    mail.EmailMessage.send = slow_send
    try:
        first = threading.Thread(target=deliver, args=("first",))
        first.start()
        assert first_is_sending.wait(timeout=10)
        mail.EmailMessage.send = original_send
        deliver("second")
        second_has_tried.set()
        first.join(timeout=20)
    finally:
        mail.EmailMessage.send = original_send

    assert results == {"first": True, "second": False}
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
