"""Personal API tokens: issued for a verified account, stored hashed, shown once, revocable, expiring."""

import hashlib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone
from rest_framework.test import APIClient

from alliance.settings import base as base_settings
from members import services
from members.models import ApiToken

from .factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
INVALID = "Unable to sign in with this email address and password."
PASSWORD = "correct horse battery"  # the factories' password


def authorized(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- issuing a token with email and password -------------------------------------------------------------------------


def test_token_is_issued_once_and_stored_only_as_a_hash(person):
    # when
    response = APIClient().post(TOKEN_URL, {"email": person.email, "password": PASSWORD, "name": "CI"})

    # then
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert set(body) == {"id", "name", "prefix", "key", "expires_at"}
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == person
    assert token.name == "CI"
    assert key.startswith(token.prefix)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert key not in {token.name, token.prefix, token.key_hash}
    # and the key works
    me = authorized(key).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == person.email


def test_email_is_matched_without_regard_to_case(person):
    response = APIClient().post(TOKEN_URL, {"email": person.email.upper(), "password": PASSWORD})

    assert response.status_code == 201


def test_token_with_expiry(person):
    response = APIClient().post(TOKEN_URL, {"email": person.email, "password": PASSWORD, "expires_in_days": 7})

    token = ApiToken.objects.get(pk=response.json()["id"])
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)


def _refused(email: str, password: str):
    response = APIClient().post(TOKEN_URL, {"email": email, "password": password})
    assert response.status_code == 400
    return response.json()


def test_wrong_password_and_unknown_email_get_the_same_answer(person):
    wrong_password = _refused(person.email, "not the password")
    unknown_email = _refused("nobody@example.org", PASSWORD)

    assert wrong_password == unknown_email
    assert wrong_password["detail"] == INVALID
    assert not ApiToken.objects.exists()


def test_unverified_account_gets_no_token():
    # given an account whose address was never confirmed
    user = UserFactory(verified=False)
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()

    # then
    assert _refused(user.email, PASSWORD)["detail"] == INVALID
    assert not ApiToken.objects.exists()


def test_account_verified_for_another_address_only_gets_no_token():
    user = UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email="old@example.net", verified=True, primary=False)

    assert _refused(user.email, PASSWORD)["detail"] == INVALID


def test_inactive_account_gets_no_token():
    user = UserFactory(is_active=False)

    assert _refused(user.email, PASSWORD)["detail"] == INVALID
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named(person):
    response = APIClient().post(TOKEN_URL, {"email": person.email})

    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_token_requests_are_throttled(person):
    # given ten attempts in the minute (the "token" rate)
    client = APIClient()
    for _ in range(10):
        assert client.post(TOKEN_URL, {"email": person.email, "password": "wrong"}).status_code == 400

    # when
    response = client.post(TOKEN_URL, {"email": person.email, "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()
    assert not ApiToken.objects.exists()


def test_a_person_with_two_factor_authentication_gets_no_token_with_a_password_alone(person):
    # given a person who turned on TOTP
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})

    # when the password alone is exchanged for a token
    response = APIClient().post(TOKEN_URL, {"email": person.email, "password": PASSWORD})

    # then it is refused, and they are told where to create one
    assert response.status_code == 400
    assert "two-factor" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_failed_token_requests_for_one_account_are_limited_whatever_the_address_they_come_from(person, settings):
    # given allauth's limits as in production (the test settings turn them off for the rest of the suite)
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
    # and five wrong passwords for one account, each from another address (so no per-address limit applies)
    client = APIClient()
    for attempt in range(5):
        response = client.post(
            TOKEN_URL, {"email": person.email, "password": "wrong"}, REMOTE_ADDR=f"203.0.113.{attempt + 1}"
        )
        assert response.status_code == 400

    # when the right password comes from yet another address
    response = client.post(TOKEN_URL, {"email": person.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.99")

    # then the account is locked for a while, as allauth's sign-in page does (login_failed: 5/5m/key)
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


# --- using tokens ----------------------------------------------------------------------------------------------------


def test_revoked_token_is_refused(person):
    token, key = services.api_token_create(actor=person, name="laptop")
    services.api_token_revoke(actor=person, token=token)

    response = authorized(key).get("/api/v1/me/")

    assert response.status_code == 401
    assert "expired or been revoked" in response.json()["detail"]


def test_expired_token_is_refused(person):
    token, key = services.api_token_create(actor=person, name="laptop", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = authorized(key).get("/api/v1/me/")

    assert response.status_code == 401


def test_unknown_token_is_refused():
    response = authorized("ap_not-a-real-key").get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_of_a_deactivated_person_is_refused(person):
    _, key = services.api_token_create(actor=person, name="laptop")
    type(person).objects.filter(pk=person.pk).update(is_active=False)

    assert authorized(key).get("/api/v1/me/").status_code == 401


def test_malformed_authorization_header_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two parts")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert "Authorization: Token <key>" in response.json()["detail"]


# --- managing one's own tokens ---------------------------------------------------------------------------------------


def test_created_token_is_shown_once_and_never_listed(person):
    # given
    client = APIClient()
    client.force_authenticate(person)

    # when
    created = client.post("/api/v1/tokens/", {"name": "deploy bot", "expires_in_days": 30})
    listed = client.get("/api/v1/tokens/")

    # then
    assert created.status_code == 201
    key = created.json()["key"]
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [row["name"] for row in rows] == ["deploy bot"]
    assert "key" not in rows[0]
    assert rows[0]["prefix"] == key[:10]
    assert rows[0]["usable"] is True
    assert key not in listed.content.decode()


def test_token_list_shows_only_ones_own_usable_tokens(person, other_admin):
    services.api_token_create(actor=other_admin, name="theirs")
    mine, _ = services.api_token_create(actor=person, name="mine")
    revoked, _ = services.api_token_create(actor=person, name="old")
    services.api_token_revoke(actor=person, token=revoked)
    client = APIClient()
    client.force_authenticate(person)

    response = client.get("/api/v1/tokens/")

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_token_revoked_through_the_api_stops_working(person):
    # given a token used for its own revocation
    token, key = services.api_token_create(actor=person, name="laptop")
    client = authorized(key)

    # when
    response = client.delete(f"/api/v1/tokens/{token.pk}/")

    # then
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me/").status_code == 401


def test_another_persons_token_is_not_found(person, other_admin):
    theirs, their_key = services.api_token_create(actor=other_admin, name="theirs")
    client = APIClient()
    client.force_authenticate(person)

    response = client.delete(f"/api/v1/tokens/{theirs.pk}/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert authorized(their_key).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "  "}, "name"), ({}, "name"), ({"name": "ok", "expires_in_days": 0}, "expires_in_days")],
)
def test_token_needs_a_name_and_a_sensible_expiry(person, body, field):
    client = APIClient()
    client.force_authenticate(person)

    response = client.post("/api/v1/tokens/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_anonymous_cannot_create_tokens():
    response = APIClient().post("/api/v1/tokens/", {"name": "x"})

    assert response.status_code == 401
    assert not ApiToken.objects.exists()
