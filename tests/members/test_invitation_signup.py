"""Signing up from an invitation: the invited address is filled in, and the invitation link that reached it counts
as its confirmation; any other address is confirmed the usual way, by mail."""

import hashlib
from datetime import timedelta
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Affiliation, Invitation

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def invitation_with_token(organization, invited_by, *, email="Colleague@Example.org", **fields):
    token = f"token-{email}-{fields.get('status', 'pending')}"
    invitation = Invitation.objects.create(
        organization=organization,
        email=email.lower(),
        role=Affiliation.Role.MEMBER,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        invited_by=invited_by,
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(days=14)),
        **fields,
    )
    return invitation, token


def sign_up(client, email: str, *, next_url: str = ""):
    url = reverse("account_signup") + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(url, {"name": "Ines Invited", "email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_the_invitation_page_sends_newcomers_to_a_sign_up_filled_with_the_invited_address(
    client, organization, org_admin
):
    # given an invitation, opened by someone not signed in
    _, token = invitation_with_token(organization, org_admin)
    invitation_url = reverse("members:invitation_accept", kwargs={"token": token})
    page = client.get(invitation_url).content.decode()

    # when they follow its "Create an account" link
    href = next(
        part.split('"', 1)[0]
        for part in page.split('href="')[1:]
        if part.startswith(f"{reverse('account_signup')}?next=")  # the page's own link, not the header's
    )
    signup_page = client.get(href.replace("&amp;", "&")).content.decode()

    # then the sign-up form holds the invited address, and brings them back to the invitation afterwards
    assert '<input type="email" name="email" value="colleague@example.org"' in signup_page
    assert f'value="{invitation_url}"' in signup_page


def test_signing_up_with_the_invited_address_after_the_invitation_link_needs_no_confirmation_mail(
    client, organization, org_admin
):
    # given the invitation link opened in this browser
    _, token = invitation_with_token(organization, org_admin)
    invitation_url = reverse("members:invitation_accept", kwargs={"token": token})
    client.get(invitation_url)

    # when the person signs up with the invited address (in another case)
    response = sign_up(client, "COLLEAGUE@example.org", next_url=invitation_url)

    # then that address is verified, no confirmation mail goes out, and they are back at the invitation, signed in
    person = get_user_model().objects.get(email__iexact="colleague@example.org")
    assert EmailAddress.objects.get(user=person).verified is True
    assert not [message for message in mail.outbox if "confirm" in message.subject.lower()]
    assert response.status_code == 302
    assert response["Location"] == invitation_url
    assert "Accept and join" in client.get(invitation_url).content.decode()


def test_a_different_address_typed_at_sign_up_is_not_verified(client, organization, org_admin):
    # given the invitation link opened in this browser
    _, token = invitation_with_token(organization, org_admin)
    client.get(reverse("members:invitation_accept", kwargs={"token": token}))

    # when the person signs up with another address
    sign_up(client, "someone.else@example.org")

    # then only that address is on the account, unverified, and a confirmation mail goes to it
    person = get_user_model().objects.get(email="someone.else@example.org")
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified")) == [
        ("someone.else@example.org", False)
    ]
    assert not EmailAddress.objects.filter(email__iexact="colleague@example.org").exists()
    assert any("someone.else@example.org" in message.to for message in mail.outbox)


def test_the_invited_address_is_not_verified_without_having_opened_the_invitation(client, organization, org_admin):
    invitation_with_token(organization, org_admin)

    sign_up(client, "colleague@example.org")

    assert EmailAddress.objects.get(email="colleague@example.org").verified is False


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_an_invitation_that_is_no_longer_pending_vouches_for_nothing(client, organization, org_admin, state):
    # given an invitation opened while it was pending, then revoked (or expired) before the sign-up
    invitation, token = invitation_with_token(organization, org_admin)
    client.get(reverse("members:invitation_accept", kwargs={"token": token}))
    if state == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.REVOKED)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    # when the person signs up with the invited address
    sign_up(client, "colleague@example.org")

    # then the address still needs its confirmation mail
    assert EmailAddress.objects.get(email="colleague@example.org").verified is False


def test_accepting_the_invitation_verifies_the_invited_address_of_the_account_and_no_other(organization, org_admin):
    # given a person whose invited address and another one are both unconfirmed
    invitation, token = invitation_with_token(organization, org_admin)
    person = UserFactory(email="colleague@example.org")
    EmailAddress.objects.update_or_create(
        user=person, email="colleague@example.org", defaults={"primary": True, "verified": False}
    )
    EmailAddress.objects.create(user=person, email="second@example.org", primary=False, verified=False)

    # when they accept the invitation mailed to the invited address
    services.invitation_accept(actor=person, token=token)

    # then the invited address counts as verified, the other one does not
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert dict(EmailAddress.objects.filter(user=person).values_list("email", "verified")) == {
        "colleague@example.org": True,
        "second@example.org": False,
    }
