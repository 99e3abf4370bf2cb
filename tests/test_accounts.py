"""allauth's pages wear the portal's layout: header, styles, labelled fields and clear errors."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from alliance.models import AuditEntry
from members.models import User
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

PORTAL_MARKERS = ('<link rel="stylesheet" href="/static/css/portal.css">', 'class="site-header"', 'class="site-footer"')


def sign_in(client, *, reauthenticate: bool = False) -> None:
    """Through allauth's forms; setting up MFA also asks to confirm the password again (reauthentication)."""
    person = UserFactory()
    response = client.post(reverse("account_login"), {"login": person.email, "password": "correct horse battery"})
    assert response.status_code == 302
    if reauthenticate:
        assert_portal_page(client.get(reverse("account_reauthenticate")))
        response = client.post(reverse("account_reauthenticate"), {"password": "correct horse battery"})
        assert response.status_code == 302


def assert_portal_page(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200
    for marker in PORTAL_MARKERS:
        assert marker in page
    return page


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("account_login", "Sign In"),
        ("account_signup", "Sign Up"),
        ("account_reset_password", "Password Reset"),
    ],
)
def test_entrance_pages_use_the_portal_layout_with_labelled_fields(client, url_name, heading):
    page = assert_portal_page(client.get(reverse(url_name)))

    assert re.search(rf"<h1>\s*{heading}\s*</h1>", page)
    assert '<label for="id_email">' in page or '<label for="id_login">' in page
    assert 'class="button' in page


def test_signing_up_needs_a_name(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nameless@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.filter(email="nameless@example.org").exists()


def test_a_person_changes_their_name_on_the_profile_page(client):
    person = UserFactory(name="Old Name")
    client.force_login(person)

    page = client.get(reverse("members:profile")).content.decode()
    response = client.post(reverse("members:profile"), {"name": "  New   Name "})
    refused = client.post(reverse("members:profile"), {"name": "   "})

    assert 'value="Old Name"' in page
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "New Name"
    assert AuditEntry.objects.filter(action="person.renamed", target_id=str(person.pk)).exists()
    assert refused.status_code == 400


def test_signup_errors_are_shown_on_their_fields(client):
    UserFactory(email="taken@example.org")

    response = client.post(
        reverse("account_signup"),
        {"email": "taken@example.org", "password1": "short", "password2": "different"},
    )

    page = response.content.decode()
    assert 'class="error"' in page
    assert "field field-invalid" in page


def test_signing_up_sends_a_confirmation_and_the_confirm_page_looks_like_the_portal(client):
    client.post(
        reverse("account_signup"),
        {
            "name": "Nia Newcomer",
            "email": "new@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert User.objects.get(email="new@example.org").name == "Nia Newcomer"
    confirmation_link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/confirm-email/" in line)

    page = assert_portal_page(client.get(confirmation_link.strip()[confirmation_link.find("/accounts/") :]))
    response = client.post(confirmation_link.strip()[confirmation_link.find("/accounts/") :])

    assert re.search(r"<h1>\s*Confirm Email Address\s*</h1>", page)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified


@pytest.mark.parametrize("url_name", ["mfa_index", "mfa_activate_totp", "account_email", "account_change_password"])
def test_account_pages_use_the_portal_layout_with_the_account_menu(client, url_name):
    sign_in(client, reauthenticate=True)

    page = assert_portal_page(client.get(reverse(url_name)))

    assert 'aria-label="Account"' in page
    assert reverse("members:api_tokens") in page


def test_totp_activation_shows_the_qr_code_and_a_labelled_code_field(client):
    sign_in(client, reauthenticate=True)

    page = assert_portal_page(client.get(reverse("mfa_activate_totp")))

    assert "data:image/svg+xml" in page
    assert '<label for="id_code">' in page


def test_the_portal_pages_show_sign_in_and_sign_up_to_visitors_and_the_account_menu_to_people(client):
    anonymous = client.get(reverse("home")).content.decode()
    client.force_login(UserFactory(name="Grace"))
    signed_in = client.get(reverse("home")).content.decode()

    assert reverse("account_login") in anonymous and reverse("account_signup") in anonymous
    assert '<span class="menu-name">Grace</span>' in signed_in
    assert reverse("mfa_index") in signed_in and reverse("members:api_tokens") in signed_in
    assert reverse("members:review_queue") not in signed_in
