"""The search API's query and answer."""

from typing import Any

from rest_framework import serializers

from alliance.portal.search import KIND_CHOICES, QUERY_MAX_LENGTH

CHOICE_ERRORS: dict[str, Any] = {"invalid_choice": '"{input}" is not one of the choices.'}


class SearchQuerySerializer(serializers.Serializer):
    """``?q=open benchmark&type=project``."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=QUERY_MAX_LENGTH, trim_whitespace=True, help_text="The words."
    )
    type = serializers.ChoiceField(
        choices=KIND_CHOICES, required=False, allow_blank=True, error_messages=CHOICE_ERRORS, help_text="One kind."
    )


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField(source="kind", help_text="organization, project, catalog, event or committee")
    type_label = serializers.CharField(source="kind_label")
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(help_text="The result's page.")
    rank = serializers.FloatField(help_text="Higher matches better; results come best first.")


class SearchAnswerSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SearchHitSerializer(many=True)
