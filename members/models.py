from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from .validators import validate_logo_size


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


NO_PUBLIC_NAME = "Name not given"


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; staff are the secretariat and the committees."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Secretariat and committees: reviews and decides.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=("An account with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email

    @property
    def public_name(self) -> str:
        """How others see the person: their name, never their address (signing up asks for no name)."""
        return self.name or NO_PUBLIC_NAME


class Organization(models.Model):
    """A company, university, agency or other body that is (or wants to be) a member of the alliance.

    Only active organizations are public; an applicant becomes active when staff approve its application.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        STARTUP = "startup", "Start-up"
        UNIVERSITY = "university", "University"
        RESEARCH_INSTITUTE = "research_institute", "Research institute"
        NON_PROFIT = "non_profit", "Non-profit"
        GOVERNMENT = "government", "Government"
        HEALTHCARE = "healthcare", "Healthcare"

    class Tier(models.TextChoices):
        FOUNDING = "founding", "Founding member"
        GENERAL = "general", "General member"
        ASSOCIATE = "associate", "Associate member"
        ACADEMIC = "academic", "Academic member"

    class Status(models.TextChoices):
        APPLICANT = "applicant", "Applicant"
        ACTIVE = "active", "Active member"
        SUSPENDED = "suspended", "Suspended"
        LAPSED = "lapsed", "Lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    name = models.CharField(
        max_length=200,
        unique=True,
        error_messages={
            "unique": "An organization with this name is already registered.",
        },
    )
    slug = models.SlugField(
        max_length=80,
        unique=True,
        error_messages={
            "unique": "This address (slug) is already taken by another organization.",
        },
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    country = CountryField()
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    logo = models.ImageField(
        upload_to="logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp", "gif"]), validate_logo_size],
        help_text="PNG, JPEG, WebP or GIF, at most 1 MB. SVG is not accepted.",
    )
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLICANT, db_index=True)
    member_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Affiliation", related_name="organizations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:organization_detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.ACTIVE


class Affiliation(models.Model):
    """A person belongs to an organization as its admin or as a member; an organization keeps an admin."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="affiliations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(max_length=120, blank=True, help_text="Job title shown on the organization page.")
    listed = models.BooleanField(default=True, help_text="Show this person on the organization's public page.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "person__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization"],
                name="affiliation_unique",
                violation_error_message="This person already belongs to the organization.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) at {self.organization}"


class MembershipApplication(models.Model):
    """An organization's request to join the alliance at a tier, accepting the charter; staff decide."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        RESUBMITTED = "resubmitted", "Resubmitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATUSES = (Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.RESUBMITTED)
    AWAITING_STAFF = (Status.SUBMITTED, Status.RESUBMITTED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="applications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(max_length=16, choices=Organization.Tier.choices)
    statement = models.TextField(help_text="Why the organization wants to join and what it will contribute.")
    charter_accepted = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    reason = models.TextField(blank=True, help_text="The staff's reason for requesting changes or rejecting.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(charter_accepted=True),
                name="application_charter_accepted",
                violation_error_message="The alliance charter must be accepted.",
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(status__in=["submitted", "changes_requested", "resubmitted"]),
                name="application_one_open_per_organization",
                violation_error_message="This organization already has an open application.",
            ),
        ]

    def __str__(self) -> str:
        return f"Application of {self.organization} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Invitation(models.Model):
    """An admin's single-use, expiring invitation for an email address to join the organization.

    Only a hash of the token is stored; the link exists in the email alone. Resending issues a new token.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Affiliation.Role.choices, default=Affiliation.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
                violation_error_message="This address already has a pending invitation.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    @property
    def display_status(self) -> str:
        return "Expired" if self.is_expired else self.get_status_display()


class OrganizationDomain(models.Model):
    """An email domain of the organization: people with a verified address on it may ask to join."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        max_length=253,
        unique=True,
        error_messages={
            "unique": "This domain is already registered by an organization.",
        },
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class JoinRequest(models.Model):
    """A person with an address on one of the organization's domains asks to join; an admin decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="join_requests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "person"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
                violation_error_message="You have already asked to join this organization.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} asks to join {self.organization}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the key is shown once, when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters of the key, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
