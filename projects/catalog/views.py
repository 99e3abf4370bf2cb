"""The catalog's pages: the searchable catalog, an entry's page, submitting, validating and deprecating.

As on the project pages, who may act is asked before what was posted is read (``require_may_*`` of
``projects.catalog.services``); a ``NotPermitted`` is left to the page middleware (403), an entry the person may
not see answers 404. The templates are the app's: ``projects/catalog_*.html``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alliance.errors import DomainError
from alliance.pages import filtered_list_page, form_error, refusal_of, staff_required
from members.selectors import organizations_visible_to
from projects.forms import ReasonForm
from projects.models import CatalogEntry, FocusArea
from projects.selectors import projects_visible_to

from . import selectors, services
from .forms import CatalogEntryForm, CatalogFilterForm, ChecklistForm

PAGE_SIZE = 24
ORGANIZATION_PAGE_ENTRIES = 12


def catalog_list(request: HttpRequest) -> HttpResponse:
    """Validated tools, models, datasets, benchmarks and learning resources, searchable and filtered."""
    form = CatalogFilterForm(
        request.GET,
        focus_areas=FocusArea.objects.order_by("name").only("slug", "name"),
        licenses=selectors.catalog_licenses(),
    )
    filters = form.filters()
    return filtered_list_page(
        request,
        selectors.catalog_list(person=request.user, **filters),
        form=form,
        filters=filters,
        page_size=PAGE_SIZE,
        name="entries",
        template="projects/catalog_list.html",
        results_template="projects/partials/catalog_results.html",
    )


def _visible_entry(request: HttpRequest, pk: int) -> CatalogEntry:
    entry = selectors.catalog_entry_visible_to(request.user, pk)
    if entry is None:
        raise Http404("No catalog entry here.")
    return entry


def catalog_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_entry(request, _visible_entry(request, pk))


def _render_entry(
    request: HttpRequest, entry: CatalogEntry, *, checklist_form: ChecklistForm | None = None, status: int = 200
) -> HttpResponse:
    open_entry = entry.status != CatalogEntry.Status.DEPRECATED
    checklist = [(label, entry.checklist.get(key, False)) for key, label in services.CATALOG_CHECKLIST.items()]
    return render(
        request,
        "projects/catalog_detail.html",
        {
            "entry": entry,
            "project": entry.project,
            "checklist": checklist,
            "checklist_form": checklist_form or ChecklistForm(),
            "can_validate": open_entry and selectors.may_validate_catalog_entry(request.user),
            "can_deprecate": open_entry and selectors.may_deprecate_catalog_entry(request.user, entry),
        },
        status=status,
    )


@login_required
def catalog_entry_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead submits a tool, model, dataset, benchmark or learning resource of the project to the catalog."""
    project = get_object_or_404(projects_visible_to(request.user), slug=slug)
    services.require_may_submit_catalog_entry(request.user, project)
    form = CatalogEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.catalog_entry_submit(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{entry} was submitted; staff will validate it against the checklist.")
            return redirect(entry)
    return render(
        request,
        "projects/catalog_entry_form.html",
        {"form": form, "project": project},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def catalog_validate(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff validate (or renew) an entry: every item of the checklist must be ticked."""
    entry = _visible_entry(request, pk)
    services.require_may_validate_catalog_entry(request.user)
    form = ChecklistForm(request.POST)
    form.is_valid()
    renewing = entry.status in (CatalogEntry.Status.VALIDATED, CatalogEntry.Status.EXPIRED)
    try:
        entry = services.catalog_entry_validate(actor=request.user, entry=entry, checklist=form.checklist())
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_entry(request, entry, checklist_form=form, status=400)
    messages.success(
        request, f"{entry} was {'renewed' if renewing else 'validated'} until {entry.expires_at:%d %B %Y}."
    )
    return redirect(entry)


@login_required
@require_POST
def catalog_deprecate(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible_entry(request, pk)
    services.require_may_deprecate_catalog_entry(request.user, entry)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    error = refusal_of(services.catalog_entry_deprecate, actor=request.user, entry=entry, reason=reason)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{entry} is now marked deprecated.")
    return redirect(entry)


def organization_catalog(request: HttpRequest, slug: str) -> HttpResponse:
    """The catalog entries of the projects an organization leads: a part of the organization's page."""
    organization = get_object_or_404(organizations_visible_to(request.user), slug=slug)
    entries = selectors.organization_catalog_entries(organization, person=request.user)
    return render(
        request,
        "projects/partials/organization_catalog.html",
        {"organization": organization, "entries": list(entries[: ORGANIZATION_PAGE_ENTRIES + 1])},
    )
