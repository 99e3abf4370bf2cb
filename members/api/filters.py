"""Query filters of the members API's lists, in the one style: a serializer parses the query, a selector filters.

Each view passes ``alliance.api.filters.query_values(request, <serializer>)`` to the selector the pages use too,
and documents the serializer with ``extend_schema(parameters=[...])``. An unknown value of an enum (``?kind=x``)
answers 400 with the allowed values; an empty one means no filter.
"""

from django_countries import countries
from rest_framework import serializers

from members.models import JoinRequest, MembershipApplication, Organization

from .serializers import KIND_ERRORS, TIER_ERRORS


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, **kwargs)


class OrganizationFilterSerializer(serializers.Serializer):
    """The directory's filters: ``?search=speech&kind=university&country=DE&tier=general&status=active``."""

    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Words that must each appear in the name or the description."
    )
    kind = _choice(Organization.Kind.choices, error_messages=KIND_ERRORS)
    country = _choice([], help_text="Two-letter country code, such as DE.")
    tier = _choice(Organization.Tier.choices, error_messages=TIER_ERRORS)
    status = _choice(Organization.Status.choices, help_text="Others than active show only to their people and staff.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = list(countries)


class ApplicationFilterSerializer(serializers.Serializer):
    status = _choice(MembershipApplication.Status.choices)


class JoinRequestFilterSerializer(serializers.Serializer):
    status = _choice(JoinRequest.Status.choices)
