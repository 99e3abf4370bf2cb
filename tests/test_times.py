"""Every time a page shows says which zone it is in, 24-hour, through one filter (``alliance/templatetags/times``)."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse

from events import services as event_services
from members.models import MembershipApplication
from projects.models import ProposalReview
from tests.events.factories import EventFactory
from tests.members.factories import ApplicationFactory, StaffFactory, UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# A time of day, and what must follow it: a zone's abbreviation (UTC, CEST, EDT) or an offset (+04, +0530).
TIME_OF_DAY = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?![\d:])")
ZONE_LABEL = re.compile(r"\s*(?:[A-Z]{2,5}\b|[+\-\u2212]\d{2}(?::?\d{2})?\b)")
RANGE = re.compile(r"\s*[\u2013-]\s")  # "13:00 – 16:00 EST": the range's end carries the zone of both


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles, or attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skipping += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in ("script", "style") and self.skipping > 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def unlabelled_times(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    return [
        text[max(0, found.start() - 30) : found.end()]
        for found in TIME_OF_DAY.finditer(text)
        if not ZONE_LABEL.match(text, found.end()) and not RANGE.match(text, found.end())
    ]


def test_the_filter_writes_a_24_hour_time_with_its_zone():
    moment = datetime(2026, 5, 4, 16, 5, tzinfo=UTC)
    template = Template(
        "{% load times %}{{ moment|zoned }} / {{ moment|zoned:'Europe/Brussels' }} / {{ moment|zoned:'Asia/Calcutta' }}"
    )

    assert (
        template.render(Context({"moment": moment}))
        == "4 May 2026, 16:05 UTC / 4 May 2026, 18:05 CEST / 4 May 2026, 21:35 IST"
    )


def test_the_check_finds_an_unlabelled_time():
    assert unlabelled_times("<td>4 May 2026 16:05</td><td>17:00 UTC</td>") == ["4 May 2026 16:05"]
    assert unlabelled_times("<p>13:00 – 16:00 EST</p><p>13:00 – 16:00</p>") == ["13:00 – 16:00 EST 13:00 – 16:00"]


def test_every_time_on_the_main_pages_has_its_zone(client, django_capture_on_commit_callbacks):
    # given staff, an event in New York with a confirmed, a checked-in and a waitlisted person, a reviewed proposal,
    # an application with its history and a used API token: the pages that show times of day
    staff = StaffFactory()
    event = EventFactory(timezone="America/New_York", capacity=2, created_by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        registration = event_services.event_register(actor=staff, event=event)
        event_services.event_register(actor=UserFactory(), event=event)
        event_services.event_register(actor=UserFactory(), event=event)
    event_services.registration_check_in(actor=staff, registration=registration)
    project = ProjectFactory(state="proposed")
    ProposalReview.objects.create(project=project, reviewer=staff, recommendation="accept", comment="Good.")
    application = ApplicationFactory(status=MembershipApplication.Status.SUBMITTED)
    client.force_login(staff)
    pages = [
        reverse("home"),
        reverse("events:event_list"),
        event.get_absolute_url(),
        reverse("events:event_manage", args=[event.slug]),
        reverse("events:my_events"),
        reverse("audit_log"),
        reverse("inbox"),
        project.get_absolute_url(),
        reverse("members:application_detail", args=[application.pk]),
        reverse("members:api_tokens"),
    ]

    # when each page is read, then every time of day on it is followed by its zone
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert unlabelled_times(response.content.decode()) == [], path
