"""Behind one trusted proxy (Caddy in docker-compose.yml), every request comes from the proxy's address and the
client's is the last entry of X-Forwarded-For. TRUSTED_PROXY_COUNT sets both allauth's and DRF's reading of it:
one client's failures lock out that client only, and a forged X-Forwarded-For gets no fresh throttle."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from alliance.settings.base import ACCOUNT_RATE_LIMITS
from members.models import ApiToken
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the proxy's address: REMOTE_ADDR of every request
CLIENT_A = "198.51.100.7"
CLIENT_B = "198.51.100.8"
PASSWORD = "correct horse battery"
REFUSED = "Too many failed login attempts"
TOKEN_URL = "/api/v1/auth/token/"


def _proxies(count: int):
    """What TRUSTED_PROXY_COUNT=count makes of the settings (alliance/settings/base.py)."""
    return override_settings(
        ALLAUTH_TRUSTED_PROXY_COUNT=count,
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": count},
        ACCOUNT_RATE_LIMITS=ACCOUNT_RATE_LIMITS,  # as in production (the test settings turn them off)
    )


def _login(email: str, password: str, *, client_address: str, forwarded: str = ""):
    """A sign-in through the proxy, which appends the address it saw to what the client sent."""
    chain = f"{forwarded}, {client_address}" if forwarded else client_address
    return Client().post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain
    )


def _ten_failures_from(client_address: str) -> None:
    for attempt in range(10):  # ten accounts, so that no per-account limit (5 in 5 minutes) applies
        page = _login(f"nobody{attempt}@example.org", "wrong password", client_address=client_address)
        assert page.status_code == 200 and REFUSED not in page.content.decode()


def test_with_one_trusted_proxy_ten_failures_from_one_client_do_not_lock_out_a_second_client():
    # given one trusted proxy, a person, and ten failed sign-ins from client A in the minute
    person = UserFactory()
    with _proxies(1):
        _ten_failures_from(CLIENT_A)

        # when A tries again, and B (another client behind the same proxy) signs in
        again = _login("nobody-else@example.org", "wrong password", client_address=CLIENT_A)
        other = _login(person.email, PASSWORD, client_address=CLIENT_B)

    # then A is limited (10 failures a minute per address), B is signed in
    assert REFUSED in again.content.decode()
    assert other.status_code == 302 and other["Location"] == "/"


def test_client_a_cannot_escape_its_limit_by_forging_x_forwarded_for():
    with _proxies(1):
        _ten_failures_from(CLIENT_A)

        # when A sends an X-Forwarded-For of its own: the proxy appends A's real address after it
        forged = _login("nobody-else@example.org", "wrong password", client_address=CLIENT_A, forwarded=CLIENT_B)

    assert REFUSED in forged.content.decode()


def test_without_trusting_the_proxy_everyone_behind_it_shares_one_address_and_one_limit():
    """Why TRUSTED_PROXY_COUNT must be set behind a proxy: the lockout the issue describes."""
    person = UserFactory()
    with _proxies(0):
        _ten_failures_from(CLIENT_A)
        other = _login(person.email, PASSWORD, client_address=CLIENT_B)

    assert REFUSED in other.content.decode()


def _token_request(attempt: object, *, forwarded: str, remote: str = PROXY):
    """A wrong password for another account each time (so allauth's per-account limit does not answer first)."""
    return APIClient().post(
        TOKEN_URL,
        {"email": f"someone{attempt}@example.org", "password": "wrong password", "name": "ci"},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_with_one_trusted_proxy_a_forged_x_forwarded_for_does_not_bypass_the_token_throttle():
    # given one trusted proxy; client A sends ten token requests (the "token" rate), each forging another
    # address in front of the one the proxy appends
    with _proxies(1):
        answers = [_token_request(n, forwarded=f"203.0.113.{n}, {CLIENT_A}").status_code for n in range(10)]

        # when A tries again with yet another forged address, and B asks once
        eleventh = _token_request("a", forwarded=f"203.0.113.99, {CLIENT_A}")
        other = _token_request("b", forwarded=CLIENT_B)

    # then A is throttled whatever it forged; B, another client behind the same proxy, is not
    assert answers == [400] * 10
    assert eleventh.status_code == 429
    assert other.status_code == 400  # a wrong password, answered: not throttled
    assert not ApiToken.objects.exists()


def test_with_no_proxy_the_token_throttle_ignores_x_forwarded_for_entirely():
    # given no proxy (TRUSTED_PROXY_COUNT=0): the client connects itself and may write any header
    with _proxies(0):
        answers = [_token_request(n, forwarded=f"203.0.113.{n}", remote=CLIENT_A).status_code for n in range(11)]

    assert answers == [400] * 10 + [429]
