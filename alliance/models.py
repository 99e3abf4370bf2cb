from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

# Erased accounts and forgotten addresses get an address of the reserved .invalid domain (RFC 2606): it never
# reaches anyone, and nothing personal is left in it.
ERASED_ADDRESS_DOMAIN = "erased.invalid"
FORGOTTEN_ADDRESS = f"forgotten@{ERASED_ADDRESS_DOMAIN}"


class AuditEntry(models.Model):
    """One recorded state change: who did what to which object, and what it was before and after.

    Written by services inside the same transaction as the change, so the trail can never disagree with the
    data. Entries are never edited or deleted through the portal.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True, help_text="For example application.approved.")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=255)
    changes = models.JSONField(default=dict, blank=True, help_text='{"field": [before, after]}')
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"


class Notification(models.Model):
    """A message to one person (or one address), recorded in the same transaction as the change it reports.

    This row is the outbox: delivery happens after commit in Celery, and a periodic sweep retries anything
    still pending, so a rolled-back change notifies no one and a committed change is never forgotten. The
    row lock taken while sending makes delivery idempotent: one email per notification. The same rows are the
    person's in-app inbox (``read_at``), whether or not their preferences let the email go out.
    """

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", "Membership"
        INVITATION = "invitation", "Invitation"
        PROJECTS = "projects", "Projects"
        EVENTS = "events", "Events"
        SECURITY = "security", "Security"
        DIGESTS = "digests", "Weekly digest"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not emailed (turned off)"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    transactional = models.BooleanField(
        default=False, help_text="Sent whatever the person's preferences say: security, invitations, receipts."
    )
    language = models.CharField(max_length=10, blank=True, help_text="The language the message was written in.")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    forget_address_when_sent = models.BooleanField(
        default=False,
        help_text="Sent to an address being erased: the address is replaced once the message is sent or has failed.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.email}"


class NotificationFanOut(models.Model):
    """One notification to a crowd (everyone registered for a cancelled event), recorded in the change's transaction.

    Writing ten thousand messages inside the request would hold it for seconds, so the request records only this row:
    who is told (their ids, as they were when the change happened) and what (the template, its context with objects
    by reference). A background job then writes each person's ``Notification``, in their language, a chunk at a
    time, and hands each chunk to delivery. ``expanded`` (how many people have their row) commits with each chunk's
    rows while this row is locked, so a job that runs twice or dies half-way writes nobody's twice. The row is
    deleted once everyone has their notification; one that cannot be written is retried, then kept as failed.
    """

    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    transactional = models.BooleanField(default=False)
    template = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True, help_text="The template's context, objects by reference.")
    url = models.CharField(max_length=500, blank=True)
    recipient_ids = models.JSONField(default=list, help_text="The people told, by id, in the order they are written.")
    expanded = models.PositiveIntegerField(default=0, help_text="How many of them have their notification written.")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.template} → {len(self.recipient_ids)} people ({self.expanded} written)"


class NotificationPreference(models.Model):
    """Whether a person wants email of one kind; no row means the default of ``DEFAULT_EMAIL``.

    Transactional messages (security, invitations, answers to the person's own requests) ignore these: they
    always go. Turning a kind off stops its email only; the in-app inbox still records it.
    """

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", "Membership: applications, join requests, your organizations"
        PROJECTS = "projects", "Projects: proposals, participation, updates, the catalog"
        EVENTS = "events", "Events: cancellations and reminders"
        DIGESTS = "digests", "Weekly digest of project updates and upcoming events"

    DEFAULT_EMAIL = {Kind.MEMBERSHIP: True, Kind.PROJECTS: True, Kind.EVENTS: True, Kind.DIGESTS: False}

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email_enabled = models.BooleanField()
    consented_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person said yes to mail of a kind that needs consent (digests)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                name="notification_preference_unique",
                violation_error_message="This person already has a preference for this kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind} {'on' if self.email_enabled else 'off'}"


class DigestSent(models.Model):
    """One weekly digest sent to one person: the unique week makes the digest job safe to run again."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday of the ISO week the digest covers.")
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "week"],
                name="digest_sent_once_a_week",
                violation_error_message="This person already had this week's digest.",
            )
        ]
        verbose_name_plural = "digests sent"

    def __str__(self) -> str:
        return f"digest {self.week} → {self.person}"
