"""Consent: being listed by name is asked at sign-up and changed on the profile (recorded with its time, audited);
organization pages and committee lists name only who agreed; the digest needs a yes recorded with its time; the
privacy notice says what is kept, why and for how long, with the retention settings' own values."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alliance.models import AuditEntry, NotificationPreference
from alliance.notifications import notification_preference_set
from alliance.portal.digest import digests_send
from members.models import NO_PUBLIC_NAME, User
from tests.events.factories import EventFactory
from tests.governance.factories import CommitteeMemberFactory
from tests.members.factories import AffiliationFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "new.person@example.org", "password1": "a long enough passphrase", "name": "Noor Haddad"}


@pytest.mark.parametrize("listed, digests", [(True, True), (False, False)])
def test_sign_up_asks_both_and_records_each_yes_with_its_time(client, listed, digests):
    page = client.get(reverse("account_signup")).content.decode()
    assert "List me by name" in page and "weekly digest" in page

    form = {**SIGNUP, "password2": SIGNUP["password1"]}
    if listed:
        form["listed_by_name"] = "on"
    if digests:
        form["digests"] = "on"
    client.post(reverse("account_signup"), form)

    person = User.objects.get(email=SIGNUP["email"])
    assert person.listed_by_name is listed
    assert (person.listed_by_name_changed_at is not None) is listed
    preference = NotificationPreference.objects.filter(person=person, kind="digests").first()
    assert (preference is not None and preference.consented_at is not None) is digests


def test_the_profile_changes_the_listing_consent_recorded_and_audited(client):
    person = UserFactory(listed_by_name=False)
    client.force_login(person)

    client.post(reverse("members:profile"), {"name": person.name, "listed_by_name": "on"})
    person.refresh_from_db()
    given_at = person.listed_by_name_changed_at
    client.post(reverse("members:profile"), {"name": person.name})
    person.refresh_from_db()

    assert person.listed_by_name is False and person.listed_by_name_changed_at > given_at
    actions = list(AuditEntry.objects.filter(target_id=str(person.pk)).values_list("action", flat=True))
    assert {"person.listing_consent_given", "person.listing_consent_withdrawn"} <= set(actions)


def test_organization_pages_and_committee_lists_name_only_who_agreed(client, api_client):
    organization = OrganizationFactory()
    agreed, declined = UserFactory(name="Ada Agreed"), UserFactory(name="Dan Declined", listed_by_name=False)
    for person in (agreed, declined):
        AffiliationFactory(person=person, organization=organization)
    seat = CommitteeMemberFactory(person=declined)
    CommitteeMemberFactory(person=agreed, committee=seat.committee)

    organization_page = client.get(organization.get_absolute_url()).content.decode()
    committee_page = client.get(reverse("governance:committee_detail", args=[seat.committee.slug])).content.decode()
    people = api_client.get(f"/api/v1/organizations/{organization.slug}/members/").json()["results"]
    committee = api_client.get(f"/api/v1/committees/{seat.committee.slug}/").json()

    for text in (organization_page, committee_page):
        assert "Ada Agreed" in text and "Dan Declined" not in text and NO_PUBLIC_NAME in text
    assert sorted(row["name"] for row in people) == ["Ada Agreed", NO_PUBLIC_NAME]
    assert "Dan Declined" not in str(committee)


def test_the_digest_goes_only_with_a_recorded_yes(django_capture_on_commit_callbacks):
    asked, unrecorded = UserFactory(), UserFactory()
    EventFactory(starts_at=timezone.now() + timedelta(days=3))  # news for the digest
    notification_preference_set(person=asked, kind="digests", email_enabled=True)
    NotificationPreference.objects.create(person=unrecorded, kind="digests", email_enabled=True)  # no time: no yes

    with django_capture_on_commit_callbacks(execute=True):
        digests_send()

    recipients = [address for message in mail.outbox for address in message.to]
    assert recipients == [asked.email]
    consent = NotificationPreference.objects.get(person=asked, kind="digests")
    assert consent.consented_at is not None

    # a "no" withdraws it; a yes again is a new consent
    notification_preference_set(person=asked, kind="digests", email_enabled=False)
    assert NotificationPreference.objects.get(person=asked, kind="digests").consented_at is None


@override_settings(
    RETENTION_EVENT_DAYS=400,
    RETENTION_NOTIFICATION_DAYS=90,
    RETENTION_WEBHOOK_DAYS=14,
    RETENTION_UNVERIFIED_ACCOUNT_DAYS=21,
)
def test_the_privacy_notice_says_what_is_kept_why_and_for_how_long(client):
    page = client.get(reverse("privacy_notice"))

    text = page.content.decode()
    assert page.status_code == 200
    for days in ("400 days", "90 days", "14 days", "21 days"):
        assert days in text
    assert "What is kept, and why" in text
    assert reverse("privacy_notice") in client.get(reverse("home")).content.decode()
