"""Pages of the top floor: the home page (a visitor's: the alliance and its members; a signed-in person's and staff's:
what concerns them, from ``home.py``), the staff audit trail, and the uploads of the embedded default."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.static import serve

from alliance.audit_pages import audit_trail_page
from alliance.errors import DomainError
from alliance.mail import mail_file_text, mail_files
from alliance.models import AuditEntry, Notification
from alliance.pages import form_error, staff_required
from members import services as member_services
from members.models import Organization
from members.selectors import (
    organizations_in_good_standing,
    people_with_public_page,
    person_affiliations,
    person_public_affiliations,
    with_tier_name,
)
from projects.selectors import person_public_participations, person_public_updates

from . import home as home_parts
from . import privacy
from .forms import AccountEraseForm, AuditFilterForm, SearchForm
from .search import search


def home(request: HttpRequest) -> HttpResponse:
    """A visitor's home says what the alliance is, how many members it has of each kind, and the way in.

    A signed-in person's home is their own: next events, projects, what their organizations ask of them, ballots
    and unread notifications (``home.person_home``); staff's adds what waits for them (``home.staff_queues``). A
    newcomer with no organization and nothing going on gets the welcome page's next steps instead.
    """
    if request.user.is_authenticated:
        return _signed_in_home(request)
    active = organizations_in_good_standing()  # a lapsed member is not counted (it left the directory too)
    totals = dict(active.order_by().values_list("kind").annotate(total=Count("pk")))
    kinds = [(value, label, totals[value]) for value, label in Organization.Kind.choices if totals.get(value)]
    newest = list(with_tier_name(active.order_by("-member_since", "name"))[:6])  # each card names its tier
    return render(
        request,
        "home.html",
        {"kinds": kinds, "member_count": sum(totals.values()), "newest": newest},
    )


def _signed_in_home(request: HttpRequest) -> HttpResponse:
    person = home_parts.person_home(request.user)
    queues = home_parts.staff_queues(request.user) if request.user.is_staff else []
    if not queues and person.is_newcomer:
        return render(request, "portal/welcome.html", {"affiliations": []})
    return render(
        request,
        "portal/home.html",
        {"home": person, "queues": queues, "open_ballots": person.ballots},
    )


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    """Where a newcomer lands after confirming their address: join or register an organization, then browse."""
    return render(request, "portal/welcome.html", {"affiliations": list(person_affiliations(request.user))})


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's page: their name, organizations, projects and project updates, as far as the viewer may see them.
    Only for people who agreed to be listed by name; for anyone else there is no such page."""
    person = people_with_public_page().filter(pk=pk).first()
    if person is None:
        raise Http404("No such person here.")
    return render(
        request,
        "portal/person_detail.html",
        {
            "person": person,
            "affiliations": list(person_public_affiliations(person, viewer=request.user)),
            "participations": list(person_public_participations(person, viewer=request.user)),
            "updates": person_public_updates(person, viewer=request.user),
        },
    )


def search_page(request: HttpRequest) -> HttpResponse:
    """The one search (the header's box): members, projects, catalog entries, events and committees, best first."""
    form = SearchForm(request.GET or None)
    hits: list = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        hits = search(person=request.user, query=query, kind=form.cleaned_data["type"])
    return render(request, "portal/search.html", {"form": form, "hits": hits, "query": query})


def dev_mail(request: HttpRequest) -> HttpResponse:
    """The mails the embedded default wrote under ``var/mail/``, newest first (local settings only)."""
    if not settings.DEV_MAIL_PAGE:
        raise Http404("No mail page here.")
    return render(request, "portal/dev_mail.html", {"mails": mail_files()})


def dev_mail_message(request: HttpRequest, name: str) -> HttpResponse:
    """One written mail's plain text, its links clickable (local settings only)."""
    found = mail_file_text(name) if settings.DEV_MAIL_PAGE else None
    if found is None:
        raise Http404("No such mail.")
    mail, text = found
    return render(request, "portal/dev_mail_message.html", {"mail": mail, "text": text})


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


@staff_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail for staff, newest first, filtered by period, action and target, or as CSV; fixed query count.

    It also tells staff how many notifications could not be delivered after every attempt.
    """
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__istartswith=data["action"].strip())
        if data["target"]:
            entries = entries.filter(target_repr__icontains=data["target"].strip())
        if data["target_type"] and data["target_id"]:
            entries = entries.filter(target_type_id=data["target_type"], target_id=data["target_id"])
    actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()  # lazy: not for CSV
    return audit_trail_page(
        request,
        entries,
        form=form,
        template="alliance/audit_log.html",
        filename="audit-trail.csv",
        context={
            "actions": actions,
            "failed_notification_count": Notification.objects.filter(status=Notification.Status.FAILED).count,
        },
    )


# --- privacy: a person's data, their erasure, the notice ----------------------------------------------------------


def _mfa_on(person: object) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(person)


@login_required
@never_cache
def privacy_account(request: HttpRequest) -> HttpResponse:
    """Your data: download it, or erase the account behind a clear warning (and what to do first, when refused)."""
    return _privacy_account_page(request, AccountEraseForm())


def _privacy_account_page(request: HttpRequest, form: AccountEraseForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "portal/privacy/account.html",
        {"form": form, "refusals": privacy.erasure_refusals(request.user), "mfa_on": _mfa_on(request.user)},
        status=status,
    )


@login_required
@never_cache
def privacy_export(request: HttpRequest) -> HttpResponse:
    """The export as a file to keep: the same document as ``GET /api/v1/me/export/``."""
    document = privacy.personal_data_export(person=request.user)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-alliance-data.json"'
    return response


@login_required
@require_POST
def privacy_erase(request: HttpRequest) -> HttpResponse:
    """Erase the signed-in person's account; they are signed out and told on the home page."""
    form = AccountEraseForm(request.POST)
    if not form.is_valid():
        return _privacy_account_page(request, form, status=400)
    try:
        member_services.account_credentials_check(
            person=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
        )
        privacy.person_erase(actor=request.user, person=request.user)
    except privacy.ErasureRefused as refused:
        form.add_error(None, "Your account cannot be erased yet: " + " ".join(refused.refusals))
        return _privacy_account_page(request, form, status=400)
    except DomainError as error:
        form_error(form, error)
        return _privacy_account_page(request, form, status=400)
    logout(request)
    messages.success(request, "Your account is erased. A last email to your old address confirms it.")
    return redirect("home")


RETENTION_SETTINGS = (
    ("RETENTION_EVENT_DAYS", "Who registered for an event, after it ended"),
    ("RETENTION_NOTIFICATION_DAYS", "Notifications that were delivered"),
    ("RETENTION_WEBHOOK_DAYS", "What a webhook delivery sent (its body)"),
    ("RETENTION_UNVERIFIED_ACCOUNT_DAYS", "Accounts whose address was never confirmed"),
)


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """What the portal keeps about people, why, and for how long (the retention settings' own values)."""
    retention = [(label, getattr(settings, name)) for name, label in RETENTION_SETTINGS]
    return render(request, "portal/privacy/notice.html", {"retention": retention})
