"""Pages of the projects domain: the project list and pages, proposals, the staff review queue, the catalog.

Views read through selectors and write only through ``projects.services``, like the members pages: a
``DomainError`` becomes a form error or a message and nothing has changed; ``NotPermitted`` answers 403; a
project or entry the person may not see answers 404. Every form posts and redirects, so the pages work
without JavaScript; htmx only filters the lists as one types and decides review-queue rows in place.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotPermitted
from alliance.pages import form_error, query_string_without_page, refusal_of, staff_required
from members import selectors as members_selectors
from members.models import Affiliation, Organization

from . import selectors, services
from .forms import (
    CatalogEntryForm,
    CatalogFilterForm,
    ChecklistForm,
    DecisionForm,
    JoinForm,
    ProjectFilterForm,
    ProjectForm,
    ReasonForm,
    ReviewForm,
    RoleForm,
    UpdateForm,
)
from .models import CatalogEntry, FocusArea, Participation, Project

PAGE_SIZE = 24
ROLE_ORDER = {role: index for index, role in enumerate(Participation.Role.values)}


def _visible_project(request: HttpRequest, slug: str) -> Project:
    """The project, if the person may see it (drafts and proposals only for their people and staff)."""
    return get_object_or_404(selectors.projects_visible_to(request.user), slug=slug)


def _raise_not_permitted(action, *args, **kwargs) -> Any:
    """Call a service whose ``NotPermitted`` means 403; other refusals are left to the caller."""
    try:
        return action(*args, **kwargs)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error


def _done(request: HttpRequest, project: Project, error: str, notice: str, anchor: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(project.get_absolute_url() + (f"#{anchor}" if anchor else ""))


# --- the project list ----------------------------------------------------------------------------------------


def project_list(request: HttpRequest) -> HttpResponse:
    """Listed projects, searchable and filtered; htmx swaps only the results while the person types."""
    form = ProjectFilterForm(
        request.GET,
        focus_areas=FocusArea.objects.order_by("name").only("slug", "name"),
        organizations=Organization.objects.filter(status=Organization.Status.ACTIVE)
        .order_by("name")
        .only("slug", "name"),
        show_state=request.user.is_staff,
    )
    filters = form.filters()
    projects = selectors.project_list(person=request.user, **filters)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "projects": page.object_list,
        "query_string": query_string_without_page(request),
        "filtered": any(filters.values()),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "projects/partials/project_results.html", context)
    return render(request, "projects/project_list.html", context)


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    """The projects one leads, takes part in or asked to join, with their state."""
    participations = list(selectors.person_projects(request.user))
    return render(
        request,
        "projects/my_projects.html",
        {"participations": participations, "can_propose": members_selectors.is_alliance_member(request.user)},
    )


def organization_projects(request: HttpRequest, slug: str) -> HttpResponse:
    """The projects an organization sponsors or its people take part in: a part of the organization's page."""
    organization = get_object_or_404(members_selectors.organizations_visible_to(request.user), slug=slug)
    projects = list(selectors.organization_projects(organization))
    return render(
        request, "projects/partials/organization_projects.html", {"organization": organization, "projects": projects}
    )


# --- one project ---------------------------------------------------------------------------------------------


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = selectors.project_detail(person=request.user, slug=slug)
    if project is None:
        raise Http404("No project here.")
    return _render_project(request, project)


def _render_project(request: HttpRequest, project: Project, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    is_staff = user.is_staff
    participations = sorted(project.participations.all(), key=lambda p: (ROLE_ORDER[p.role], p.created_at, p.pk))
    mine = next((p for p in participations if p.person_id == user.pk), None)
    active = Participation.Status.ACTIVE
    is_lead = mine is not None and mine.role == Participation.Role.LEAD and mine.status == active
    takes_part = mine is not None and mine.status == active
    live = project.state in Project.LIVE_STATES
    entries = [
        entry
        for entry in project.catalog_entries.all()
        if is_staff or takes_part or entry.status != CatalogEntry.Status.SUBMITTED
    ]
    context: dict[str, Any] = {
        "project": project,
        "people": [p for p in participations if p.status == active],
        "pending": [p for p in participations if p.status == Participation.Status.PENDING],
        "mine": mine,
        "is_lead": is_lead,
        "manages_people": is_lead or is_staff,
        # the service refuses it; say so before the person tries
        "only_lead": is_lead
        and live
        and sum(p.role == Participation.Role.LEAD for p in participations if p.status == active) == 1,
        "updates": project.latest_updates,
        "entries": entries,
        "can_edit": _can_edit(user, project, is_lead),
        "can_submit": project.state == Project.State.DRAFT and user.pk == project.proposer_id,
        "can_join": user.is_authenticated and mine is None and live,
        "can_request_archive": is_lead and live and not project.archive_requested_at,
        "can_post_update": is_lead and (live or project.state == Project.State.PROPOSED),
        "can_submit_entry": is_lead and live,
        "role_choices": Participation.Role.choices,
        "join_form": forms.get("join_form") or JoinForm(),
        "update_form": forms.get("update_form") or UpdateForm(),
    }
    if is_staff:
        context |= {
            "staff_actions": _staff_actions(project),
            "reviews": list(project.reviews.select_related("reviewer")),
            "review_form": forms.get("review_form") or ReviewForm(),
            "decision_form": forms.get("decision_form") or DecisionForm(),
            "conflict": project.state == Project.State.PROPOSED
            and Affiliation.objects.filter(person=user, organization__in=project.sponsors.all()).exists(),
        }
    return render(request, "projects/project_detail.html", context, status=status)


def _can_edit(user: Any, project: Project, is_lead: bool) -> bool:
    """Whether to offer the edit form; ``project_update`` decides."""
    if user.is_staff:
        return True
    if project.state == Project.State.DRAFT:
        return user.pk == project.proposer_id
    return is_lead and project.state in (*Project.LIVE_STATES, Project.State.ARCHIVED)


def _staff_actions(project: Project) -> list[tuple[str, str, str]]:
    """(action, button label, button style) that staff may take on a project in its state."""
    return {
        Project.State.INCUBATING: [("promote", "Promote to active", "button-success"), ("archive", "Archive", "")],
        Project.State.ACTIVE: [("archive", "Archive", "")],
        Project.State.ARCHIVED: [("revive", "Revive as active", "button-success")],
    }.get(project.state, [])


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    """A member writes a draft proposal; it is submitted for review from its page."""
    form = ProjectForm(
        request.POST or None,
        person=request.user,
        initial={
            "sponsors": Organization.objects.filter(
                affiliations__person=request.user, status=Organization.Status.ACTIVE
            )
        },
    )
    can_propose = members_selectors.is_alliance_member(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = _raise_not_permitted(services.project_create, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your draft is saved. Read it over, then submit it for review.")
            return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "can_propose": can_propose},
        status=400 if form.errors else 200,
    )


@login_required
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    is_lead = selectors.is_project_lead(request.user, project)
    if not _can_edit(request.user, project, is_lead):
        raise PermissionDenied("You cannot edit this project.")
    form = ProjectForm(
        request.POST or None, person=request.user, project=project, initial=ProjectForm.initial_for(project)
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        focus_areas = fields.pop("focus_areas", None)
        sponsors = fields.pop("sponsors", None)
        try:
            _raise_not_permitted(
                services.project_update,
                actor=request.user,
                project=project,
                focus_areas=focus_areas,
                sponsors=sponsors,
                **fields,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "The project was saved." if form.changed_data else "Nothing changed.")
            return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "can_propose": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def project_submit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    error = refusal_of(services.project_submit, actor=request.user, project=project)
    return _done(request, project, error, "Your proposal was submitted; alliance staff will review it.")


DECISION_MESSAGES = {
    DecisionForm.ACCEPT: "{project} was accepted and is now incubating.",
    DecisionForm.REJECT: "{project} was rejected; the proposer has been told why.",
}


@staff_required
@require_POST
def project_decide(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff accept or reject a proposal, from its page or a row of the review queue."""
    project = _visible_project(request, slug)
    form = DecisionForm(request.POST)
    from_queue = request.POST.get("from") == "queue"
    error = ""
    if form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == DecisionForm.ACCEPT:
                project = services.project_accept(actor=request.user, project=project, reason=reason)
            else:
                project = services.project_reject(actor=request.user, project=project, reason=reason)
        except DomainError as refusal:  # including the conflict of interest: shown, not a 403 page
            form_error(form, refusal)
            error = refusal.message
    project.review_count = project.reviews.count()
    if not form.errors:
        notice = DECISION_MESSAGES[form.cleaned_data["decision"]].format(project=project)
        if request.htmx and from_queue:
            return render(request, "projects/partials/proposal_row.html", {"project": project, "notice": notice})
        messages.success(request, notice)
        return redirect("projects:review_queue" if from_queue else project.get_absolute_url())
    if request.htmx and from_queue:
        return render(request, "projects/partials/proposal_row.html", {"project": project, "form": form})
    message = error or "; ".join(message for errors in form.errors.values() for message in errors)
    messages.error(request, message)
    return redirect("projects:review_queue" if from_queue else project.get_absolute_url())


STAFF_TRANSITIONS = {
    "promote": (services.project_promote, "{project} is now active."),
    "archive": (services.project_archive, "{project} was archived."),
    "revive": (services.project_revive, "{project} is active again."),
}


@staff_required
@require_POST
def project_transition(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    if action not in STAFF_TRANSITIONS:
        raise Http404("No such action.")
    project = _visible_project(request, slug)
    service, done = STAFF_TRANSITIONS[action]
    kwargs: dict[str, Any] = {}
    if action == "archive":
        form = ReasonForm(request.POST)
        kwargs["reason"] = form.cleaned_data["reason"] if form.is_valid() else ""
    error = refusal_of(service, actor=request.user, project=project, **kwargs)
    return _done(request, project, error, done.format(project=project))


@login_required
@require_POST
def project_request_archive(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    error = refusal_of(services.project_request_archive, actor=request.user, project=project, reason=reason)
    return _done(request, project, error, "Staff were asked to archive the project.")


@staff_required
@require_POST
def project_review(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_review_add(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(request, project, "", "Your review was recorded.", anchor="reviews")
    project = selectors.project_detail(person=request.user, slug=slug)
    return _render_project(request, project, status=400, review_form=form)


# --- taking part ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def project_join(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        participation = _raise_not_permitted(
            services.participation_join, actor=request.user, project=project, message=message
        )
    except DomainError as error:
        return _done(request, project, error.message, "")
    if participation.status == Participation.Status.PENDING:
        return _done(request, project, "", f"You asked to join {project}; its leads will decide.")
    return _done(request, project, "", f"Welcome to {project}!")


@login_required
@require_POST
def project_leave(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    error = refusal_of(services.participation_leave, actor=request.user, project=project)
    if not error and project.state not in Project.LISTED_STATES and not request.user.is_staff:
        messages.success(request, f"You left {project}.")
        return redirect("projects:my_projects")
    return _done(request, project, error, f"You left {project}.")


@login_required
@require_POST
def participant_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """A lead (or staff) approves or declines a request to join, changes a role, or removes someone."""
    project = _visible_project(request, slug)
    participation = get_object_or_404(Participation.objects.select_related("person", "project"), pk=pk, project=project)
    name = participation.person.get_full_name()
    if action == "approve":
        error = refusal_of(services.participation_approve, actor=request.user, participation=participation)
        notice = f"{name} now takes part in the project."
    elif action == "decline":
        error = refusal_of(services.participation_decline, actor=request.user, participation=participation)
        notice = f"{name}'s request was declined."
    elif action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            return _done(request, project, "Choose lead, maintainer, contributor or observer.", "", "people")
        role = form.cleaned_data["role"]
        error = refusal_of(
            services.participation_change_role, actor=request.user, participation=participation, role=role
        )
        notice = f"{name} is now {Participation.Role(role).label.lower()}."
    elif action == "remove":
        error = refusal_of(services.participation_remove, actor=request.user, participation=participation)
        notice = f"{name} was removed from the project."
    else:
        raise Http404("No such action.")
    return _done(request, project, error, notice, "people")


@login_required
@require_POST
def update_post(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            _raise_not_permitted(services.project_update_post, actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            return _done(request, project, "", "Your update was posted; the participants were told.", "updates")
    project = selectors.project_detail(person=request.user, slug=slug)
    return _render_project(request, project, status=400, update_form=form)


# --- the review queue ----------------------------------------------------------------------------------------


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    projects = list(selectors.project_review_queue())
    return render(request, "projects/review_queue.html", {"projects": projects, "form": DecisionForm()})


# --- the catalog ---------------------------------------------------------------------------------------------


def catalog_list(request: HttpRequest) -> HttpResponse:
    """Validated tools, models, datasets, benchmarks and learning resources, searchable and filtered."""
    form = CatalogFilterForm(
        request.GET,
        focus_areas=FocusArea.objects.order_by("name").only("slug", "name"),
        licenses=CatalogEntry.objects.order_by("license").values_list("license", flat=True).distinct(),
    )
    filters = form.filters()
    entries = selectors.catalog_list(person=request.user, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "entries": page.object_list,
        "query_string": query_string_without_page(request),
        "filtered": any(filters.values()),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "projects/partials/catalog_results.html", context)
    return render(request, "projects/catalog_list.html", context)


def _visible_entry(request: HttpRequest, pk: int) -> CatalogEntry:
    return get_object_or_404(selectors.catalog_list(person=request.user), pk=pk)


def catalog_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible_entry(request, pk)
    return _render_entry(request, entry)


def _render_entry(request: HttpRequest, entry: CatalogEntry, *, checklist_form=None, status: int = 200) -> HttpResponse:
    is_lead = selectors.is_project_lead(request.user, entry.project)
    checklist = [(label, entry.checklist.get(key, False)) for key, label in services.CATALOG_CHECKLIST.items()]
    return render(
        request,
        "projects/catalog_detail.html",
        {
            "entry": entry,
            "project": entry.project,
            "checklist": checklist,
            "checklist_form": checklist_form or ChecklistForm(),
            "can_validate": request.user.is_staff and entry.status != CatalogEntry.Status.DEPRECATED,
            "can_deprecate": (request.user.is_staff or is_lead) and entry.status != CatalogEntry.Status.DEPRECATED,
        },
        status=status,
    )


@login_required
def catalog_entry_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead submits a tool, model, dataset, benchmark or learning resource of the project to the catalog."""
    project = _visible_project(request, slug)
    if not selectors.is_project_lead(request.user, project):
        raise PermissionDenied(f"Only a lead of {project} can submit catalog entries.")
    form = CatalogEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = _raise_not_permitted(
                services.catalog_entry_submit, actor=request.user, project=project, **form.cleaned_data
            )
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
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    error = refusal_of(services.catalog_entry_deprecate, actor=request.user, entry=entry, reason=reason)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{entry} is now marked deprecated.")
    return redirect(entry)
