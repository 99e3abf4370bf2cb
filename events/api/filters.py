"""Query filters of the events API's lists."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from events.models import Event, Registration
from projects.selectors import projects_visible_to


class EventFilter(django_filters.FilterSet):
    """``?kind=workshop&format=virtual&status=published&visibility=members&project=<slug>&when=upcoming``."""

    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices)
    format = django_filters.ChoiceFilter(choices=Event.Format.choices)
    status = django_filters.ChoiceFilter(choices=Event.Status.choices)
    visibility = django_filters.ChoiceFilter(choices=Event.Visibility.choices)
    project = django_filters.CharFilter(method="filter_project", help_text="The hosting project's slug.")
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "Upcoming: not over yet"), ("past", "Past: over")],
        method="filter_when",
        help_text="upcoming: events not over yet; past: events that are over.",
    )

    class Meta:
        model = Event
        fields = ["kind", "format", "status", "visibility", "project", "when"]

    def filter_project(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        """Only a project the caller may see: a hidden one's slug finds nothing, as if it did not exist."""
        person = getattr(self.request, "user", None)
        return queryset.filter(project__slug=value, project__in=projects_visible_to(person))

    def filter_when(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gte=now)
        return queryset.filter(ends_at__lt=now)


class RegistrationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices)

    class Meta:
        model = Registration
        fields = ["status"]
