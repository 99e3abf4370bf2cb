"""Pages of the projects domain: the project list and pages, proposals, the staff review queue, taking part.

Views read through selectors and write only through ``projects.services``. Who may act is asked first (the
services' ``require_may_*``, which the services ask again): a person who may not act gets 403 whatever they
posted, and only one who may hears about what they typed. A ``NotPermitted`` is left to the page middleware
(403); another ``DomainError`` becomes a form error or a message, and nothing has changed. A project the person
may not see answers 404. Every form posts and redirects, so the pages work without JavaScript; htmx only filters
the list as one types and decides review-queue rows in place. The catalog's pages are in projects/catalog/views.py.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotPermitted
from alliance.page_cache import cached_for_visitors
from alliance.pages import filtered_list_page, form_error, refusal_of, staff_required
from members import selectors as members_selectors
from members.models import Organization

from . import selectors, services
from .catalog.selectors import may_submit_catalog_entry, project_catalog_entries
from .forms import DecisionForm, JoinForm, ProjectFilterForm, ProjectForm, ReasonForm, ReviewForm, UpdateForm
from .models import FocusArea, Participation, Project

PAGE_SIZE = 24
ROLE_ORDER = {role: index for index, role in enumerate(Participation.Role.values)}


def _visible_project(request: HttpRequest, slug: str) -> Project:
    """The project, if the person may see it (drafts and proposals only for their people and staff)."""
    return get_object_or_404(selectors.projects_visible_to(request.user), slug=slug)


def _back_to_project(request: HttpRequest, project: Project, error: str, notice: str, anchor: str = "") -> HttpResponse:
    """To the project's page, with the refusal or the notice."""
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(project.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _reason(request: HttpRequest) -> str:
    """The optional reason a form posted (empty when it is not readable)."""
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


# --- the project list ----------------------------------------------------------------------------------------


@cached_for_visitors("projects")
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
    return filtered_list_page(
        request,
        selectors.project_list(person=request.user, **filters),
        form=form,
        filters=filters,
        page_size=PAGE_SIZE,
        name="projects",
        template="projects/project_list.html",
        results_template="projects/partials/project_results.html",
    )


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    """The projects one leads, takes part in or asked to join, with their state."""
    participations = list(selectors.person_projects(request.user))
    return render(
        request,
        "projects/my_projects.html",
        {"participations": participations, "can_propose": selectors.may_propose_project(request.user)},
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
    """The project page. Every "may they?" is a selector predicate; they answer from the prefetched people."""
    user = request.user
    participations = sorted(project.participations.all(), key=lambda p: (ROLE_ORDER[p.role], p.created_at, p.pk))
    mine = selectors.project_participation_of(user, project)
    active = Participation.Status.ACTIVE
    live = project.state in Project.LIVE_STATES
    context: dict[str, Any] = {
        "project": project,
        "people": [p for p in participations if p.status == active],
        "pending": [p for p in participations if p.status == Participation.Status.PENDING],
        "mine": mine,
        "is_lead": selectors.is_project_lead(user, project),
        "manages_people": selectors.may_manage_participants(user, project),
        # the service refuses it; say so before the person tries
        "only_lead": mine is not None
        and selectors.leaves_project_without_lead(mine, lead_count=selectors.project_lead_count(project)),
        "updates": project.latest_updates,
        "entries": project_catalog_entries(user, project),
        "can_edit": selectors.may_edit_project(user, project),
        "can_submit": project.state == Project.State.DRAFT and selectors.may_submit_project(user, project),
        "can_join": live and mine is None and selectors.may_join_project(user, project),
        "can_request_archive": live
        and not project.archive_requested_at
        and selectors.may_request_archive(user, project),
        "can_post_update": (live or project.state == Project.State.PROPOSED)
        and selectors.may_post_project_update(user, project),
        "can_submit_entry": live and may_submit_catalog_entry(user, project),
        "role_choices": Participation.Role.choices,
        "join_form": forms.get("join_form") or JoinForm(),
        "update_form": forms.get("update_form") or UpdateForm(),
    }
    if user.is_staff:
        context |= {
            "staff_actions": _staff_actions(project),
            "reviews": list(project.reviews.select_related("reviewer")),
            "review_form": forms.get("review_form") or ReviewForm(),
            "decision_form": forms.get("decision_form") or DecisionForm(),
            "conflict": project.state == Project.State.PROPOSED and selectors.has_sponsor_conflict(user, project),
        }
    return render(request, "projects/project_detail.html", context, status=status)


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
    if request.method == "POST":
        services.require_may_propose(request.user)
    form = ProjectForm(
        request.POST or None,
        person=request.user,
        initial={
            "sponsors": Organization.objects.filter(
                affiliations__person=request.user, status=Organization.Status.ACTIVE
            )
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your draft is saved. Read it over, then submit it for review.")
            return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "can_propose": selectors.may_propose_project(request.user)},
        status=400 if form.errors else 200,
    )


@login_required
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    services.require_may_edit(request.user, project)
    form = ProjectForm(
        request.POST or None, person=request.user, project=project, initial=ProjectForm.initial_for(project)
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        focus_areas = fields.pop("focus_areas", None)
        sponsors = fields.pop("sponsors", None)
        try:
            services.project_update(
                actor=request.user, project=project, focus_areas=focus_areas, sponsors=sponsors, **fields
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
    return _back_to_project(request, project, error, "Your proposal was submitted; alliance staff will review it.")


DECISION_MESSAGES = {
    DecisionForm.ACCEPT: "{project} was accepted and is now incubating.",
    DecisionForm.REJECT: "{project} was rejected; the proposer has been told why.",
}


@staff_required
@require_POST
def project_decide(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff accept or reject a proposal, from its page or a row of the review queue.

    A reviewer from a sponsoring organization is told so where they decide (the row or the page), not on a 403
    page, and before anything they typed is read.
    """
    project = _visible_project(request, slug)
    from_queue = request.POST.get("from") == "queue"
    try:
        services.require_may_decide(request.user, project)
    except NotPermitted as conflict:  # told where they decide, with an empty form: what they typed is not read
        if request.htmx and from_queue:
            project.review_count = project.reviews.count()
            context = {"project": project, "form": DecisionForm(), "refusal": conflict.message}
            return render(request, "projects/partials/proposal_row.html", context)
        messages.error(request, conflict.message)
        return redirect("projects:review_queue" if from_queue else project.get_absolute_url())
    form = DecisionForm(request.POST)
    error = ""
    try:
        if form.is_valid():
            decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
            if decision == DecisionForm.ACCEPT:
                project = services.project_accept(actor=request.user, project=project, reason=reason)
            else:
                project = services.project_reject(actor=request.user, project=project, reason=reason)
    except DomainError as refusal:
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
    messages.error(request, error or "; ".join(message for errors in form.errors.values() for message in errors))
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
    kwargs: dict[str, Any] = {"reason": _reason(request)} if action == "archive" else {}
    error = refusal_of(service, actor=request.user, project=project, **kwargs)
    return _back_to_project(request, project, error, done.format(project=project))


@login_required
@require_POST
def project_request_archive(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    services.require_may_request_archive(request.user, project)
    error = refusal_of(services.project_request_archive, actor=request.user, project=project, reason=_reason(request))
    return _back_to_project(request, project, error, "Staff were asked to archive the project.")


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
            return _back_to_project(request, project, "", "Your review was recorded.", anchor="reviews")
    detailed = selectors.project_detail(person=request.user, slug=slug)
    if detailed is None:  # gone since the person saw it
        raise Http404("No project here.")
    return _render_project(request, detailed, status=400, review_form=form)


# --- taking part ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def project_join(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    services.require_may_join(request.user, project)
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        participation = services.participation_join(actor=request.user, project=project, message=message)
    except DomainError as error:
        if error.field != "message":
            return _back_to_project(request, project, error.message, "")
        form_error(form, error)  # the page again, with what they wrote to shorten
        detailed = selectors.project_detail(person=request.user, slug=project.slug)
        if detailed is None:
            raise Http404("No project here.") from error
        return _render_project(request, detailed, status=400, join_form=form)
    if participation.status == Participation.Status.PENDING:
        return _back_to_project(request, project, "", f"You asked to join {project}; its leads will decide.")
    return _back_to_project(request, project, "", f"Welcome to {project}!")


@login_required
@require_POST
def project_leave(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    error = refusal_of(services.participation_leave, actor=request.user, project=project)
    if not error and project.state not in Project.LISTED_STATES and not request.user.is_staff:
        messages.success(request, f"You left {project}.")
        return redirect("projects:my_projects")
    return _back_to_project(request, project, error, f"You left {project}.")


PARTICIPANT_ACTIONS = ("approve", "decline", "role", "remove")


@login_required
@require_POST
def participant_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """A lead (or staff) approves or declines a request to join, changes a role, or removes someone."""
    if action not in PARTICIPANT_ACTIONS:
        raise Http404("No such action.")
    project = _visible_project(request, slug)
    participation = get_object_or_404(Participation.objects.select_related("person", "project"), pk=pk, project=project)
    if action == "remove":
        services.require_may_remove_participant(request.user, participation)
    else:
        services.require_may_manage_participants(request.user, project)
    name = participation.person.get_full_name()
    if action == "approve":
        error = refusal_of(services.participation_approve, actor=request.user, participation=participation)
        notice = f"{name} now takes part in the project."
    elif action == "decline":
        error = refusal_of(services.participation_decline, actor=request.user, participation=participation)
        notice = f"{name}'s request was declined."
    elif action == "role":
        role = str(request.POST.get("role", ""))
        error = refusal_of(
            services.participation_change_role, actor=request.user, participation=participation, role=role
        )
        notice = "" if error else f"{name} is now {Participation.Role(role).label.lower()}."
    else:
        error = refusal_of(services.participation_remove, actor=request.user, participation=participation)
        notice = f"{name} was removed from the project."
    return _back_to_project(request, project, error, notice, "people")


@login_required
@require_POST
def update_post(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible_project(request, slug)
    services.require_may_post_update(request.user, project)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            services.project_update_post(actor=request.user, project=project, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            return _back_to_project(
                request, project, "", "Your update was posted; the participants were told.", "updates"
            )
    detailed = selectors.project_detail(person=request.user, slug=slug)
    if detailed is None:  # gone since the person saw it
        raise Http404("No project here.")
    return _render_project(request, detailed, status=400, update_form=form)


# --- the review queue ----------------------------------------------------------------------------------------


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    projects = list(selectors.project_review_queue())
    return render(request, "projects/review_queue.html", {"projects": projects, "form": DecisionForm()})
