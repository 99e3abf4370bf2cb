"""Query filters of the members API's lists, in the one style: a serializer parses the query, a selector filters.

Each view passes ``alliance.api.filters.query_values(request, <serializer>)`` to the selector the pages use too,
and documents the serializer with ``extend_schema(parameters=[...])``. An unknown value of an enum (``?kind=x``)
answers 400 with the allowed values; an empty one means no filter.
"""

from django_countries import countries
from rest_framework import serializers

from members import selectors
from members.models import JoinRequest, MembershipApplication, Organization

from .serializers import KIND_ERRORS


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, **kwargs)


class OrganizationFilterSerializer(serializers.Serializer):
    """The directory's filters: ``?search=speech&kind=university&country=DE&tier=general&status=active``."""

    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Words that must each appear in the name or the description."
    )
    kind = _choice(Organization.Kind.choices, error_messages=KIND_ERRORS)
    country = _choice([], help_text="Two-letter country code, such as DE.")
    tier = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="The code of a membership tier (see /tiers/)."
    )
    status = _choice(Organization.Status.choices, help_text="Others than active show only to their people and staff.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = list(countries)

    def validate_tier(self, code: str) -> str:
        """One of the tiers staff manage, read only when the query names one: a tier added today filters today."""
        if code and selectors.tier_by_code(code) is None:
            codes = ", ".join(code for code, _ in selectors.tier_choices())
            raise serializers.ValidationError(f"Choose one of the membership tiers: {codes}.")
        return code


class ApplicationFilterSerializer(serializers.Serializer):
    status = _choice(MembershipApplication.Status.choices)


class JoinRequestFilterSerializer(serializers.Serializer):
    status = _choice(JoinRequest.Status.choices)
