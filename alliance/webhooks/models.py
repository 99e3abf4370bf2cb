"""Webhook endpoints, the deliveries recorded for them (the outbox) and the log of every attempt."""

from django.conf import settings
from django.db import models

from members.models import Organization


class WebhookEndpoint(models.Model):
    """A URL that receives signed event notifications.

    An endpoint of an organization (set up by one of its admins) receives only events about that organization;
    an endpoint without organization is staff-level and receives every event it subscribes to.

    The signing secret is stored as it is: the server must be able to read it to sign every delivery (it is a
    shared HMAC key, not a password, so a hash would be useless). It is shown to people only once, when it is
    generated; the API, the pages and the admin never show it again. ``previous_secret`` keeps the secret
    replaced by a rotation for a short grace period, during which deliveries carry both signatures.
    """

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types this endpoint receives.")
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=255, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries in a row that failed for good; reset by a success."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_staff_level(self) -> bool:
        return self.organization_id is None


class WebhookDelivery(models.Model):
    """One event to be sent to one endpoint, recorded in the same transaction as the change it reports.

    This row is the outbox: it is sent after commit by a Celery task, and a periodic sweep picks up anything
    due (a retry whose back-off has passed, or a send the broker never got). ``message_id`` is the
    ``webhook-id`` header: the same for every endpoint and every attempt of one event, so receivers can
    ignore duplicates.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=64, db_index=True)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    resent_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try to send a delivery: when, what the receiver answered, how long it took, what went wrong."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"],
                name="webhook_attempt_unique_number",
                violation_error_message="This attempt is already logged.",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery}"
