"""Query filters of the members API's lists."""

import django_filters
from django_countries import countries

from members.models import Organization


class OrganizationFilter(django_filters.FilterSet):
    """The directory's filters: ``?kind=university&country=DE&tier=general&status=active``."""

    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices)
    country = django_filters.ChoiceFilter(
        choices=lambda: list(countries), help_text="Two-letter country code, such as DE."
    )
    tier = django_filters.ChoiceFilter(choices=Organization.Tier.choices)
    status = django_filters.ChoiceFilter(choices=Organization.Status.choices)

    class Meta:
        model = Organization
        fields = ["kind", "country", "tier", "status"]
