"""Shapes of the projects API: output serializers for reading, input serializers that only read the body.

Input serializers never save, and check no rule a service owns (a rejection's reason, the licence, the roles,
the sponsors one may name): the views hand their ``validated_data`` to ``projects.services``, whose refusals the
API's exception handler answers. The catalog's shapes are in projects/catalog/api/serializers.py.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.api.fields import DetailUrlField, FieldsBuiltOnce
from alliance.markdown import render_markdown
from members import selectors as members_selectors
from members.models import Organization
from projects.models import FocusArea, Participation, Project, ProjectUpdate, ProposalReview

KIND_ERRORS = {"invalid_choice": "Choose one of the kinds: " + ", ".join(Project.Kind.values) + "."}


class FocusAreaSerializer(serializers.ModelSerializer):
    url = DetailUrlField(view_name="focus-area-detail", lookup_field="slug")

    class Meta:
        model = FocusArea
        fields = ["slug", "name", "description", "url"]
        read_only_fields = fields


class FocusAreaWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    slug = serializers.SlugField(max_length=80, required=False, help_text="Chosen from the name when left out.")


class FocusAreaUpdateSerializer(FocusAreaWriteSerializer):
    """The address (slug) stays: links to the focus area keep working."""

    slug = None


class ProjectSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A project as everyone who may see it reads it; ``state`` is its place in the lifecycle."""

    url = DetailUrlField(view_name="project-detail", lookup_field="slug")
    focus_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    sponsors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    description_html = serializers.SerializerMethodField(help_text="The description rendered as safe HTML.")
    participant_count = serializers.IntegerField(read_only=True)
    # Empty strings when not given: the schema says so (a URI or "").
    repository_url = serializers.URLField(read_only=True, allow_blank=True)
    website_url = serializers.URLField(read_only=True, allow_blank=True)

    class Meta:
        model = Project
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "description_html",
            "kind",
            "state",
            "focus_areas",
            "sponsors",
            "repository_url",
            "website_url",
            "license",
            "help_wanted",
            "join_policy",
            "visibility",
            "participant_count",
            "decision_reason",
            "archive_requested_at",
            "state_changed_at",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def get_description_html(self, project: Project) -> str:
        return str(render_markdown(project.description))


class ProjectWriteSerializer(serializers.Serializer):
    """What a proposer (or a lead, or staff) may set; the service checks licences, sponsors and permissions."""

    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80, required=False, help_text="Chosen from the title when left out.")
    summary = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    kind = serializers.ChoiceField(choices=Project.Kind.choices, error_messages=KIND_ERRORS)
    focus_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=FocusArea.objects.all(), help_text="Slugs."
    )
    sponsors = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=Organization.objects.none(),
        help_text="Slugs of active member organizations; by default the proposer's own.",
    )
    repository_url = serializers.URLField(required=False, allow_blank=True)
    website_url = serializers.URLField(required=False, allow_blank=True)
    license = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="SPDX expression.")
    help_wanted = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    join_policy = serializers.ChoiceField(choices=Project.JoinPolicy.choices, required=False)
    visibility = serializers.ChoiceField(choices=Project.Visibility.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["sponsors"].child_relation.queryset = members_selectors.organizations_visible_to(
            request.user if request else None
        )


class ProjectUpdateSerializer(ProjectWriteSerializer):
    """The address (slug) is fixed once created."""

    slug = None


class ProjectReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required: shown to the proposer."
    )


class ProjectJoinSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For the leads, at most 1000 characters (``participation_join`` refuses a longer one).",
    )


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.name", read_only=True)

    class Meta:
        model = ProposalReview
        fields = ["id", "reviewer", "recommendation", "comment", "created_at"]
        read_only_fields = ["id", "reviewer", "created_at"]


class ParticipantSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(source="person.id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    message = serializers.SerializerMethodField(help_text="A request's message to the leads (empty once decided).")

    class Meta:
        model = Participation
        fields = ["id", "person_id", "name", "role", "status", "message", "created_at"]
        read_only_fields = fields

    def get_message(self, participation: Participation) -> str:
        """Only a pending request's message: pending rows are listed to the leads, staff and the person alone."""
        return participation.message if participation.status == Participation.Status.PENDING else ""


@extend_schema_field({"type": "string", "enum": list(Participation.Role.values)})
class RoleField(serializers.CharField):
    """A role's name; ``participation_change_role`` refuses one that is not a role."""


class ParticipantRoleSerializer(serializers.Serializer):
    role = RoleField()


class UpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", read_only=True)
    body_html = serializers.SerializerMethodField(help_text="The body rendered as safe HTML.")

    class Meta:
        model = ProjectUpdate
        fields = ["id", "title", "body", "body_html", "author", "created_at"]
        read_only_fields = ["id", "body_html", "author", "created_at"]

    def get_body_html(self, update: ProjectUpdate) -> str:
        return str(render_markdown(update.body))
