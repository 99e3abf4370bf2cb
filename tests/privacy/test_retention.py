"""The retention beat jobs, each under a frozen clock and run twice: the second run changes nothing (the same
result as once), and each run that changed something is audited as one summary entry."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from alliance import tasks as alliance_tasks
from alliance.models import AuditEntry, Notification
from alliance.webhooks import tasks as webhook_tasks
from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from alliance.webhooks.signing import secret_generate
from events import tasks as event_tasks
from events.models import Registration
from members import tasks as member_tasks
from members.models import User
from tests.events.factories import EventFactory
from tests.members.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def _summaries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_registrations_of_events_ended_long_ago_are_anonymized_and_the_counts_remain():
    # given an event that ended just over RETENTION_EVENT_DAYS ago, one just under, with attendees
    days = settings.RETENTION_EVENT_DAYS
    with time_machine.travel(NOW - timedelta(days=days + 30), tick=False):
        old = EventFactory(starts_at=NOW - timedelta(days=days, hours=4), capacity=10)
    recent = EventFactory(starts_at=NOW - timedelta(days=days - 1), capacity=10)
    people = UserFactory.create_batch(3)
    for event in (old, recent):
        for person in people:
            Registration.objects.create(event=event, person=person, status="confirmed", checked_in_at=event.starts_at)
        event.confirmed_count = 3
        event.save(update_fields=["confirmed_count"])

    # when the job runs twice at the same instant
    with time_machine.travel(NOW, tick=False):
        first = event_tasks.registrations_anonymize()
        after_first = list(Registration.objects.order_by("pk").values_list("person_id", "anonymized_at"))
        second = event_tasks.registrations_anonymize()

    # then the old event's registrations lost their person, once; the counts and check-ins remain
    assert (first, second) == (3, 0)
    assert list(Registration.objects.order_by("pk").values_list("person_id", "anonymized_at")) == after_first
    assert Registration.objects.filter(event=old, person__isnull=True, anonymized_at=NOW).count() == 3
    assert Registration.objects.filter(event=old, checked_in_at__isnull=False).count() == 3
    assert Registration.objects.filter(event=recent, person__isnull=False).count() == 3
    old.refresh_from_db()
    assert old.confirmed_count == 3
    [summary] = _summaries("retention.registrations_anonymized")
    assert summary.changes == {"registrations": [None, 3]} and summary.actor is None


def test_delivered_notifications_older_than_the_period_are_deleted():
    days = settings.RETENTION_NOTIFICATION_DAYS
    person = UserFactory()

    def message(status, *, age_days, **fields):
        created = NOW - timedelta(days=age_days)
        with time_machine.travel(created, tick=False):
            return Notification.objects.create(
                recipient=person, email=person.email, kind="projects", subject="s", body="b", status=status, **fields
            )

    old_sent = message("sent", age_days=days + 1, sent_at=NOW - timedelta(days=days + 1))
    old_skipped = message("skipped", age_days=days + 1)
    old_pending = message("pending", age_days=days + 1)
    old_failed = message("failed", age_days=days + 1)
    recent = message("sent", age_days=days - 1, sent_at=NOW - timedelta(days=days - 1))

    with time_machine.travel(NOW, tick=False):
        first = alliance_tasks.notifications_retention()
        second = alliance_tasks.notifications_retention()

    assert (first, second) == (2, 0)
    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {old_pending.pk, old_failed.pk, recent.pk}
    assert old_sent.pk not in left and old_skipped.pk not in left
    assert len(_summaries("retention.notifications_deleted")) == 1


def test_webhook_delivery_bodies_older_than_the_period_are_emptied_and_the_log_stays():
    days = settings.RETENTION_WEBHOOK_DAYS
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.org/x", event_types=["organization.updated"], secret=secret_generate()
    )

    def delivery(status, *, age_days):
        with time_machine.travel(NOW - timedelta(days=age_days), tick=False):
            return WebhookDelivery.objects.create(
                endpoint=endpoint, message_id=f"m{age_days}{status}", event_type="organization.updated",
                payload={"data": {"name": "Acme"}}, status=status,
            )  # fmt: skip

    old = delivery("succeeded", age_days=days + 1)
    old_failed = delivery("failed", age_days=days + 2)
    old_pending = delivery("pending", age_days=days + 3)
    recent = delivery("succeeded", age_days=days - 1)

    with time_machine.travel(NOW, tick=False):
        first = webhook_tasks.webhook_bodies_retention()
        second = webhook_tasks.webhook_bodies_retention()

    assert (first, second) == (2, 0)
    payloads = dict(WebhookDelivery.objects.values_list("pk", "payload"))
    assert payloads[old.pk] == payloads[old_failed.pk] == {}
    assert payloads[old_pending.pk] == payloads[recent.pk] == {"data": {"name": "Acme"}}
    assert WebhookDelivery.objects.count() == 4
    assert len(_summaries("retention.webhook_bodies_emptied")) == 1


def test_accounts_never_verified_are_deleted_after_the_period_and_no_other():
    days = settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS

    def account(*, age_days, verified, **fields):
        with time_machine.travel(NOW - timedelta(days=age_days), tick=False):
            person = UserFactory(verified=False, date_joined=NOW - timedelta(days=age_days), **fields)
            if verified is not None:
                EmailAddress.objects.create(user=person, email=person.email, verified=verified, primary=True)
            return person

    never_verified = account(age_days=days + 1, verified=False)
    too_recent = account(age_days=days - 1, verified=False)
    verified = account(age_days=days + 10, verified=True)
    made_by_hand = account(age_days=days + 10, verified=None)  # no address row: createsuperuser, the admin
    with time_machine.travel(NOW - timedelta(days=days + 5), tick=False):
        staff = StaffFactory(verified=False, date_joined=NOW - timedelta(days=days + 5))
        EmailAddress.objects.create(user=staff, email=staff.email, verified=False, primary=True)

    with time_machine.travel(NOW, tick=False):
        first = member_tasks.unverified_accounts_retention()
        second = member_tasks.unverified_accounts_retention()

    assert (first, second) == (1, 0)
    left = set(User.objects.values_list("pk", flat=True))
    assert never_verified.pk not in left
    assert {too_recent.pk, verified.pk, made_by_hand.pk, staff.pk} <= left
    [summary] = _summaries("retention.unverified_accounts_deleted")
    assert summary.changes == {"accounts": [None, 1]}


def test_the_beat_schedule_runs_each_retention_job():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "events.tasks.registrations_anonymize",
        "alliance.tasks.notifications_retention",
        "alliance.webhooks.tasks.webhook_bodies_retention",
        "members.tasks.unverified_accounts_retention",
    } <= tasks


def test_the_organizers_pages_and_api_show_an_anonymized_registration_as_such(client, api_client):
    # given an event whose registrations were anonymized
    event = EventFactory(starts_at=NOW - timedelta(days=settings.RETENTION_EVENT_DAYS + 5), capacity=5)
    Registration.objects.create(event=event, person=UserFactory(), status="confirmed")
    with time_machine.travel(NOW, tick=False):
        event_tasks.registrations_anonymize()
    organizer = event.created_by

    # then the manage page, the attendee list and the API answer, naming nobody
    client.force_login(organizer)
    assert (
        "Anonymized attendee"
        in client.get(reverse("events:event_manage", kwargs={"slug": event.slug})).content.decode()
    )
    csv = client.get(reverse("events:attendees_csv", kwargs={"slug": event.slug})).content.decode()
    assert "Anonymized attendee" in csv
    api_client.force_authenticate(organizer)
    rows = api_client.get(f"/api/v1/events/{event.slug}/registrations/").json()["results"]
    assert [row["person"] for row in rows] == [None]
