"""The weekly digest (top floor): once a week, a person's projects' news and the coming events they may see."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alliance import notifications
from alliance.models import DigestSent, Notification
from alliance.portal.digest import digests_send
from alliance.portal.tasks import weekly_digests
from projects import services as project_services

from ..events.factories import EventFactory
from ..members.factories import UserFactory
from ..projects.factories import LeadFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


# --- the weekly digest ----------------------------------------------------------------------------------------------


def test_the_weekly_digest_goes_once_a_week_to_those_who_asked_with_their_projects_news_and_upcoming_events(
    django_capture_on_commit_callbacks,
):
    # given a participant who asked for the digest, another who did not, news in their project, events
    lead = LeadFactory().person
    project = lead.participations.get().project
    reader, other = (ParticipationFactory(project=project).person for _ in range(2))
    notifications.notification_preference_set(person=reader, kind="digests", email_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        project_services.project_update_post(actor=lead, project=project, title="Release 1.0", body="Out now.")
    soon = EventFactory(title="Evaluation sprint", starts_at=timezone.now() + timedelta(days=3))
    EventFactory(title="Far away summit", starts_at=timezone.now() + timedelta(days=30))
    EventFactory(title="Draft meetup", status="draft", starts_at=timezone.now() + timedelta(days=2))
    mail.outbox.clear()

    # when the digest job runs twice the same week
    with django_capture_on_commit_callbacks(execute=True):
        first_run = weekly_digests()
    with django_capture_on_commit_callbacks(execute=True):
        second_run = weekly_digests()

    # then the reader got exactly one digest, with the update and the next two weeks' visible events
    assert (first_run, second_run) == (1, 0)
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert "Release 1.0" in message.body
    assert soon.title in message.body
    assert "Far away summit" not in message.body
    assert "Draft meetup" not in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert DigestSent.objects.get().person == reader
    assert not DigestSent.objects.filter(person=other).exists()

    # and next week, with a new event coming, there is another
    later = timezone.now() + timedelta(days=7)
    EventFactory(title="Next week's workshop", starts_at=later + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send(now=later) == 1


def test_no_digest_when_there_is_nothing_to_tell():
    person = UserFactory()
    notifications.notification_preference_set(person=person, kind="digests", email_enabled=True)

    assert digests_send() == 0
    assert not DigestSent.objects.exists()
    assert not Notification.objects.exists()


def test_the_digest_job_is_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["notifications-weekly-digests"]["task"] == "alliance.tasks.weekly_digests"
