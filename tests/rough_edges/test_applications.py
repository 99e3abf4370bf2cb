"""Applications' rough edges: no tier is chosen for the applicant, each tier shows its fee and benefits, approving
asks for confirmation and can carry a welcome note, and the wording reads right ("a associate member" never)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from alliance.models import AuditEntry, Notification
from members import services
from members.models import MembershipApplication, Organization

from ..api_matrix import API, client_as
from ..members.factories import AdminAffiliationFactory, ApplicantOrganizationFactory, StaffFactory, tier_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def _applying_admin(client):
    organization = ApplicantOrganizationFactory(name="Open Health Lab")
    admin = AdminAffiliationFactory(organization=organization).person
    client.force_login(admin)
    return organization, admin


def _submitted(tier: str = "general"):
    organization = ApplicantOrganizationFactory(name="Open Health Lab")
    admin = AdminAffiliationFactory(organization=organization).person
    application = services.application_submit(
        actor=admin, organization=organization, tier=tier, statement="We share tools.", charter_accepted=True
    )
    return application, admin


# --- the form ------------------------------------------------------------------------------------------------


def test_the_application_form_preselects_no_tier(client):
    # given an organization's admin on the application form
    organization, _ = _applying_admin(client)

    # when they open it
    page = client.get(reverse("members:application_create", kwargs={"slug": organization.slug})).content.decode()

    # then every tier is offered and none is chosen for them
    assert page.count('name="tier"') == 4
    assert not re.search(r'<input[^>]*name="tier"[^>]*checked', page)
    assert "<option" not in page.split('name="statement"')[0].split('name="tier"', 1)[1][:200]


def test_applying_without_a_tier_says_to_choose_one(client):
    organization, _ = _applying_admin(client)

    response = client.post(
        reverse("members:application_create", kwargs={"slug": organization.slug}),
        {"statement": "We share tools.", "charter_accepted": "on"},
    )

    assert response.status_code == 200
    assert "Choose a membership tier." in response.content.decode()
    assert not MembershipApplication.objects.filter(organization=organization).exists()


def test_each_tier_shows_its_annual_fee_and_benefits_from_its_row(client):
    # given a tier whose fee, description and benefits staff changed
    associate = tier_for("associate")
    associate.annual_fee = Decimal("1234.00")
    associate.description = "For smaller organizations."
    associate.members_only_events = True
    associate.propose_projects = False
    associate.committee_seat = False
    associate.save()
    free = tier_for("academic")
    free.annual_fee = Decimal("0")
    free.save()
    organization, _ = _applying_admin(client)

    # when the admin opens the form
    page = _text(client.get(reverse("members:application_create", kwargs={"slug": organization.slug})))

    # then the choice shows that row's fee, description and benefits (and what it lacks)
    choice = page.split("Associate member", 1)[1].split("Academic member", 1)[0]
    assert "1,234 EUR a year" in choice
    assert "For smaller organizations." in choice
    assert "Members-only events" in choice
    assert "No committee seat" in choice
    assert "Cannot propose projects" in choice
    assert "No annual fee" in page.split("Academic member", 1)[1]


# --- approval ------------------------------------------------------------------------------------------------


def test_approving_without_confirming_changes_nothing_and_says_why(client):
    application, _ = _submitted()
    client.force_login(StaffFactory())

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}), {"decision": "approve"}
    )

    application.refresh_from_db()
    assert response.status_code == 400
    assert "Tick the box to confirm the approval." in response.content.decode()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_the_approve_button_leads_to_a_confirmation_page_that_works_without_javascript(client):
    application, _ = _submitted()
    client.force_login(StaffFactory())
    detail = client.get(reverse("members:application_detail", kwargs={"pk": application.pk})).content.decode()
    confirm_url = reverse("members:application_approve", kwargs={"pk": application.pk})

    page = client.get(confirm_url).content.decode()

    assert f'href="{confirm_url}"' in detail
    assert re.search(r'<input[^>]*type="checkbox"[^>]*name="confirmed"[^>]*required', page)
    assert 'name="welcome_note"' in page
    assert "General member" in page  # the tier being approved
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED  # looking approves nothing


def test_a_confirmed_approval_carries_the_welcome_note_to_the_admins_and_the_history(client):
    application, admin = _submitted()
    client.force_login(StaffFactory())

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}),
        {"decision": "approve", "confirmed": "on", "welcome_note": "Glad to have you. Our kick-off is on Monday."},
    )

    application.refresh_from_db()
    mail = Notification.objects.get(recipient=admin, subject__startswith="Welcome")
    entry = AuditEntry.objects.get(action="application.approved")
    assert response.status_code == 302
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.organization.status == Organization.Status.ACTIVE
    assert "Glad to have you. Our kick-off is on Monday." in mail.body
    assert entry.note == "Glad to have you. Our kick-off is on Monday."


def test_the_queue_offers_approval_through_the_confirmation_page(client):
    application, _ = _submitted()
    client.force_login(StaffFactory())

    page = client.get(reverse("members:review_queue")).content.decode()

    assert f'href="{reverse("members:application_approve", kwargs={"pk": application.pk})}?from=queue"' in page


# --- wording -------------------------------------------------------------------------------------------------


def test_the_application_page_does_not_say_submitted_twice(client):
    application, admin = _submitted()
    client.force_login(admin)

    page = _text(client.get(reverse("members:application_detail", kwargs={"pk": application.pk})))

    assert not re.search(r"submitted\s+submitted", page, re.IGNORECASE)
    assert "Submitted" in page


@pytest.mark.parametrize("tier", ["associate", "academic", "general", "founding"])
def test_the_application_mails_use_no_wrong_article_before_a_tier(tier):
    # given an application at a tier whose name starts with a vowel or not
    application, _ = _submitted(tier)
    services.application_approve(actor=StaffFactory(), application=application)

    # then no mail about it says "a associate member" or "an general member"
    bodies = " ".join(f"{mail.subject} {mail.body}" for mail in Notification.objects.all()).lower()
    assert not re.search(r"\ba (?=[aeiou])", bodies)
    assert not re.search(r"\ban (?=[^aeiou\W])", bodies)
    assert tier_for(tier).name.lower() in bodies


def test_an_unconfirmed_approval_from_the_queue_with_htmx_goes_to_the_confirmation_page(client):
    application, _ = _submitted()
    client.force_login(StaffFactory())

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}),
        {"decision": "approve", "from": "queue"},
        HTTP_HX_REQUEST="true",
    )

    application.refresh_from_db()
    assert response["HX-Redirect"] == reverse("members:application_approve", kwargs={"pk": application.pk}) + (
        "?from=queue"
    )
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_the_api_approval_carries_a_welcome_note_too():
    application, admin = _submitted()

    response = client_as(StaffFactory()).post(
        f"{API}/applications/{application.pk}/approve/", {"welcome_note": "Welcome aboard."}, format="json"
    )

    assert response.status_code == 200
    assert "Welcome aboard." in Notification.objects.get(recipient=admin, subject__startswith="Welcome").body
