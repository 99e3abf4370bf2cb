"""The Django admin's organization list filters by the countries in use, not by every country there is."""

import pytest
from django.urls import reverse

from tests.members.factories import OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_country_filter_lists_only_the_countries_in_use(client):
    OrganizationFactory(country="DE")
    OrganizationFactory(country="KE")
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)

    response = client.get(reverse("admin:members_organization_changelist"))
    page = response.content.decode()
    country_filter = page.split('data-filter-title="country"', 1)[1].split("</details>", 1)[0]

    assert response.status_code == 200
    assert "Germany" in country_filter and "Kenya" in country_filter
    assert "France" not in country_filter and "Zimbabwe" not in country_filter
    assert country_filter.count("<li") == 3  # All, Germany, Kenya


def test_filtering_by_a_country_in_use_keeps_its_organizations(client):
    OrganizationFactory(country="DE", name="Berlin AI")
    OrganizationFactory(country="KE", name="Nairobi AI")
    client.force_login(StaffFactory(is_superuser=True))

    page = client.get(reverse("admin:members_organization_changelist"), {"country": "KE"}).content.decode()

    assert "Nairobi AI" in page and "Berlin AI" not in page
