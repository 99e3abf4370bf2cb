"""The notification outbox: rows in the caller's transaction, one email per row, retries with back-off, the sweep."""

import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from alliance import jobs, notifications, tasks
from alliance.locale import person_language_set
from alliance.models import Notification, NotificationPreference
from alliance.notifications import MAX_ATTEMPTS, notification_deliver, notifications_due, notify
from events import services as event_services
from members import services
from members.models import MembershipApplication, Organization
from projects import services as project_services

from .events.factories import EventFactory
from .members.factories import (
    AdminAffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)
from .projects.factories import LeadFactory, ParticipationFactory

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
        template="members/notifications/organization_status_changed",
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

    monkeypatch.setattr(tasks.deliver_notifications, "delay", unreachable)
    monkeypatch.setattr(tasks.fan_out_notification, "delay", unreachable)
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
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda *a: (_ for _ in ()).throw(TimeoutError()))

    notifications.notifications_enqueue([12345])

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
    original_send = LocmemEmailBackend.send_messages

    def slow_send(backend, messages):
        first_is_sending.set()
        assert second_has_tried.wait(timeout=10)
        return original_send(backend, messages)

    results: dict[str, bool] = {}

    def deliver(name):
        try:
            results[name] = notification_deliver(notification_id=notification.pk)
        finally:
            connection.close()

    LocmemEmailBackend.send_messages = slow_send
    try:
        first = threading.Thread(target=deliver, args=("first",))
        first.start()
        assert first_is_sending.wait(timeout=10)
        LocmemEmailBackend.send_messages = original_send
        deliver("second")
        second_has_tried.set()
        first.join(timeout=20)
    finally:
        LocmemEmailBackend.send_messages = original_send

    assert results == {"first": True, "second": False}
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


# --- email format ---------------------------------------------------------------------------------------------


def test_the_email_is_multipart_text_and_html_from_the_same_content_with_a_stable_message_id(
    django_capture_on_commit_callbacks,
):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify_one([person])

    [message] = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Welcome back." in message.body
    assert "Welcome back." in html
    assert html.count("<p>") >= 2  # the body's paragraphs, as HTML
    assert "Aurora Labs is now active member" in html
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{notification.pk}-")
    assert "List-Unsubscribe" in message.extra_headers  # membership news is not transactional


def test_plain_text_is_not_html_escaped(django_capture_on_commit_callbacks):
    organization = OrganizationFactory(name="Smith & Jones <Research>")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=["ada@example.org"],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/organization_status_changed",
            context={"organization": organization, "note": ""},
        )

    [message] = mail.outbox
    assert "Smith & Jones <Research>" in message.subject
    assert "Smith &amp; Jones &lt;Research&gt;" in message.alternatives[0][0]


def test_messages_are_written_in_the_recipients_language(settings, django_capture_on_commit_callbacks):
    # given a second language offered, and a person who chose it
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    french, english = UserFactory(), UserFactory()
    person_language_set(person=french, language="fr")
    event = EventFactory(starts_at=timezone.make_aware(datetime(2030, 1, 14, 10, 0)), timezone="UTC")

    # when both are told about the same event
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[french, english],
            kind=Notification.Kind.EVENTS,
            template="events/notifications/registration_confirmed",
            context={"event": event},
            transactional=True,
        )

    # then dates are written in each one's language
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "lundi 14 janvier 2030" in bodies[french.email]
    assert "Monday 14 January 2030" in bodies[english.email]
    assert Notification.objects.get(recipient=french).language == "fr"


# --- preferences through the real services -----------------------------------------------------------------------


def test_a_person_who_turned_off_projects_gets_no_project_update_but_still_sees_it_in_the_inbox(
    django_capture_on_commit_callbacks,
):
    # given a project with a lead and two participants, one of whom turned projects email off
    lead = LeadFactory().person
    project = lead.participations.get().project
    keen, quiet = (ParticipationFactory(project=project).person for _ in range(2))
    notifications.notification_preference_set(person=quiet, kind="projects", email_enabled=False)

    # when the lead posts an update
    with django_capture_on_commit_callbacks(execute=True):
        project_services.project_update_post(actor=lead, project=project, title="Release 1.0", body="It is out.")

    # then only the keen participant gets the email; the quiet one finds it in the inbox
    assert [message.to for message in mail.outbox] == [[keen.email]]
    skipped = Notification.objects.get(recipient=quiet)
    assert skipped.status == Notification.Status.SKIPPED
    assert skipped.read_at is None
    assert notifications.unread_count(person=quiet) == 1


def test_transactional_mail_arrives_whatever_the_preferences(django_capture_on_commit_callbacks):
    # given a person who turned every kind off
    person = UserFactory()
    for kind in NotificationPreference.Kind.values:
        notifications.notification_preference_set(person=person, kind=kind, email_enabled=False)
    event = EventFactory()

    # when they register for an event
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_register(actor=person, event=event)

    # then the confirmation still arrives, without an unsubscribe link
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "You have a seat" in message.subject
    assert "List-Unsubscribe" not in message.extra_headers
    assert Notification.objects.get(recipient=person).transactional is True


def test_turning_email_off_after_recording_but_before_delivery_is_respected():
    person = UserFactory()
    [notification] = notify_one([person])  # recorded; delivery not yet run (no commit in this test)
    notifications.notification_preference_set(person=person, kind="membership", email_enabled=False)

    assert notification_deliver(notification_id=notification.pk) is False

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SKIPPED


# --- the sweep with several workers --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_sweeps_at_once_share_the_work_and_send_each_notification_once(monkeypatch):
    # given 30 pending notifications, sent in chunks of 5, and a slow mail server
    monkeypatch.setattr("alliance.notifications.delivery.CHUNK_SIZE", 5)
    Notification.objects.bulk_create(
        Notification(email=f"person{n}@example.org", kind="membership", subject="Hello", body="Hello.\n")
        for n in range(30)
    )
    original_send = LocmemEmailBackend.send_messages

    def slow_send(backend, messages):
        time.sleep(0.02)
        return original_send(backend, messages)

    counts = []

    def sweep():
        try:
            counts.append(notifications.notifications_sweep_run())
        finally:
            connection.close()

    LocmemEmailBackend.send_messages = slow_send
    try:
        threads = [threading.Thread(target=sweep) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        LocmemEmailBackend.send_messages = original_send

    # then each was sent once, and the work was shared (no sweep did it all while the others waited)
    assert sum(counts) == 30
    assert max(counts) < 30
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"person{n}@example.org" for n in range(30))
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()


def test_a_broker_failure_pauses_publishing_so_later_requests_do_not_wait(monkeypatch):
    from alliance.celery import app

    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_notifications, "delay", unreachable)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    notifications.broker_circuit.reset()
    try:
        notifications.notifications_enqueue([1, 2, 3])  # the publish fails: the sweep will deliver them
        notifications.notifications_enqueue([4])  # the next change does not even try
        assert attempts == [([1, 2, 3],)]
        monkeypatch.setattr(jobs, "BROKER_RETRY_AFTER", 0.0)
        notifications.broker_circuit.reset()
        notifications.notifications_enqueue([5])  # once the pause is over, it tries again
        assert attempts == [([1, 2, 3],), ([5],)]
    finally:
        app.conf.task_always_eager = eager
        notifications.broker_circuit.reset()


# --- everything goes through notify() ---------------------------------------------------------------------------------


def _service_modules(root: Path, app: str) -> list[Path]:
    """An app's services: the module ``services.py``, or every module of the package ``services/``."""
    package = root / app / "services"
    return sorted(package.rglob("*.py")) if package.is_dir() else [root / app / "services.py"]


def test_no_code_sends_email_except_the_notification_backbone():
    """Every message of the members, projects and events domains goes through notify(); allauth sends its own."""
    root = Path(__file__).resolve().parent.parent
    backbone = root / "alliance" / "notifications"
    senders = re.compile(
        r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|EmailMultiAlternatives)\b"
    )
    offenders = [
        path
        for directory in ("alliance", "members", "projects", "events")
        for path in (root / directory).rglob("*.py")
        if "migrations" not in path.parts and senders.search(path.read_text())
    ]
    assert offenders, "the notification backbone itself sends the mail"
    assert [str(path.relative_to(root)) for path in offenders if backbone not in path.parents] == []
    for app in ("members", "projects", "events"):
        assert any("notify(" in module.read_text() for module in _service_modules(root, app)), app
