"""The renewal journey in a real browser: an admin sees the grace banner, renews, and the dashboard shows the new
term (system Chromium through Playwright, against a live server)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.services import add_months
from tests.browser import sign_in
from tests.members.factories import AdminAffiliationFactory, OrganizationFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_sees_the_grace_banner_renews_and_the_dashboard_shows_the_new_term(live_server, page: Page, settings):
    settings.SITE_URL = live_server.url
    ended = timezone.now() - timedelta(days=10)
    organization = OrganizationFactory(
        name="Aurora Labs", slug="aurora-labs", term__starts_at=ended - timedelta(days=365), term__ends_at=ended
    )
    admin = AdminAffiliationFactory(organization=organization, person__name="Alex Admin").person

    # Given the admin of an organization whose term ended ten days ago
    sign_in(page, live_server.url, admin.email, "/")

    # Then every page carries the grace banner
    banner = page.get_by_role("status", name="Membership in grace")
    expect(banner).to_contain_text("The membership of Aurora Labs ended on")

    # When they follow it, accept the charter and renew
    banner.get_by_role("link", name="Renew the membership").click()
    expect(page.get_by_role("heading", name="Membership of Aurora Labs")).to_be_visible()
    page.get_by_label("We accept the current version of the alliance charter").check()
    page.get_by_role("button", name="Renew the membership").click()

    # Then the renewal is confirmed, the banner is gone, and the dashboard shows the new term from the old end
    new_end = add_months(ended, 12)
    expect(page.get_by_text(f"renewed until {new_end:%d %B %Y}")).to_be_visible()
    expect(page.get_by_role("status", name="Membership in grace")).to_have_count(0)
    page.get_by_role("link", name="Contribution dashboard").click()
    expect(page.get_by_role("heading", name="Contributions of Aurora Labs")).to_be_visible()
    term = page.locator("[data-term-end]")
    expect(term).to_contain_text(f"{ended.day} {ended:%B %Y} – {new_end.day} {new_end:%B %Y}")
    expect(page.locator("[data-standing]")).to_have_text("Current")
