"""The last seat, the waitlist and the promotion, in a real browser (system Chromium through Playwright)."""

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from events import services
from events.models import Registration
from tests.members.factories import UserFactory

from .factories import EventFactory

PASSWORD = "correct horse battery"  # the factories' password


def sign_in(page: Page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_last_seat_waitlist_and_promotion(live_server, page: Page, browser: Browser, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    event = EventFactory(title="Red-teaming clinic", capacity=2)
    services.event_register(actor=UserFactory(), event=event)  # one seat left
    alice = UserFactory(name="Alice Archer")
    bob = UserFactory(name="Bob Baker")
    panel = page.locator("#registration")

    # Given Alice on the event page, one seat left
    sign_in(page, base, alice.email, event.get_absolute_url())
    expect(page.get_by_role("heading", name="Red-teaming clinic")).to_be_visible()
    expect(panel.get_by_text("1 seat left.")).to_be_visible()

    # When she registers, the panel answers at once (htmx): she has the last seat
    panel.get_by_role("button", name="Register").click()
    expect(panel.get_by_text("You have a seat.", exact=True)).to_be_visible()
    expect(panel.get_by_role("link", name=event.online_url)).to_be_visible()
    expect(page.locator("ul.messages", has_text="You have a seat")).to_have_count(0)  # swapped in place by htmx

    # When Bob comes, the event is full: he joins the waitlist and sees his position
    bob_page = browser.new_context().new_page()
    bob_panel = bob_page.locator("#registration")
    sign_in(bob_page, base, bob.email, event.get_absolute_url())
    expect(bob_panel.get_by_text("Full — join the waitlist.")).to_be_visible()
    bob_panel.get_by_role("button", name="Join the waitlist").click()
    expect(bob_panel.get_by_text("You are number 1 on the waitlist.", exact=True)).to_be_visible()

    # When Alice cancels (and confirms the question)
    mail.outbox.clear()
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Cancel my registration").click()
    expect(panel.get_by_text("Your registration is cancelled; your seat went back.")).to_be_visible()

    # Then Bob's page shows him confirmed, and he got an email saying so
    bob_page.reload()
    expect(bob_panel.get_by_text("You have a seat.", exact=True)).to_be_visible()
    assert Registration.objects.get(event=event, person=bob).status == Registration.Status.CONFIRMED
    to_bob = [message for message in mail.outbox if message.to == [bob.email]]
    assert len(to_bob) == 1 and "you are now confirmed" in to_bob[0].subject
