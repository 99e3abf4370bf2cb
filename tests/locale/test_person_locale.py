"""The viewer's language and time zone: the person's saved choice wins over the switcher's cookie and the browser,
on pages and in the API; the zone comes from the person, else the browser's cookie, else the portal's."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from alliance.errors import DomainError
from alliance.locale import ZONE_COOKIE, PersonLocaleMiddleware, person_language_set, person_time_zone_set
from alliance.notifications.writing import notifications_write
from members.services import api_token_create
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

FRENCH_AND_JAPANESE = [("en", "English"), ("fr", "Français"), ("ja", "日本語")]


@pytest.fixture
def languages(settings):
    settings.LANGUAGES = FRENCH_AND_JAPANESE
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.content.decode()).group(1)


def _zone_seen(request) -> str:
    """The zone a view answering ``request`` would show times in."""
    seen: dict[str, str] = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse("")

    PersonLocaleMiddleware(view)(request)
    return seen["zone"]


# --- languages ---------------------------------------------------------------------------------------------------


def test_the_browser_language_is_used_when_nothing_else_is_chosen(client, languages):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert _lang(page) == "fr" and page["Content-Language"] == "fr"


def test_the_switcher_wins_over_the_browser_and_saves_a_signed_in_persons_choice(client, languages):
    # given an anonymous visitor whose browser asks for Japanese
    response = client.post(reverse("language_switch"), {"language": "fr", "next": "/events/"})
    assert response.status_code == 302 and response["Location"] == "/events/"

    # then French pages, whatever the browser says
    assert _lang(client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="ja")) == "fr"

    # and a signed-in person's switch is their saved language
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("language_switch"), {"language": "ja", "next": "/"})
    person.refresh_from_db()
    assert person.language == "ja"


def test_the_saved_language_wins_over_the_cookie_and_the_browser(client, languages, settings):
    person = UserFactory()
    person_language_set(person=person, language="ja")
    client.force_login(person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    page = client.get(reverse("members:profile"), HTTP_ACCEPT_LANGUAGE="fr")

    assert _lang(page) == "ja" and page["Content-Language"] == "ja"


def test_the_switcher_refuses_a_language_not_offered(client, languages):
    response = client.post(reverse("language_switch"), {"language": "xx", "next": "/"})

    assert response.status_code == 400 and "Choose one of the languages offered." in response.content.decode()


def test_the_service_refuses_a_language_not_offered(languages):
    with pytest.raises(DomainError, match="Choose one of the languages offered"):
        person_language_set(person=UserFactory(), language="xx")


def test_the_api_answers_a_token_holder_in_their_language(api_client, languages):
    # given a person who reads Japanese, signed in with a token, asking for what only staff may see
    person = UserFactory()
    person_language_set(person=person, language="ja")
    _, key = api_token_create(actor=person, name="laptop")

    response = api_client.get("/api/v1/stats/", HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="fr")

    # then the refusal (Django REST framework's own catalog) is in Japanese, not the browser's French
    assert response.status_code == 403
    assert response["Content-Language"] == "ja"
    assert response.json()["detail"] != "You do not have permission to perform this action."


def test_one_language_offered_shows_no_switcher(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'action="/language/"' not in page


# --- time zones --------------------------------------------------------------------------------------------------


def test_times_follow_the_persons_zone_over_the_browsers(rf: RequestFactory):
    person = UserFactory(time_zone="Asia/Tokyo", time_zone_follows_browser=False)  # chosen on the profile
    request = rf.get("/")
    request.user = person
    request.COOKIES[ZONE_COOKIE] = "Europe/Berlin"

    assert _zone_seen(request) == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "UTC"  # and only for that request


def test_a_visitor_gets_the_browsers_zone_and_a_bad_cookie_the_portals(rf: RequestFactory):
    request = rf.get("/")
    request.user = AnonymousUser()
    request.COOKIES[ZONE_COOKIE] = "America/New_York"
    assert _zone_seen(request) == "America/New_York"

    request.COOKIES[ZONE_COOKIE] = "Mars/Olympus_Mons"
    assert _zone_seen(request) == "UTC"


def test_a_person_who_chose_no_zone_follows_their_browser_and_their_emails_with_it(client):
    # given a person who never chose a zone, signed in from a browser in Berlin
    person = UserFactory()
    client.force_login(person)
    client.cookies[ZONE_COOKIE] = "Europe/Berlin"

    assert client.get(reverse("members:profile")).status_code == 200
    person.refresh_from_db()
    assert (person.time_zone, person.time_zone_follows_browser) == ("Europe/Berlin", True)  # kept for their emails

    # when they travel: the zone follows the browser they use
    client.cookies[ZONE_COOKIE] = "Asia/Tokyo"
    client.get(reverse("members:profile"))
    person.refresh_from_db()
    assert person.time_zone == "Asia/Tokyo"


def test_a_zone_chosen_on_the_profile_stays_whatever_the_browser_and_the_browser_may_be_chosen_again(client):
    person = UserFactory(name="Ada Lovelace")
    client.force_login(person)
    client.cookies[ZONE_COOKIE] = "Asia/Tokyo"

    # given a zone chosen on the profile
    response = client.post(reverse("members:profile"), {"name": "Ada Lovelace", "time_zone": "America/Chicago"})
    assert response.status_code == 302
    client.get(reverse("members:profile"))  # a page from the browser in Tokyo changes nothing
    person.refresh_from_db()
    assert (person.time_zone, person.time_zone_follows_browser) == ("America/Chicago", False)

    # when they choose "Your browser's time zone" again, it sticks: the next page takes the browser's
    client.post(reverse("members:profile"), {"name": "Ada Lovelace", "time_zone": ""})
    page = client.get(reverse("members:profile")).content.decode()
    person.refresh_from_db()
    assert (person.time_zone, person.time_zone_follows_browser) == ("Asia/Tokyo", True)
    assert '<option value="" selected>Your browser&#x27;s time zone (now Asia/Tokyo)</option>' in page


def test_an_unknown_zone_is_refused_on_the_profile(client):
    person = UserFactory(name="Ada Lovelace")
    person_time_zone_set(person=person, time_zone="America/Chicago")
    client.force_login(person)

    refused = client.post(reverse("members:profile"), {"name": "Ada Lovelace", "time_zone": "Mars/Olympus_Mons"})

    assert refused.status_code == 400
    person.refresh_from_db()
    assert person.time_zone == "America/Chicago"


@pytest.mark.parametrize("cookie", ["Europe%252FBerlin", "Europe%2FBerlin", "../../etc", "x" * 300])
def test_a_strange_zone_cookie_never_breaks_a_page(client, cookie):
    person = UserFactory()
    client.force_login(person)
    client.cookies[ZONE_COOKIE] = cookie

    assert client.get(reverse("members:profile")).status_code == 200
    person.refresh_from_db()
    assert person.time_zone in ("", "Europe/Berlin")


def test_an_alias_chosen_earlier_stays_a_valid_choice_on_the_profile(client):
    person = UserFactory(name="Grace Hopper")
    person_time_zone_set(person=person, time_zone="US/Eastern")
    client.force_login(person)

    page = client.get(reverse("members:profile")).content.decode()
    assert '<option value="US/Eastern" selected>' in page
    assert (
        client.post(reverse("members:profile"), {"name": "Grace Hopper", "time_zone": "US/Eastern"}).status_code == 302
    )


def test_the_service_refuses_an_unknown_zone():
    with pytest.raises(DomainError, match="Choose a time zone from the list"):
        person_time_zone_set(person=UserFactory(), time_zone="Mars/Olympus_Mons")


# --- messages ----------------------------------------------------------------------------------------------------


def test_a_message_shows_dates_in_the_recipients_zone_never_the_senders():
    # given a validation that ends at noon UTC on 1 January: already the 2nd in Kiritimati (UTC+14)
    class Entry:
        expires_at = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

        def __str__(self) -> str:
            return "Evaluation kit"

    far_east, portal_zone = UserFactory(time_zone="Pacific/Kiritimati"), UserFactory()

    # when it is written while the sender's request shows times in New York (the day before, there)
    with timezone.override("America/New_York"):
        rows = notifications_write(
            [(far_east, far_east.email), (portal_zone, portal_zone.email)],
            kind="projects",
            template="projects/notifications/catalog_expiring",
            context={"entry": Entry(), "project": "Kit"},
            url="/",
            transactional=True,
        )

    # then each reads their own date: the person's zone, or the portal's, never the sender's
    assert "expires on 2 January 2027" in rows[0].body
    assert "expires on 1 January 2027" in rows[1].body
