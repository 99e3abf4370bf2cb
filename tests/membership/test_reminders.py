"""The reminder beat job: 60, 30 and 7 days before the end and at grace to the admins, the lapse to staff; each
exactly once per term however often the job runs, and none for a term already renewed."""

import pytest

from alliance.models import Notification
from members import services
from members.models import MembershipReminder
from members.tasks import membership_reminders

from .conftest import SECOND, TERM_END, days

pytestmark = pytest.mark.django_db


def _subjects(person):
    return sorted(Notification.objects.filter(recipient=person).values_list("subject", flat=True))


def test_each_reminder_goes_once_at_its_moment(member, member_admin, member_person, staff, clock):
    moments = [
        (TERM_END - days(60) - SECOND, None),
        (TERM_END - days(60), MembershipReminder.Kind.DAYS_60),
        (TERM_END - days(30), MembershipReminder.Kind.DAYS_30),
        (TERM_END - days(7), MembershipReminder.Kind.DAYS_7),
        (TERM_END, MembershipReminder.Kind.GRACE),
        (TERM_END + days(30), MembershipReminder.Kind.LAPSED),
    ]
    expected: list[str] = []
    for moment, kind in moments:
        clock(moment)

        # when the job runs twice at the moment
        first, second = services.membership_reminders_send(), membership_reminders.apply().get()

        # then the reminder of the moment goes out once, and nothing the second time
        assert (first, second) == ((1, 0) if kind else (0, 0))
        if kind:
            expected.append(kind)
        assert list(MembershipReminder.objects.order_by("sent_at").values_list("kind", flat=True)) == expected

    admin_subjects = _subjects(member_admin)
    assert len(admin_subjects) == 4
    assert sum("ends in" in subject for subject in admin_subjects) == 3
    assert sum("has ended" in subject for subject in admin_subjects) == 1
    assert _subjects(member_person) == []  # the organization's admins hear, not every member
    assert _subjects(staff) == [f"The membership of {member} has lapsed"]


def test_a_late_job_sends_the_latest_reminder_only(member, member_admin, clock):
    clock(TERM_END - days(5))

    assert services.membership_reminders_send() == 1
    assert list(MembershipReminder.objects.values_list("kind", flat=True)) == [MembershipReminder.Kind.DAYS_7]


def test_a_renewed_term_gets_no_more_reminders(member, member_admin, clock):
    clock(TERM_END - days(30))
    services.membership_reminders_send()
    services.membership_renew(actor=member_admin, organization=member, accept_charter=True)

    clock(TERM_END)
    assert services.membership_reminders_send() == 0
    clock(TERM_END + days(31))
    assert services.membership_reminders_send() == 0


def test_the_job_is_on_the_beat_schedule():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["membership-reminders"]["task"] == "members.tasks.membership_reminders"
