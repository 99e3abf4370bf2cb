import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.urls import reverse

from alliance.locale import validate_time_zone
from members.models import Organization
from projects.models import Project

validate_timezone = validate_time_zone  # the name the migrations know


# The largest seat count a PositiveIntegerField holds in PostgreSQL (an integer column): forms and the API refuse
# more with a sentence, instead of the database refusing it with a 500.
SEATS_MAX = 2_147_483_647


class Event(models.Model):
    """A workshop, meetup, webinar, conference or hackathon people register for.

    ``confirmed_count`` is kept by the registration services in the same transaction as each registration, and
    the database refuses any row where it exceeds ``capacity``: even a code path that forgot the lock cannot
    oversell.
    """

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", "Workshop"
        MEETUP = "meetup", "Meetup"
        WEBINAR = "webinar", "Webinar"
        CONFERENCE = "conference", "Conference"
        HACKATHON = "hackathon", "Hackathon"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        error_messages={
            "unique": "This address (slug) is already taken by another event.",
        },
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    format = models.CharField(max_length=10, choices=Format.choices)
    venue = models.CharField(max_length=300, blank=True, help_text="Address, for in-person and hybrid events.")
    online_url = models.URLField(blank=True, help_text="Shown only to confirmed attendees.")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="organized_events")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means unlimited.")
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    waitlist_enabled = models.BooleanField(default=True)
    organization_seat_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many confirmed seats per organization; empty means no cap."
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: from publication.")
    registration_closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until the start.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message="The event must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(confirmed_count__lte=models.F("capacity")),
                name="event_never_oversold",
                violation_error_message="The event is full.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="event_capacity_positive",
                violation_error_message="Capacity must be at least 1, or empty for unlimited.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Registration(models.Model):
    """A person's place at an event: confirmed, waitlisted (in order of arrival) or cancelled.

    A person holds at most one active (confirmed or waitlisted) registration per event; cancelled ones stay
    as history and a person may register again.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
        help_text="Empty once anonymized: RETENTION_EVENT_DAYS after the event ended, only the count remains.",
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
        help_text="The organization whose seat this is, for the per-organization cap.",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "waitlisted_at"], name="registration_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=models.Q(status__in=["confirmed", "waitlisted"]),
                name="registration_one_active_per_person",
                violation_error_message="You are already registered for this event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.event} ({self.get_status_display()})"


def _new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private calendar-feed address; regenerating the token revokes the old address."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("events:calendar_feed", kwargs={"token": self.token})
