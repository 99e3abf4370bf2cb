"""Pages of the top floor: the home page (it counts member organizations and shows a person the ballots waiting for
their vote), the staff audit trail, and the uploads of the embedded default."""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.static import serve

from alliance.governance.selectors import ballots_awaiting_vote
from alliance.models import AuditEntry, Notification
from alliance.pages import query_string_without_page, staff_required
from members.models import Organization
from members.selectors import organizations_in_good_standing

from .forms import AuditFilterForm


def home(request: HttpRequest) -> HttpResponse:
    """What the alliance is, how many members it has of each kind, and the way in; for a signed-in person, the open
    ballots waiting for their vote ("my open ballots", one query)."""
    active = organizations_in_good_standing()  # a lapsed member is not counted (it left the directory too)
    totals = dict(active.order_by().values_list("kind").annotate(total=Count("pk")))
    kinds = [(value, label, totals[value]) for value, label in Organization.Kind.choices if totals.get(value)]
    newest = list(active.order_by("-member_since", "name")[:6])
    return render(
        request,
        "home.html",
        {
            "kinds": kinds,
            "member_count": sum(totals.values()),
            "newest": newest,
            "open_ballots": list(ballots_awaiting_vote(request.user)),
        },
    )


def media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded file (a logo) from ``MEDIA_ROOT``, where the portal keeps uploads itself.

    Only with ``MEDIA_SERVED_BY_PORTAL`` (the local settings): production keeps uploads in object storage and
    links to it. Uploads are images re-encoded on the way in, served with their own type and ``nosniff``.
    """
    if not settings.MEDIA_SERVED_BY_PORTAL:
        raise Http404("Uploads are not served here.")
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation as error:  # a path out of the folder ("../")
        raise Http404("No such upload.") from error


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
    return render(
        request,
        "alliance/audit_log.html",
        {
            "form": form,
            "page_obj": page,
            "entries": page.object_list,
            "actions": list(actions),
            "query_string": query_string_without_page(request),
            "failed_notification_count": Notification.objects.filter(status=Notification.Status.FAILED).count(),
        },
    )
