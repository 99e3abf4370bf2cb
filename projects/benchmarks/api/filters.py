"""Query filters of the benchmarks API's lists, in the one style: a serializer parses the query, a selector filters."""

from rest_framework import serializers

from projects.benchmarks.models import Division, Submission


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, **kwargs)


class SubmissionFilterSerializer(serializers.Serializer):
    """``?division=closed&state=published&organization=<slug>``: of the submissions you may see."""

    division = _choice(Division.choices)
    state = _choice(Submission.State.choices)
    organization = serializers.SlugField(required=False, allow_blank=True, help_text="An organization's slug.")


class LeaderboardFilterSerializer(serializers.Serializer):
    """``?round=<id>&division=closed&availability=available``: the latest published round and closed by default."""

    round = serializers.IntegerField(required=False, allow_null=True, help_text="A published round of the benchmark.")
    division = _choice(Division.choices, help_text="closed (the default) or open.")
    availability = _choice(Submission.Availability.choices, help_text="Only results of this availability.")
