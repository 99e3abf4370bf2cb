"""Turning on two-factor authentication revokes the API tokens made before it (each stood in for a password alone),
audits each revocation and tells the person; adding recovery codes or a second factor later changes nothing."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.signals import authenticator_added
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alliance.models import AuditEntry, Notification
from members import services
from members.models import ApiToken

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password


def key_works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code == 200


def turn_on_totp(client, person) -> None:
    """As the person does it: sign in, confirm the password again, scan the code, type the current one."""
    assert client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD}).status_code == 302
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    counters = list(yield_hotp_counters_from_time())  # the current period, and those the tolerance allows
    counter = counters[len(counters) // 2]
    response = client.post(reverse("mfa_activate_totp"), {"code": format_hotp_value(hotp_value(secret, counter))})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()


def test_turning_on_totp_revokes_the_usable_tokens_audits_each_and_tells_the_person(
    client, django_capture_on_commit_callbacks
):
    # given a person with two usable tokens, one revoked and one expired, and someone else's token
    person = UserFactory(name="Tara Token")
    (ci, ci_key), (laptop, laptop_key) = (
        services.api_token_create(actor=person, name=name) for name in ("CI", "Laptop")
    )
    old, _ = services.api_token_create(actor=person, name="Old")
    services.api_token_revoke(actor=person, token=old)
    expired, _ = services.api_token_create(actor=person, name="Expired", expires_in_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    _, other_key = services.api_token_create(actor=UserFactory(), name="Someone else's")
    assert key_works(ci_key) and key_works(laptop_key)
    revoked_before = old.revoked_at

    # when the person turns on two-factor authentication on allauth's page
    with django_capture_on_commit_callbacks(execute=True):
        turn_on_totp(client, person)

    # then their usable tokens no longer work; the others are untouched
    assert not key_works(ci_key) and not key_works(laptop_key)
    assert key_works(other_key)
    tokens = {token.name: token for token in ApiToken.objects.all()}
    assert tokens["CI"].revoked_at is not None and tokens["Laptop"].revoked_at is not None
    assert tokens["Old"].revoked_at == revoked_before
    assert tokens["Expired"].revoked_at is None
    assert tokens["Someone else's"].revoked_at is None
    # each revocation is audited as the person's
    entries = AuditEntry.objects.filter(action="api_token.revoked", note="Two-factor authentication turned on.")
    assert sorted((entry.target_id, entry.actor_id) for entry in entries) == sorted(
        [(str(ci.pk), person.pk), (str(laptop.pk), person.pk)]
    )
    # and the person is told once, by email and in the inbox, naming the tokens
    [notification] = Notification.objects.filter(recipient=person, kind=Notification.Kind.SECURITY)
    assert "revoked" in notification.subject and "two-factor" in notification.subject
    assert "CI (" in notification.body and "Laptop (" in notification.body and "Old (" not in notification.body
    assert notification.url == reverse("members:api_tokens")
    [email] = [message for message in mail.outbox if message.subject.endswith(notification.subject)]
    assert email.to == [person.email]


def test_a_person_without_tokens_who_turns_on_totp_is_not_notified(client, django_capture_on_commit_callbacks):
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        turn_on_totp(client, person)

    assert not Notification.objects.filter(recipient=person, kind=Notification.Kind.SECURITY).exists()


def test_recovery_codes_or_a_second_factor_added_later_revoke_nothing():
    # given a person whose two-factor authentication is on, and a token made since (from a session that passed it)
    person = UserFactory()
    TOTP.activate(person, "JBSWY3DPEHPK3PXP")
    _, key = services.api_token_create(actor=person, name="Made with MFA on")

    # when allauth adds (or regenerates) recovery codes, and says again that the TOTP was added
    codes = RecoveryCodes.activate(person).instance
    authenticator_added.send(sender=Authenticator, request=None, user=person, authenticator=codes)
    second = Authenticator.objects.create(user=person, type=Authenticator.Type.WEBAUTHN, data={})
    authenticator_added.send(sender=Authenticator, request=None, user=person, authenticator=second)

    # then the token still works, and nobody is told anything
    assert key_works(key)
    assert not Notification.objects.filter(recipient=person).exists()


def test_the_first_factor_added_through_the_signal_revokes_as_the_page_does():
    person = UserFactory()
    _, key = services.api_token_create(actor=person, name="Password only")

    totp = TOTP.activate(person, "JBSWY3DPEHPK3PXP").instance
    authenticator_added.send(sender=Authenticator, request=None, user=person, authenticator=totp)

    assert not key_works(key)
