"""The privacy journey in a real browser (system Chromium through Playwright), against a live server: a person
downloads their data, reads the warning, erases their account and cannot sign in again; at 390 px wide too."""

import json

import pytest
from playwright.sync_api import Page, expect

from members.models import User
from tests.browser import PASSWORD, sign_in
from tests.events.factories import EventFactory
from tests.members.factories import AffiliationFactory, OrganizationFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_a_person_downloads_their_data_then_erases_their_account_and_cannot_sign_in(
    live_server, page: Page, settings, width, tmp_path
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    page.set_viewport_size({"width": width, "height": 900})
    person = UserFactory(name="Rosa Departing", email="rosa.departing@example.org")
    AffiliationFactory(person=person, organization=OrganizationFactory(name="Leaving Labs"))
    EventFactory(title="Autumn workshop")

    # Given the person on their data page
    sign_in(page, base, person.email, "/account/privacy/")
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()

    # When they download their data
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    path = tmp_path / "data.json"
    download_info.value.save_as(path)
    document = json.loads(path.read_text())

    # Then it is their data, with its README
    assert document["members"]["account"][0]["email"] == "rosa.departing@example.org"
    assert "members.affiliations" in document["README"]["parts"]

    # When they read the warning and erase the account (the confirmation box is required)
    expect(page.get_by_text("Erasing cannot be undone.")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("Tick the box to confirm you read the warning.")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand that my account").check()
    page.get_by_role("button", name="Erase my account").click()

    # Then they are signed out, told so, and the account is empty
    expect(page.get_by_text("Your account is erased.")).to_be_visible()
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():  # at phone width the header's links fold behind the menu button
        menu.click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    erased = User.objects.get(pk=person.pk)
    assert erased.erased_at is not None and erased.name == ""

    # And signing in again with the old address and password fails
    sign_in(page, base, "rosa.departing@example.org", "/account/privacy/")
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    assert "/accounts/login/" in page.url
