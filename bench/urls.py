"""The bench's URL configuration: every page and endpoint of the portal, and beside them the bare views the bench
compares them with, served by the same gunicorn workers with the same settings and middleware.

A bare view returns the same rows as its portal counterpart with one ``.values()`` query and ``JsonResponse``: what
Django itself costs for that list, so the ratio says what the portal's own layers (serializers, templates,
permissions, pagination) cost on top. The bare signup is the least a correct registration needs: the token looked
up, the event row locked, a seat or the waitlist, one insert.
"""

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alliance.portal import urls as portal_urls
from events import views as event_views
from events.models import Event, Registration
from members import views as member_views
from members.models import Organization
from members.services import api_token_authenticate
from projects import views as project_views
from projects.models import Project

handler404 = portal_urls.handler404
handler500 = portal_urls.handler500

# As many rows as each page shows (read from the pages, so the comparison follows them if they change).
EVENTS_PER_PAGE = getattr(event_views, "EVENT_PAGE_SIZE", 20)
PROJECTS_PER_PAGE = getattr(project_views, "PAGE_SIZE", 24)
MEMBERS_PER_PAGE = getattr(member_views, "DIRECTORY_PAGE_SIZE", 24)
ORGANIZATION_FIELDS = ("slug", "name", "kind", "country", "website", "description", "tier", "status", "member_since")


def _rows(request: HttpRequest, rows, default: int) -> JsonResponse:
    size = int(request.GET.get("page_size", default))
    return JsonResponse({"results": list(rows[:size])})


def bare_organizations(request: HttpRequest) -> JsonResponse:
    """The rows of ``GET /api/v1/organizations/`` for a visitor: active organizations by name."""
    organizations = Organization.objects.filter(status=Organization.Status.ACTIVE).order_by("name")
    return _rows(request, organizations.values(*ORGANIZATION_FIELDS), 20)


def bare_members(request: HttpRequest) -> JsonResponse:
    """The rows of the ``/members/`` directory's first page."""
    organizations = Organization.objects.filter(status=Organization.Status.ACTIVE).order_by("name")
    return _rows(request, organizations.values(*ORGANIZATION_FIELDS), MEMBERS_PER_PAGE)


def bare_events(request: HttpRequest) -> JsonResponse:
    """The rows of the ``/events/`` page for a visitor: public, listed, not over, soonest first."""
    events = Event.objects.filter(
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        visibility=Event.Visibility.PUBLIC,
        ends_at__gte=timezone.now(),
    ).order_by("starts_at", "pk")
    fields = ("slug", "title", "kind", "format", "venue", "starts_at", "ends_at", "capacity", "confirmed_count")
    return _rows(request, events.values(*fields, "project__title"), EVENTS_PER_PAGE)


def bare_projects(request: HttpRequest) -> JsonResponse:
    """The rows of the ``/projects/`` page for a visitor: public, listed projects."""
    projects = Project.objects.filter(state__in=Project.LISTED_STATES, visibility=Project.Visibility.PUBLIC)
    fields = ("slug", "title", "summary", "kind", "state", "license")
    return _rows(request, projects.order_by("title", "pk").values(*fields), PROJECTS_PER_PAGE)


@csrf_exempt
@require_POST
def bare_register(request: HttpRequest, slug: str) -> JsonResponse:
    """A seat or the waitlist, with the token the API takes; the least a correct signup needs."""
    keyword, _, key = request.headers.get("Authorization", "").partition(" ")
    token = api_token_authenticate(key) if keyword == "Token" else None
    if token is None:
        return JsonResponse({"detail": "not signed in"}, status=401)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(slug=slug)
        now = timezone.now()
        registration = Registration(event=event, person_id=token.user_id)
        if event.capacity is None or event.confirmed_count < event.capacity:
            registration.status, registration.confirmed_at = Registration.Status.CONFIRMED, now
            Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
        else:
            registration.status, registration.waitlisted_at = Registration.Status.WAITLISTED, now
        registration.save()
    return JsonResponse({"id": registration.pk, "status": registration.status}, status=201)


urlpatterns = [
    path("bench/bare/organizations/", bare_organizations),
    path("bench/bare/members/", bare_members),
    path("bench/bare/events/", bare_events),
    path("bench/bare/projects/", bare_projects),
    path("bench/bare/events/<slug:slug>/register/", bare_register),
    *portal_urls.urlpatterns,
]
