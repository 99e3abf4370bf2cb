"""Security of the members pages: what strangers and colleagues learn about the people of an organization.

People sign up with an email address and a password only, so many have no name: the pages must then name them
without revealing their address to anyone who does not manage their organization.
"""

import pytest
from django.urls import reverse

from .factories import AdminAffiliationFactory, AffiliationFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- email addresses on pages ----------------------------------------------------------------------------------------


def test_the_public_organization_page_shows_no_address_of_a_listed_person_without_a_name(client, organization):
    # given a person who chose to be listed but never gave a name
    listed = AffiliationFactory(organization=organization, person=UserFactory(name=""), listed=True).person

    # when a visitor reads the organization's page
    response = client.get(reverse("members:organization_detail", kwargs={"slug": organization.slug}))

    # then the person is there, their address is not
    assert response.status_code == 200
    page = response.content.decode()
    assert listed.email not in page
    assert "Name not given" in page


def test_a_member_does_not_see_the_addresses_of_colleagues_only_admins_do(client, organization, org_member):
    # given a colleague who is not listed publicly, with and without a name
    unnamed = AffiliationFactory(organization=organization, person=UserFactory(name="")).person
    named = AffiliationFactory(organization=organization).person
    admin = AdminAffiliationFactory(organization=organization).person
    url = reverse("members:my_organization", kwargs={"slug": organization.slug})

    # when a plain member opens the organization's own page
    client.force_login(org_member)
    page = client.get(url).content.decode()

    # then the colleagues are listed by name, without their addresses (as in the API)
    assert named.name in page
    assert named.email not in page
    assert unnamed.email not in page
    # and an admin still sees the addresses of the people they manage
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert named.email in page and unnamed.email in page
