"""First contact: allauth's mails carry the portal's name and address in its layout, a newcomer lands on what to do
next, a visitor who wants to apply hears why to sign in, and the embedded default's mails can be found."""

import email
import re
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.test import RequestFactory
from django.urls import reverse

from alliance.mail import mail_files
from alliance.portal.banner import banner_text
from alliance.sites import site_domain, site_sync
from members.models import Affiliation
from tests.members.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# The installed allauth apps that send mail (socialaccount is not installed: no social logins).
MAIL_FOLDERS = ["account/email", "mfa/email"]


def _mail_templates() -> list[str]:
    prefixes = []
    for folder in MAIL_FOLDERS:
        for path in sorted((ALLAUTH_TEMPLATES / folder).glob("*_message.txt")):
            if path.name == "base_message.txt":  # the layout the others extend
                continue
            prefixes.append(f"{folder}/{path.name.removesuffix('_message.txt')}")
    return prefixes


def test_every_allauth_mail_template_is_found():
    prefixes = _mail_templates()

    assert "account/email/email_confirmation_signup" in prefixes
    assert "account/email/password_reset_key" in prefixes
    assert "mfa/email/totp_activated" in prefixes
    assert len(prefixes) >= 18


@pytest.mark.parametrize("prefix", _mail_templates())
def test_every_allauth_mail_carries_the_portal_name_and_address_in_the_branded_layout(prefix):
    # given a person and the context allauth gives its mails
    person = UserFactory(name="Nia Newcomer", email="nia@example.org")
    request = RequestFactory().get("/", HTTP_HOST="portal.alliance.example")
    request.user = person
    context = {
        "user": person,
        "email": person.email,
        "activate_url": "https://portal.alliance.example/accounts/confirm-email/abc/",
        "password_reset_url": "https://portal.alliance.example/accounts/password/reset/key/abc/",
        "code": "ABC123",
        "key": "abc",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": datetime(2026, 12, 3, 18, 0, tzinfo=UTC),
        "from_email": "old@example.org",
        "to_email": person.email,
        "deleted_email": "old@example.org",
        "signup_url": "https://portal.alliance.example/accounts/signup/",
        "password_reset_code": "ABC123",
        "provider": "WebAuthn",
    }

    # when allauth renders it through the portal's adapter
    with allauth_context.request_context(request):
        context["current_site"] = Site.objects.get_current(request)
        message = get_adapter(request).render_mail(prefix, person.email, context)

    # then the text and the HTML name the portal and its address, never example.com, in the notifications' layout
    assert isinstance(message, EmailMultiAlternatives)
    html = message.alternatives[0][0]
    text = message.body
    for part in (message.subject, text, html):
        assert "example.com" not in part
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    assert "Hello from" not in text
    assert f"{settings.SITE_NAME} · {settings.SITE_URL}" in text
    assert f'<a href="{settings.SITE_URL}"' in html
    assert f"◆</span> {settings.SITE_NAME}" in html
    assert message.alternatives[0][1] == "text/html"
    assert "{%" not in text and "{{" not in text


def test_the_site_row_follows_site_url_and_site_name(settings):
    # given a deployment that moved to another address
    settings.SITE_URL = "https://portal.alliance.example"

    # when migrate runs (its post_migrate receiver)
    site_sync()

    # then allauth's current_site names the portal at that address
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("portal.alliance.example", settings.SITE_NAME)
    assert site_domain() == "portal.alliance.example"


def test_the_test_database_site_is_not_example_com():
    assert Site.objects.get_current().domain != "example.com"
    assert Site.objects.get_current().name == settings.SITE_NAME


def _sign_up(client, *, next_url: str = "") -> str:
    url = reverse("account_signup") + (f"?next={next_url}" if next_url else "")
    data = {
        "name": "Nia Newcomer",
        "email": "nia@example.org",
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
    }
    if next_url:
        data["next"] = next_url
    client.post(url, data)
    line = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/confirm-email/" in line)
    return line[line.index("/accounts/") :].strip()


def test_the_sign_up_confirmation_mail_is_branded_and_says_what_it_is(client):
    _sign_up(client)

    message = mail.outbox[0]
    assert "example.com" not in message.body
    assert f"create an account on {settings.SITE_NAME}" in message.body
    assert message.alternatives and "◆" in message.alternatives[0][0]


def test_after_confirming_a_newcomer_lands_on_what_to_do_next(client):
    # given a newcomer who signed up and opened the confirmation link
    confirm_path = _sign_up(client)

    # when they confirm
    response = client.post(confirm_path, follow=True)

    # then they are signed in on the welcome page, with the next steps
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("welcome")
    assert "Welcome, Nia Newcomer" in page
    assert reverse("members:organization_register") in page
    assert reverse("members:directory") in page
    assert reverse("projects:project_list") in page
    assert reverse("events:event_list") in page


def test_confirming_in_another_browser_signs_in_first_then_welcomes(client):
    confirm_path = _sign_up(client)
    client.logout()

    response = client.post(confirm_path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fwelcome%2F"


def test_a_newcomer_who_came_to_apply_goes_on_to_register_the_organization(client):
    confirm_path = _sign_up(client, next_url=reverse("members:organization_register"))

    response = client.post(confirm_path)

    assert response["Location"] == reverse("members:organization_register")


def test_the_welcome_page_lists_a_person_s_organizations(client):
    person = UserFactory()
    organization = OrganizationFactory(name="Aurora Labs")
    Affiliation.objects.create(person=person, organization=organization, role=Affiliation.Role.ADMIN)
    client.force_login(person)

    page = client.get(reverse("welcome")).content.decode()

    assert "Aurora Labs" in page
    assert reverse("members:my_organization", args=[organization.slug]) in page
    assert "Register my organization" not in page


def test_the_welcome_page_needs_a_signed_in_person(client):
    response = client.get(reverse("welcome"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_apply_for_membership_tells_a_visitor_why_to_sign_in_and_what_happens_after(client):
    # given a visitor on the home page
    home = client.get(reverse("home")).content.decode()
    assert reverse("members:organization_register") in home

    # when they follow "Apply for membership"
    response = client.get(reverse("members:organization_register"))

    # then the page says why, what comes next, and signs them in or up back to the same place
    page = response.content.decode()
    assert response.status_code == 200
    assert "sign in first" in page
    assert "What happens next" in page
    assert "secretariat reviews" in page
    assert f"{reverse('account_login')}?next=%2Forganizations%2Fregister%2F" in page
    assert f"{reverse('account_signup')}?next=%2Forganizations%2Fregister%2F" in page


def test_a_visitor_posting_the_registration_form_is_sent_to_sign_in(client):
    response = client.post(reverse("members:organization_register"), {"name": "Acme"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- demo mail ------------------------------------------------------------------------------------------------------


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    return tmp_path


def test_each_demo_mail_is_a_file_named_by_time_and_recipient(mail_folder):
    connection = get_connection("alliance.mail.NamedFileEmailBackend", file_path=str(mail_folder))

    sent = connection.send_messages(
        [
            EmailMessage("First", "one", to=["ada@example.org"]),
            EmailMessage("Second", "two", to=["ada@example.org"]),
            EmailMessage("Third", "three", to=["Grace <grace@example.org>"]),
        ]
    )

    names = sorted(path.name for path in mail_folder.iterdir())
    assert sent == 3
    assert len(names) == 3
    assert all(re.fullmatch(r"\d{8}-\d{6}-[\w.@+-]+-\d+\.eml", name) for name in names)
    assert sum("ada@example.org" in name for name in names) == 2
    assert sum("grace@example.org" in name for name in names) == 1
    parsed = email.message_from_bytes((mail_folder / names[-1]).read_bytes(), policy=policy.default)
    assert parsed["Subject"] in {"First", "Second", "Third"}


def test_the_dev_mail_page_lists_the_mails_and_shows_one(client, settings, mail_folder):
    # given the local settings' page and two mails written
    settings.DEV_MAIL_PAGE = True
    connection = get_connection("alliance.mail.NamedFileEmailBackend", file_path=str(mail_folder))
    connection.send_messages([EmailMessage("Please confirm", "Open https://x.example/c/", to=["nia@example.org"])])

    # when a person opens /dev/mail/ and the mail
    listing = client.get("/dev/mail/").content.decode()
    name = mail_files()[0].name
    message = client.get(reverse("dev_mail_message", args=[name]))

    # then it lists the mail and shows its text with the link clickable
    assert "nia@example.org" in listing and "Please confirm" in listing
    assert message.status_code == 200
    assert '<a href="https://x.example/c/"' in message.content.decode()


def test_the_dev_mail_page_does_not_exist_outside_the_local_settings(client, settings, mail_folder):
    settings.DEV_MAIL_PAGE = False
    get_connection("alliance.mail.NamedFileEmailBackend", file_path=str(mail_folder)).send_messages(
        [EmailMessage("Secret", "x", to=["nia@example.org"])]
    )

    assert client.get("/dev/mail/").status_code == 404
    assert client.get(reverse("dev_mail_message", args=[mail_files()[0].name])).status_code == 404


def test_the_dev_mail_page_reads_no_file_outside_its_folder(client, settings, mail_folder):
    settings.DEV_MAIL_PAGE = True
    (mail_folder.parent / "outside.eml").write_text("Subject: x\n\nsecret")

    assert client.get("/dev/mail/..%2Foutside.eml/").status_code == 404
    assert client.get(reverse("dev_mail_message", args=["missing.eml"])).status_code == 404


def test_the_local_settings_name_mail_files_and_offer_the_page():
    local = (Path(settings.BASE_DIR) / "alliance" / "settings" / "local.py").read_text()

    assert 'EMAIL_BACKEND = "alliance.mail.NamedFileEmailBackend"' in local
    assert "DEV_MAIL_PAGE = True" in local


def test_the_run_banner_names_the_url_the_mail_page_and_the_logins():
    text = banner_text("http://127.0.0.1:8000")

    assert "http://127.0.0.1:8000/" in text
    assert "http://127.0.0.1:8000/dev/mail/" in text
    assert "staff@alliance.example" in text and "admin@aurora-labs.example" in text
    assert "alliance-demo" in text


def test_make_run_installs_only_what_serving_needs_and_quietly():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    run_stamp_recipe = makefile.split("$(RUN_STAMP): pyproject.toml")[1].split("\n\n")[0]
    run_recipe = makefile.split("\nrun: ")[1].split("\n\n")[0]

    assert run_recipe.startswith("$(RUN_STAMP)")
    assert "[dev]" not in run_stamp_recipe
    assert "--quiet --quiet" in makefile
    assert "\ntest: $(STAMP)" in makefile


def _flash_messages(page: str) -> list[str]:
    block = re.search(r'<ul class="messages"[^>]*>(.*?)</ul>', page, re.S)
    return (
        [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li[^>]*>(.*?)</li>", block[1], re.S)]
        if block
        else []
    )


def test_after_confirming_the_welcome_page_says_it_once(client):
    # given a newcomer who signed up (and saw the page saying the mail was sent)
    confirm_path = _sign_up(client)
    client.get(reverse("account_email_verification_sent"))

    # when they confirm, which signs them in too
    response = client.post(confirm_path, follow=True)

    # then the welcome page carries one message, that the address is confirmed, not a second "signed in as"
    assert _flash_messages(response.content.decode()) == ["You have confirmed nia@example.org."]


def test_signing_in_still_says_so(client):
    # given a person with a confirmed address
    confirm_path = _sign_up(client)
    client.post(confirm_path)
    client.get(reverse("welcome"))
    client.logout()

    # when they sign in, then the page says so, as before
    response = client.post(
        reverse("account_login"), {"login": "nia@example.org", "password": "a long enough passphrase"}, follow=True
    )
    assert any("Successfully signed in" in message for message in _flash_messages(response.content.decode()))
