"""Shapes of the governance API: output serializers to read, input serializers that only parse.

Input serializers check the shape of a request (types, choices, that a named account or committee exists); every
rule of governance (options, percents, times, who may be seated, what a vote may say) is the services' and comes
back as their ``DomainError``. People are shown by their public name, never by their address.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.governance.models import Ballot, BallotResult, Committee, CommitteeMember, Vote
from members.models import Organization
from members.selectors import person_by_email
from projects.models import Project
from projects.selectors import projects_visible_to

CHOICE_ERRORS: dict[str, Any] = {"invalid_choice": '"{input}" is not one of the choices.'}


class ProjectSlugField(serializers.SlugRelatedField):
    """A project's slug, or null; an empty string is neither (the schema says so), so it is refused."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data == "":
            raise serializers.ValidationError("Leave the project out (or null), or give the slug of a project.")
        return super().run_validation(data)


class OrganizationSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CommitteeMemberSerializer(serializers.ModelSerializer):
    """A seat, as anyone sees it: the person's public name, the role, the organization it stands for."""

    name = serializers.CharField(source="person.listed_name", read_only=True)
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = CommitteeMember
        fields = ["id", "name", "role", "organization", "seated_at"]
        read_only_fields = fields


class CommitteeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="committee-detail", lookup_field="slug")
    project = serializers.SerializerMethodField(
        help_text="The slug of the project a working group works for; null when none or you may not see it."
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Committee
        fields = ["slug", "name", "kind", "description", "seats", "project", "member_count", "url"]
        read_only_fields = fields

    def get_project(self, committee: Committee) -> str | None:
        visible = self.context.get("visible_project_ids", set())
        if committee.project is None or committee.project_id not in visible:
            return None
        return committee.project.slug


class CommitteeDetailSerializer(CommitteeSerializer):
    members = serializers.SerializerMethodField()

    class Meta(CommitteeSerializer.Meta):
        fields = [*CommitteeSerializer.Meta.fields, "members"]
        read_only_fields = fields

    @extend_schema_field(CommitteeMemberSerializer(many=True))
    def get_members(self, committee: Committee) -> Any:
        return CommitteeMemberSerializer(self.context.get("members", []), many=True).data


class CommitteeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Committee.Kind.choices, error_messages=CHOICE_ERRORS)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    seats = serializers.ChoiceField(
        choices=Committee.Seats.choices, required=False, default=Committee.Seats.PERSON, error_messages=CHOICE_ERRORS
    )
    slug = serializers.SlugField(max_length=80, required=False, help_text="Chosen from the name when left out.")
    project = ProjectSlugField(
        slug_field="slug",
        queryset=Project.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "There is no project at the address “{value}”."},
        help_text="For a working group: the slug of the project it works for.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        project_field: Any = self.fields["project"]
        project_field.queryset = projects_visible_to(request.user if request else None)


class CommitteeMemberAddSerializer(serializers.Serializer):
    """Whom to seat: the address of their account on the portal, their role, and on organization seats the
    organization they stand for (chosen for them when they belong to just one member organization)."""

    email = serializers.EmailField(source="person", help_text="The address of the person's account on the portal.")
    role = serializers.ChoiceField(
        choices=CommitteeMember.Role.choices, default=CommitteeMember.Role.VOTING, error_messages=CHOICE_ERRORS
    )
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "There is no organization at the address “{value}”."},
        help_text="The slug of the organization the seat stands for (organization seats only).",
    )

    def validate_email(self, value: str) -> Any:
        person = person_by_email(value)
        if person is None:
            raise serializers.ValidationError(
                f"No one has an account with the address {value}. Ask them to sign up first."
            )
        return person


class BallotSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="ballot-detail")
    committee: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Ballot
        fields = [
            "id",
            "committee",
            "title",
            "description",
            "method",
            "options",
            "quorum_percent",
            "threshold_percent",
            "secret",
            "opens_at",
            "closes_at",
            "state",
            "eligible",
            "opened_at",
            "closed_at",
            "cancelled_at",
            "url",
        ]
        read_only_fields = fields


class MyVoteSerializer(serializers.Serializer):
    """The vote that counts for you: yours, or on organization seats your organization's (its content only when
    you cast it)."""

    cast_by_you = serializers.BooleanField()
    organization = serializers.CharField(allow_null=True, help_text="The slug of the organization it counts for.")
    choice = serializers.CharField(allow_null=True)
    ranking = serializers.ListField(child=serializers.CharField(), allow_null=True)
    cast_at = serializers.DateTimeField()


class BallotDetailSerializer(BallotSerializer):
    may_vote = serializers.SerializerMethodField(help_text="You have a vote in this ballot and it is open.")
    my_vote = serializers.SerializerMethodField()

    class Meta(BallotSerializer.Meta):
        fields = [*BallotSerializer.Meta.fields, "may_vote", "my_vote"]
        read_only_fields = fields

    def get_may_vote(self, ballot: Ballot) -> bool:
        return bool(self.context.get("may_vote"))

    @extend_schema_field(MyVoteSerializer(allow_null=True))
    def get_my_vote(self, ballot: Ballot) -> dict[str, Any] | None:
        vote: Vote | None = self.context.get("my_vote")
        if vote is None:
            return None
        request = self.context["request"]
        mine = vote.voter_id == request.user.pk
        return {
            "cast_by_you": mine,
            "organization": vote.organization.slug if vote.organization else None,
            "choice": (vote.choice or None) if mine else None,
            "ranking": (vote.ranking or None) if mine else None,
            "cast_at": serializers.DateTimeField().to_representation(vote.cast_at),
        }


class BallotWriteSerializer(serializers.Serializer):
    """A draft's details; the services check the options, the percents and the times."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=Ballot.Method.choices, error_messages=CHOICE_ERRORS)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Plurality and ranked: two or more distinct options, in the order the ballot lists them.",
    )
    quorum_percent = serializers.IntegerField(required=False, help_text="0 to 100; 50 when left out.")
    threshold_percent = serializers.IntegerField(required=False, help_text="Yes/no: 0 to 100; 50 when left out.")
    secret = serializers.BooleanField(required=False, help_text="True (the default): never show who voted what.")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class BallotCreateSerializer(BallotWriteSerializer):
    committee = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Committee.objects.all(),
        error_messages={"does_not_exist": "There is no committee at the address “{value}”."},
        help_text="The committee's slug.",
    )


class BallotCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Sent to the electorate of an open ballot."
    )


class VoteInputSerializer(serializers.Serializer):
    """``{"choice": "yes"}`` (yes, no or abstain), ``{"choice": "<option>"}`` or ``{"ranking": ["<option>", ...]}``."""

    choice = serializers.CharField(required=False, allow_blank=True)
    ranking = serializers.ListField(child=serializers.CharField(), required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("choice" in data) == ("ranking" in data):
            raise serializers.ValidationError({"choice": ["Send either a choice or a ranking."]})
        return data


class VoteSerializer(serializers.ModelSerializer):
    """Your vote, as cast."""

    ballot: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    organization: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Vote
        fields = ["ballot", "organization", "choice", "ranking", "cast_at"]
        read_only_fields = fields


class OpenVoteSerializer(serializers.Serializer):
    """One vote of a closed open (not secret) ballot."""

    voter = serializers.CharField(source="voter.public_name", allow_null=True, default=None)
    organization = serializers.CharField(source="organization.name", allow_null=True, default=None)
    choice = serializers.CharField()
    ranking = serializers.ListField(child=serializers.CharField())


class BallotResultSerializer(serializers.ModelSerializer):
    """The count stored when the ballot closed."""

    winner = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField(help_text="Open ballots only: each vote; empty for a secret ballot.")

    class Meta:
        model = BallotResult
        fields = [
            "eligible",
            "turnout",
            "quorum_met",
            "passed",
            "tally",
            "winner",
            "tied",
            "ranking",
            "tiers",
            "pairwise",
            "strongest_paths",
            "computed_at",
            "votes",
        ]
        read_only_fields = fields

    def get_winner(self, result: BallotResult) -> str | None:
        return result.winner or None

    @extend_schema_field(OpenVoteSerializer(many=True))
    def get_votes(self, result: BallotResult) -> Any:
        return OpenVoteSerializer(self.context.get("votes", []), many=True).data
