import logging
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from members.forms import AuditFilterForm
from members.models import Organization

from .models import AuditEntry, Notification

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer; 503 naming the one that does not."""
    checks = {"database": _check_database, "cache": _check_cache}
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:
            logger.warning("Health check %s failed: %r", name, error)
            results[name] = f"unavailable: {error.__class__.__name__}"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    cache.set("healthz", "ok", timeout=5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not keep a value")


def staff_required(view):
    """Anonymous people are sent to sign in; signed-in people who are not staff get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only alliance staff can see this page.")
        return view(request, *args, **kwargs)

    return wrapper


def home(request: HttpRequest) -> HttpResponse:
    """What the alliance is, how many members it has of each kind, and the way in."""
    active = Organization.objects.filter(status=Organization.Status.ACTIVE)
    totals = dict(active.order_by().values_list("kind").annotate(total=Count("pk")))
    kinds = [(value, label, totals[value]) for value, label in Organization.Kind.choices if totals.get(value)]
    newest = list(active.order_by("-member_since", "name")[:6])
    return render(
        request,
        "home.html",
        {"kinds": kinds, "member_count": sum(totals.values()), "newest": newest},
    )


AUDIT_PAGE_SIZE = 50


@staff_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail for staff, newest first, filtered by action and by target; fixed query count.

    It also tells staff how many notifications could not be delivered after every attempt.
    """
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor", "target_type").order_by("-created_at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__istartswith=data["action"].strip())
        if data["target"]:
            entries = entries.filter(target_repr__icontains=data["target"].strip())
        if data["target_type"] and data["target_id"]:
            entries = entries.filter(target_type_id=data["target_type"], target_id=data["target_id"])
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alliance/audit_log.html",
        {
            "form": form,
            "page_obj": page,
            "entries": page.object_list,
            "actions": list(actions),
            "query_string": query.urlencode() + "&" if query else "",
            "failed_notification_count": Notification.objects.filter(status=Notification.Status.FAILED).count(),
        },
    )
