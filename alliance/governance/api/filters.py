"""Query filters of the governance API's lists: parsed here, applied by the selectors the pages use too."""

from typing import Any

from rest_framework import serializers

from alliance.governance.models import Ballot, Committee

CHOICE_ERRORS: dict[str, Any] = {"invalid_choice": '"{input}" is not one of the choices.'}


class CommitteeQuerySerializer(serializers.Serializer):
    """``?kind=working_group``."""

    kind = serializers.ChoiceField(
        choices=Committee.Kind.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )


class BallotQuerySerializer(serializers.Serializer):
    """``?committee=<slug>&state=open&method=ranked``."""

    committee = serializers.SlugField(required=False, allow_blank=True, help_text="The committee's slug.")
    state = serializers.ChoiceField(
        choices=Ballot.State.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )
    method = serializers.ChoiceField(
        choices=Ballot.Method.choices, required=False, allow_blank=True, error_messages=CHOICE_ERRORS
    )
