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
FORMER_MEMBER = "Former member"


def tier_name_of(row: models.Model) -> str:
    """The name of the tier ``row.tier`` names, from the tier's row (staff rename tiers): the ``tier_name`` the
    lists annotate (``members.selectors.with_tier_name``, no query per row) while the row keeps the code it was
    loaded with, else read once and kept on the row. Blank for no tier; the code itself for a code no tier has."""
    code = getattr(row, "tier", "")
    if not code:
        return ""
    if "tier_name" in row.__dict__ and row.__dict__.get("tier_name_code") == code:
        return row.__dict__["tier_name"] or code
    known = row.__dict__.get("_tier_name_read")
    if known is None or known[0] != code:
        name = MembershipTier.objects.filter(code=code).values_list("name", flat=True).first()
        known = row.__dict__["_tier_name_read"] = (code, name or code)
    return known[1]


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; staff are the secretariat and the committees."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Secretariat and committees: reviews and decides.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    listed_by_name = models.BooleanField(
        default=False,
        help_text="The person agreed to be listed by name on their organizations' public pages and in committee lists.",
    )
    listed_by_name_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person last gave or withdrew that consent."
    )
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the account was erased: the row stays, with nothing personal left."
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="The language of the person's pages and messages; empty: the browser's, else the portal's.",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The zone the person's times are shown in, on pages and in emails (an IANA name such as "
        "Europe/Berlin); empty: the portal's.",
    )
    time_zone_follows_browser = models.BooleanField(
        default=True,
        help_text="The zone is the one of the browser the person last used (kept in time_zone for their emails), "
        "until they choose one on their profile.",
    )

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
        return self.get_full_name()

    def get_full_name(self) -> str:
        if self.erased_at is not None:
            return FORMER_MEMBER
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def public_name(self) -> str:
        """How others see the person: their name, never their address (signing up asks for no name)."""
        if self.erased_at is not None:
            return FORMER_MEMBER
        return self.name or NO_PUBLIC_NAME

    @property
    def listed_name(self) -> str:
        """How lists others read show the person (an organization's public page, committee lists): their name only
        when they agreed to be listed by name."""
        return self.public_name if self.listed_by_name else NO_PUBLIC_NAME

    @property
    def has_public_page(self) -> bool:
        """Whether others may see the person's page and follow links to it: they agreed to be listed by name, and
        have a name and an account (``members.selectors.people_with_public_page`` is the same rule as a query)."""
        return self.listed_by_name and bool(self.name) and self.is_active and self.erased_at is None


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
    # The code of a MembershipTier (tiers are rows staff manage and rename; ``Tier`` holds the codes of the ones the
    # alliance started with, and the names they were seeded with: a page reads the name from the row).
    tier = models.CharField(max_length=40, blank=True)
    billing_address = models.TextField(
        blank=True, help_text="Who invoices are addressed to: legal name, postal address, VAT or tax number."
    )
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

    def get_tier_display(self) -> str:
        """The tier's name, from its row (``tier_name_of``)."""
        return tier_name_of(self)


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
    tier = models.CharField(max_length=40, help_text="The code of the membership tier applied for.")
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

    def get_tier_display(self) -> str:
        """The name of the tier applied for, from its row (``tier_name_of``)."""
        return tier_name_of(self)

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


class MembershipTier(models.Model):
    """A level of membership staff manage: its fee, how long a term lasts and which benefits it brings.

    Organizations and applications name a tier by its ``code``, which never changes once organizations use it.
    """

    code = models.SlugField(
        max_length=40, unique=True, error_messages={"unique": "A tier with this code already exists."}
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    annual_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0, help_text="Zero is allowed.")
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code, e.g. EUR.")
    term_months = models.PositiveSmallIntegerField(default=12, help_text="How long one term of membership lasts.")
    members_only_events = models.BooleanField(default=True, help_text="Its people register for members-only events.")
    propose_projects = models.BooleanField(default=True, help_text="Its people propose projects.")
    committee_seat = models.BooleanField(default=True, help_text="It may hold a seat on organization-seat committees.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists (smallest first).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_fee__gte=0),
                name="tier_fee_not_negative",
                violation_error_message="The annual fee cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__gte=1, term_months__lte=120),
                name="tier_term_length",
                violation_error_message="A term lasts from 1 to 120 months.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def benefit_labels(self) -> list[tuple[bool, str]]:
        """What the tier brings and what it lacks, as a person reads it beside the tier's choice."""
        return [
            (self.members_only_events, "Members-only events" if self.members_only_events else "No members-only events"),
            (self.propose_projects, "Proposes projects" if self.propose_projects else "Cannot propose projects"),
            (self.committee_seat, "A committee seat" if self.committee_seat else "No committee seat"),
        ]


class MembershipTerm(models.Model):
    """One period of an organization's membership at a tier. Approval starts the first; each renewal adds one.

    The organization's standing (current, renewal due, grace, lapsed) is never stored: it follows the clock from
    the end of its latest term (``members.selectors.membership_standing``).
    """

    class Standing(models.TextChoices):
        CURRENT = "current", "Current"
        RENEWAL_DUE = "renewal_due", "Renewal due"
        GRACE = "grace", "In grace"
        LAPSED = "lapsed", "Lapsed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="terms")
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="terms")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    charter_version = models.CharField(max_length=40, blank=True, help_text="The charter version accepted for it.")
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "-ends_at"]
        indexes = [models.Index(fields=["organization", "ends_at"], name="term_organization_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="term_ends_after_start",
                violation_error_message="A term must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"


class MembershipReminder(models.Model):
    """A reminder about a term that went out: one row per term and kind, so each is sent exactly once."""

    class Kind(models.TextChoices):
        DAYS_60 = "days_60", "60 days before the end"
        DAYS_30 = "days_30", "30 days before the end"
        DAYS_7 = "days_7", "7 days before the end"
        GRACE = "grace", "Grace started"
        LAPSED = "lapsed", "Lapsed (staff told)"

    term = models.ForeignKey(MembershipTerm, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["term_id", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "kind"],
                name="membership_reminder_once_per_term",
                violation_error_message="This reminder was already sent for this term.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.term}"


class Invoice(models.Model):
    """The bill for a term of a tier with a fee: numbered in sequence, addressed to the organization's billing
    details as they were when it was issued. Staff mark it paid; payment is bookkeeping, never a gate."""

    number = models.CharField(max_length=20, unique=True, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invoices")
    term = models.OneToOneField(MembershipTerm, on_delete=models.PROTECT, related_name="invoice")
    tier_name = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    billed_to = models.CharField(max_length=200)
    billing_address = models.TextField(blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="invoice_amount_positive",
                violation_error_message="An invoice is issued only for a fee.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("members:invoice_detail", kwargs={"pk": self.pk})

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None
