"""Query filters of the events API's lists: serializers that parse the query (``alliance.api.filters.query_values``);
the lists hand the values to the selectors the pages use, where each filter's rule is written once."""

from rest_framework import serializers

from events import selectors
from events.models import Event, Registration

CHOICE_ERRORS = {"invalid_choice": '"{input}" is not one of the choices.'}


class EventListQuery(serializers.Serializer):
    """``?kind=workshop&format=virtual&status=published&visibility=members&project=<slug>&when=upcoming&search=``."""

    kind = serializers.ChoiceField(
        choices=Event.Kind.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )
    format = serializers.ChoiceField(
        choices=Event.Format.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )
    status = serializers.ChoiceField(
        choices=Event.Status.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )
    visibility = serializers.ChoiceField(
        choices=Event.Visibility.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )
    project = serializers.CharField(
        required=False, allow_blank=True, help_text="The hosting project's slug (one you may not see finds nothing)."
    )
    when = serializers.ChoiceField(
        choices=[(selectors.UPCOMING, "Upcoming: not over yet"), (selectors.PAST, "Past: over")],
        required=False,
        allow_blank=True,
        error_messages=CHOICE_ERRORS,
        help_text="upcoming: events not over yet; past: events that are over. All when left out.",
    )
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Words in the title, the description or the venue."
    )


class RegistrationListQuery(serializers.Serializer):
    """``?status=waitlisted``."""

    status = serializers.ChoiceField(
        choices=Registration.Status.choices,
        required=False,
        allow_blank=True,
        error_messages=CHOICE_ERRORS,
        help_text="Only registrations in this status.",
    )
