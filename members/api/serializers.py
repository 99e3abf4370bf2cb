"""Shapes of the members API: output serializers for reading, input serializers that only validate.

Input serializers never save: the views hand their ``validated_data`` to the services in ``members.services``.
They check shapes (types, choices, lengths); a rule of the alliance (a reason, the charter) is the service's, and
its ``DomainError`` reaches the caller through the API's exception handler, on the field it names.
"""

from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.api.fields import CountryCodeField, DetailUrlField, FieldsBuiltOnce
from members import selectors, services
from members.models import (
    Affiliation,
    ApiToken,
    Invitation,
    Invoice,
    JoinRequest,
    MembershipApplication,
    MembershipTerm,
    MembershipTier,
    Organization,
    OrganizationDomain,
    User,
)

ROLE_ERRORS = {"invalid_choice": services.ROLE_UNKNOWN}
KIND_ERRORS = {"invalid_choice": "Choose one of the kinds: " + ", ".join(Organization.Kind.values) + "."}
COUNTRY_ERRORS = {"invalid_choice": '"{input}" is not a country code we know; use two letters, such as DE or FR.'}


def _logo_field(**kwargs) -> serializers.ImageField:
    """Pillow must read it as an image (so SVG is refused); its size and extension are checked by the service."""
    return serializers.ImageField(
        allow_empty_file=False,
        error_messages={"invalid_image": "Upload a PNG, JPEG, WebP or GIF image (SVG is not accepted)."},
        help_text="PNG, JPEG, WebP or GIF, at most 1 MB. SVG is not accepted.",
        **kwargs,
    )


# --- people and tokens -----------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "is_staff"]
        read_only_fields = fields


class MyAffiliationSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()

    class Meta:
        model = Affiliation
        fields = ["id", "organization", "role", "title", "listed"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"}},
            "required": ["slug", "name", "status"],
        }
    )
    def get_organization(self, affiliation: Affiliation) -> dict:
        organization = affiliation.organization
        return {"slug": organization.slug, "name": organization.name, "status": organization.status}


class MeSerializer(PersonSerializer):
    affiliations = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "affiliations"]
        read_only_fields = fields

    @extend_schema_field(MyAffiliationSerializer(many=True))
    def get_affiliations(self, person: User) -> list[dict]:
        return MyAffiliationSerializer(selectors.person_affiliations(person), many=True).data


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key, which exists only in the answer that created it."""

    usable = serializers.BooleanField(source="is_usable", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "usable"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text="Shown this once; only a hash is kept.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "key", "expires_at"]
        read_only_fields = fields

    def get_key(self, token: ApiToken) -> str:
        return self.context["key"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True)


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, default="API token")
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True)


# --- organizations -------------------------------------------------------------------------------------------


class OrganizationSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    url = DetailUrlField(view_name="organization-detail", lookup_field="slug")
    country = CountryCodeField()
    logo = serializers.ImageField(read_only=True, allow_null=True)
    # Blank until the organization is a member (an applicant has no tier yet, nor a website perhaps).
    website = serializers.URLField(read_only=True, allow_blank=True)
    tier = serializers.CharField(read_only=True, allow_blank=True, help_text="The code of its tier (see /tiers/).")
    # From the tier's row (annotated by the queries the views use: ``selectors.with_tier_name``).
    tier_name = serializers.CharField(
        source="get_tier_display", read_only=True, allow_blank=True, help_text="Its tier's name, as staff set it."
    )

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "kind",
            "country",
            "website",
            "description",
            "logo",
            "tier",
            "tier_name",
            "status",
            "member_since",
            "url",
        ]
        read_only_fields = fields


class ApplyingOrganizationSerializer(OrganizationSerializer):
    """The organization inside an application: its profile, without the tier name (the application names its own
    tier, and a list of applications reads no tier row per organization)."""

    tier_name = None  # DRF: a declared field set to None is left out

    class Meta(OrganizationSerializer.Meta):
        fields = [name for name in OrganizationSerializer.Meta.fields if name != "tier_name"]
        read_only_fields = fields


class OrganizationWriteSerializer(serializers.Serializer):
    """What a person may set on an organization; uniqueness and the logo's size are checked by the service."""

    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Chosen from the name when left out or empty."
    )
    kind = serializers.ChoiceField(choices=Organization.Kind.choices, error_messages=KIND_ERRORS)
    country = CountryField(error_messages=COUNTRY_ERRORS)
    website = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    logo = _logo_field(required=False, allow_null=True)

    def validate_name(self, name: str) -> str:
        return name.strip()


class OrganizationUpdateSerializer(OrganizationWriteSerializer):
    """The address (slug) is fixed once registered: links to the organization must keep working."""

    slug = None


# --- people of an organization --------------------------------------------------------------------------------


class OrganizationPersonSerializer(serializers.ModelSerializer):
    """A person as their organization's admins and staff see them."""

    person_id = serializers.IntegerField(source="person.id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "person_id", "name", "email", "role", "title", "listed", "created_at"]
        read_only_fields = fields


class ListedPersonSerializer(serializers.ModelSerializer):
    """A person as everyone else sees them on the organization's page: no email address, and their name only when
    they agreed to be listed by name."""

    name = serializers.CharField(source="person.listed_name", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "name", "title"]
        read_only_fields = fields


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Affiliation.Role.choices, error_messages=ROLE_ERRORS)


# --- invitations, domains, join requests ----------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation without its token: the link exists only in the email sent to the invited address."""

    expired = serializers.BooleanField(source="is_expired", read_only=True, help_text="Pending, but past its expiry.")
    invited_by = serializers.CharField(source="invited_by.email", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "expired", "invited_by", "created_at", "sent_at", "expires_at"]
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Affiliation.Role.choices, error_messages=ROLE_ERRORS)


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrganizationDomain
        fields = ["id", "domain", "created_at"]
        read_only_fields = ["id", "created_at"]


class DomainCreateSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=253, help_text="Such as example.org.")


class JoinRequestSerializer(serializers.ModelSerializer):
    person_id = serializers.IntegerField(source="person.id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)

    class Meta:
        model = JoinRequest
        fields = ["id", "person_id", "name", "email", "message", "status", "created_at", "decided_at"]
        read_only_fields = fields


class JoinRequestCreateSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, default="")


# --- membership applications ----------------------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its organization's admins and staff read it, including the staff's reason."""

    organization = ApplyingOrganizationSerializer(read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.email", read_only=True)
    tier_name = serializers.CharField(
        source="get_tier_display", read_only=True, help_text="The name of the tier applied for, as staff set it."
    )
    url = DetailUrlField(view_name="application-detail")

    class Meta:
        model = MembershipApplication
        fields = [
            "id",
            "organization",
            "tier",
            "tier_name",
            "statement",
            "charter_accepted",
            "status",
            "reason",
            "submitted_by",
            "submitted_at",
            "decided_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields


class ApplicationTargetSerializer(serializers.Serializer):
    """The organization an application is for: read first, so its admins alone hear about the rest of the body."""

    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.none(),
        error_messages={"does_not_exist": "There is no organization at the address “{value}” that you can see."},
        help_text="The organization's slug.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["organization"].queryset = selectors.organizations_visible_to(request.user if request else None)


class ApplicationCreateSerializer(ApplicationTargetSerializer):
    tier = serializers.CharField(max_length=40, help_text="The code of a membership tier (see /tiers/).")
    statement = serializers.CharField()
    charter_accepted = serializers.BooleanField(
        required=False, default=False, help_text="Must be true: the alliance charter is accepted."
    )


class WelcomeNoteSerializer(serializers.Serializer):
    welcome_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=4000,
        help_text="Optional: goes into the approval mail to the organization's admins and the application's history.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown to the applicant; required to reject or to request changes.",
    )


class ResubmitSerializer(serializers.Serializer):
    statement = serializers.CharField(required=False)
    tier = serializers.CharField(
        required=False, max_length=40, help_text="The code of a membership tier (see /tiers/)."
    )


# --- membership: tiers, the organization's standing, renewals, invoices -----------------------------------------


class TierSerializer(serializers.ModelSerializer):
    """A tier as the public reads it: its code and what staff may edit (one list decides: the service's)."""

    class Meta:
        model = MembershipTier
        fields = ["code", *services.TIER_EDITABLE_FIELDS]
        read_only_fields = fields


class MembershipSerializer(serializers.Serializer):
    """An organization's membership now: its latest term and the standing that follows from the clock."""

    organization = serializers.CharField(source="organization.slug", read_only=True)
    tier = serializers.CharField(source="tier.code", read_only=True, allow_null=True, default=None)
    standing = serializers.CharField(
        read_only=True,
        help_text="current, renewal_due, grace or lapsed for an active member; otherwise its status "
        "(applicant, suspended, lapsed, withdrawn).",
    )
    term_start = serializers.DateTimeField(read_only=True, allow_null=True)
    term_end = serializers.DateTimeField(read_only=True, allow_null=True)
    grace_until = serializers.DateTimeField(read_only=True, allow_null=True)
    renewal_opens = serializers.DateTimeField(read_only=True, allow_null=True)


class MembershipUpdateSerializer(serializers.Serializer):
    """Staff correct the latest term: its end, its tier, or both."""

    term_end = serializers.DateTimeField(required=False)
    tier = serializers.CharField(required=False, max_length=40, help_text="The code of a tier (see /tiers/).")


class MembershipRenewSerializer(serializers.Serializer):
    accept_charter = serializers.BooleanField(
        required=False, default=False, help_text="Must be true: the charter's current version is accepted."
    )
    tier = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=40, help_text="A tier's code, to change tier."
    )


class TermSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.code", read_only=True)

    class Meta:
        model = MembershipTerm
        fields = ["tier", "starts_at", "ends_at", "charter_version"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.slug", read_only=True)
    term_start = serializers.DateTimeField(source="term.starts_at", read_only=True)
    term_end = serializers.DateTimeField(source="term.ends_at", read_only=True)
    is_paid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "organization",
            "tier_name",
            "amount",
            "currency",
            "billed_to",
            "billing_address",
            "term_start",
            "term_end",
            "issued_at",
            "paid_at",
            "is_paid",
        ]
        read_only_fields = fields
