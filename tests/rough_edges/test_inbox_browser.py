"""The inbox in a real browser: a person filters to the unread, follows a notification's link, and finds it read."""

import pytest
from playwright.sync_api import Page, expect

from alliance.models import Notification
from tests.browser import sign_in
from tests.members.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_following_a_notifications_link_marks_it_read(live_server, page: Page):
    # given a person with an unread notification about the events and a read one about projects
    person = UserFactory(name="Ines Inbox")
    for kind, subject, read in [("events", "A seat is yours", False), ("projects", "Project news", True)]:
        Notification.objects.create(
            recipient=person, email=person.email, kind=kind, subject=subject, body="x", url="/events/", status="sent"
        )
        if read:
            Notification.objects.filter(subject=subject).update(read_at="2026-01-01T10:00Z")
    sign_in(page, live_server.url, person.email, "/inbox/")

    # when they show the unread ones only, then follow the link of the one left
    page.get_by_label("Show").select_option("Unread")
    expect(page.get_by_role("link", name="Project news")).to_have_count(0)
    expect(page).to_have_url(f"{live_server.url}/inbox/?unread=true&kind=")
    page.get_by_role("link", name="A seat is yours").click()

    # then they are on its page, and back in the inbox it no longer counts as unread
    expect(page).to_have_url(f"{live_server.url}/events/")
    page.goto(f"{live_server.url}/inbox/?unread=true")
    expect(page.get_by_text("No notification matches these filters.")).to_be_visible()
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator(".badge-unread")).to_have_count(0)
    expect(page.locator(".badge-read")).to_have_count(2)
