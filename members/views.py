"""Pages of the members domain.

Views read through selectors and write only through ``members.services``. Who may act is asked first (a
``services.require_*`` check, or the service itself), before a form is read: a person without the right gets
403 whatever they posted. A service's ``NotPermitted`` is left to ``alliance.pages.DomainErrorMiddleware``; any
other ``DomainError`` becomes a form error (on its field when it names one) or a message, and nothing has
changed. Per-row actions answer htmx requests with the updated part of the page and plain form posts with a
redirect, so every page works without JavaScript too.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliance import locale
from alliance.audit import action_label
from alliance.audit_pages import AuditPeriodForm, audit_trail_page
from alliance.errors import DomainError
from alliance.models import AuditEntry
from alliance.page_cache import cached_for_visitors
from alliance.pages import filtered_list_page, form_error, refusal_of, safe_next, staff_required

from . import selectors, services
from .adapters import invitation_remember
from .forms import (
    AffiliationProfileForm,
    ApiTokenForm,
    ApplicationForm,
    DecisionForm,
    DirectoryFilterForm,
    DomainForm,
    InvitationForm,
    JoinRequestForm,
    OrganizationForm,
    ProfileForm,
    RenewalForm,
    ResubmitForm,
    RoleForm,
)
from .models import (
    Affiliation,
    ApiToken,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organization,
    OrganizationDomain,
)

DIRECTORY_PAGE_SIZE = 24


# --- directory and public organization pages ---------------------------------------------------------------


@cached_for_visitors("members")
def directory(request: HttpRequest) -> HttpResponse:
    """Active members, searchable and filtered; htmx swaps only the results while the person types."""
    form = DirectoryFilterForm(request.GET, country_codes=selectors.organization_directory_countries())
    filters = form.filters()
    return filtered_list_page(
        request,
        selectors.organization_directory(**filters),
        form=form,
        filters=filters,
        page_size=DIRECTORY_PAGE_SIZE,
        name="organizations",
        template="members/directory.html",
        results_template="members/partials/directory_results.html",
    )


def _visible_organization(request: HttpRequest, slug: str) -> Organization:
    """Active organizations for everyone; applicants and suspended ones only for their own people and staff."""
    organization = selectors.with_tier_name(selectors.organizations_visible_to(request.user)).filter(slug=slug).first()
    if organization is None:
        raise Http404("No organization here.")
    return organization


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _visible_organization(request, slug)
    people = list(selectors.organization_listed_people(organization))
    my_affiliation = selectors.person_affiliation(request.user, organization)
    can_ask_to_join = pending_join_request = False
    if request.user.is_authenticated and my_affiliation is None:
        can_ask_to_join = selectors.is_on_organization_domain(request.user, organization)
        pending_join_request = can_ask_to_join and selectors.has_pending_join_request(request.user, organization)
    return render(
        request,
        "members/organization_detail.html",
        {
            "organization": organization,
            "people": people,
            "my_affiliation": my_affiliation,
            "can_ask_to_join": can_ask_to_join and not pending_join_request,
            "pending_join_request": pending_join_request,
            "join_form": JoinRequestForm(),
        },
    )


@login_required
@require_POST
def join_request_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone signed in who can see the organization may ask; the service says whether their address fits."""
    organization = _visible_organization(request, slug)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The message is too long.")
        return redirect(organization)
    error = refusal_of(
        services.join_request_create,
        actor=request.user,
        organization=organization,
        message=form.cleaned_data["message"],
    )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Your request to join {organization} was sent to its admins.")
    return redirect(organization)


# --- registering and applying -------------------------------------------------------------------------------


def organization_register(request: HttpRequest) -> HttpResponse:
    """A signed-in person registers an organization (as an applicant) and becomes its first admin. A visitor (the
    home page's "Apply for membership") hears why they must sign in first and what happens after."""
    if not request.user.is_authenticated:
        if request.method != "GET":
            return redirect_to_login(request.get_full_path())
        next_query = urlencode({"next": request.path})
        return render(request, "members/apply_sign_in.html", {"next_query": next_query})
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = services.organization_register(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                country=str(data["country"]),
                website=data["website"],
                description=data["description"],
                logo=data["logo"] or None,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"{organization} is registered, and you are its admin. Now apply for membership.")
            return redirect("members:application_create", slug=organization.slug)
    return render(request, "members/organization_register.html", {"form": form})


@login_required
def application_create(request: HttpRequest, slug: str) -> HttpResponse:
    """An admin applies for membership: tier, statement of intent, and acceptance of the charter."""
    organization = _visible_organization(request, slug)
    services.require_organization_admin(request.user, organization)
    open_application = organization.applications.filter(status__in=MembershipApplication.OPEN_STATUSES).first()
    if open_application is not None:
        messages.info(request, f"{organization} already has an open application.")
        return redirect("members:application_detail", pk=open_application.pk)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your application was submitted. The secretariat will review it.")
            return redirect("members:application_detail", pk=application.pk)
    return render(
        request,
        "members/application_create.html",
        {"organization": organization, "form": form, "tiers": list(selectors.membership_tiers())},
    )


def _visible_application(request: HttpRequest, pk: int) -> MembershipApplication:
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


def _application_history(application: MembershipApplication) -> list[AuditEntry]:
    """The application's audit entries, oldest first, each with a label a person reads."""
    entries = list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(MembershipApplication), target_id=str(application.pk)
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for entry in entries:
        entry.label = action_label(entry.action)
    return entries


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    return _render_application(request, application)


def _render_application(
    request: HttpRequest,
    application: MembershipApplication,
    *,
    resubmit_form: ResubmitForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_resubmit = selectors.may_resubmit_application(request.user, application)
    if can_resubmit and resubmit_form is None:
        resubmit_form = ResubmitForm(initial={"tier": application.tier, "statement": application.statement})
    return render(
        request,
        "members/application_detail.html",
        {
            "application": application,
            "organization": application.organization,
            "history": _application_history(application),
            "can_resubmit": can_resubmit,
            "can_withdraw": selectors.may_withdraw_application(request.user, application),
            "can_decide": selectors.may_decide_application(request.user, application),
            "resubmit_form": resubmit_form,
            "tiers": list(selectors.membership_tiers()) if can_resubmit else [],
            "decision_form": decision_form or DecisionForm(),
        },
        status=status,
    )


@login_required
@require_POST
def application_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    services.require_organization_admin(request.user, application.organization)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        try:
            services.application_resubmit(actor=request.user, application=application, **form.cleaned_data)
        except DomainError as error:
            if error.field not in form.fields:  # the application is no longer waiting for changes
                messages.error(request, error.message)
                return redirect("members:application_detail", pk=application.pk)
            form_error(form, error)
        else:
            messages.success(request, "Your application was resubmitted; it is back with the secretariat.")
            return redirect("members:application_detail", pk=application.pk)
    return _render_application(request, application, resubmit_form=form, status=400)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    error = refusal_of(services.application_withdraw, actor=request.user, application=application)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "The application was withdrawn.")
    return redirect("members:application_detail", pk=application.pk)


def _application_url(application: MembershipApplication) -> str:
    return reverse("members:application_detail", kwargs={"pk": application.pk})


def _application_decision_apply(
    request: HttpRequest, application: MembershipApplication, form: DecisionForm
) -> MembershipApplication:
    """Call the service the staff member chose on the form; the reason's rule is the service's."""
    decision = form.cleaned_data["decision"]
    reason = form.cleaned_data["reason"]
    if decision == DecisionForm.APPROVE:
        return services.application_approve(
            actor=request.user, application=application, welcome_note=form.cleaned_data["welcome_note"]
        )
    if decision == DecisionForm.REJECT:
        return services.application_reject(actor=request.user, application=application, reason=reason)
    return services.application_request_changes(actor=request.user, application=application, reason=reason)


DECISION_MESSAGES = {
    DecisionForm.APPROVE: "{organization} is approved and now an active member.",
    DecisionForm.REJECT: "The application of {organization} was rejected; the applicant has been told why.",
    DecisionForm.REQUEST_CHANGES: "{organization} was asked for changes.",
}


@staff_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff approve, reject or ask for changes, from the application page or a row of the review queue."""
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    services.require_application_decider(request.user, application)
    form = DecisionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            application = _application_decision_apply(request, application, form)
        except DomainError as refusal:
            form_error(form, refusal)
            error = refusal.message
    from_queue = request.POST.get("from") == "queue"
    if "confirmed" in form.errors:  # an approval not confirmed: the confirmation page, with its error
        if request.htmx:
            return HttpResponse(headers={"HX-Redirect": _approval_confirmation_url(application, from_queue)})
        return _render_approval_confirmation(request, application, form, from_queue=from_queue, status=400)
    if not form.errors:
        notice = DECISION_MESSAGES[form.cleaned_data["decision"]].format(organization=application.organization)
        if request.htmx and from_queue:
            return render(request, "members/partials/review_row.html", {"application": application, "notice": notice})
        messages.success(request, notice)
        default = reverse("members:review_queue") if from_queue else _application_url(application)
        return redirect(safe_next(request, default))
    if request.htmx and from_queue:
        return render(request, "members/partials/review_row.html", {"application": application, "form": form})
    if from_queue:
        messages.error(request, error or "; ".join(message for errors in form.errors.values() for message in errors))
        return redirect("members:review_queue")
    return _render_application(request, application, decision_form=form, status=400)


def _approval_confirmation_url(application: MembershipApplication, from_queue: bool) -> str:
    url = reverse("members:application_approve", kwargs={"pk": application.pk})
    return f"{url}?from=queue" if from_queue else url


def _render_approval_confirmation(
    request: HttpRequest, application: MembershipApplication, form: DecisionForm, *, from_queue: bool, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "members/application_approve.html",
        {
            "application": application,
            "organization": application.organization,
            "tier": selectors.tier_by_code(application.tier),
            "form": form,
            "from_queue": from_queue,
            "back_url": reverse("members:review_queue") if from_queue else _application_url(application),
        },
        status=status,
    )


@staff_required
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The step before an approval: what is approved, a welcome note for the admins, and a box to tick. It works
    without JavaScript; the form posts to ``application_decide``."""
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    services.require_application_decider(request.user, application)
    if application.status not in MembershipApplication.AWAITING_STAFF:
        messages.info(request, f"This application is {application.get_status_display().lower()}: nothing to approve.")
        return redirect("members:application_detail", pk=application.pk)
    form = DecisionForm(initial={"decision": DecisionForm.APPROVE})
    return _render_approval_confirmation(request, application, form, from_queue=request.GET.get("from") == "queue")


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.application_review_queue())
    return render(request, "members/review_queue.html", {"applications": applications})


# --- my organizations ---------------------------------------------------------------------------------------


@login_required
def my_organizations(request: HttpRequest) -> HttpResponse:
    affiliations = list(selectors.person_affiliations(request.user))
    latest: dict[int, MembershipApplication] = {}
    for application in MembershipApplication.objects.filter(
        organization__in=[affiliation.organization_id for affiliation in affiliations]
    ).order_by("organization_id", "-submitted_at", "-id"):
        latest.setdefault(application.organization_id, application)
    rows = [(affiliation, latest.get(affiliation.organization_id)) for affiliation in affiliations]
    return render(request, "members/my_organizations.html", {"rows": rows})


def _managed_organization(request: HttpRequest, slug: str) -> tuple[Organization, Affiliation | None]:
    """The organization and the person's affiliation with it; outsiders (other than staff) get a 404."""
    organization = get_object_or_404(selectors.with_tier_name(Organization.objects.all()), slug=slug)
    affiliation = selectors.person_affiliation(request.user, organization)
    if affiliation is None and not request.user.is_staff:
        raise Http404("No organization here.")
    return organization, affiliation


def _manage_context(
    request: HttpRequest, organization: Organization, affiliation: Affiliation | None, **forms: Any
) -> dict[str, Any]:
    is_admin = selectors.may_manage_organization(request.user, organization)
    context: dict[str, Any] = {
        "organization": organization,
        "my_affiliation": affiliation,
        "is_admin": is_admin,
        "people": list(selectors.organization_people(organization)),
        "role_choices": Affiliation.Role.choices,
    }
    if is_admin:
        context |= {
            "invitations": list(organization.invitations.select_related("invited_by")[:100]),
            "domains": list(organization.domains.all()),
            "join_requests": list(
                selectors.organization_join_requests(organization, status=JoinRequest.Status.PENDING)
            ),
            "latest_application": selectors.with_tier_name(
                organization.applications.order_by("-submitted_at", "-id")
            ).first(),
            "profile_form": forms.get("profile_form")
            or OrganizationForm(instance=Organization.objects.get(pk=organization.pk)),
            "invitation_form": forms.get("invitation_form") or InvitationForm(),
            "domain_form": forms.get("domain_form") or DomainForm(),
        }
    if affiliation is not None:
        context["affiliation_form"] = forms.get("affiliation_form") or AffiliationProfileForm(
            initial={"title": affiliation.title, "listed": affiliation.listed}
        )
    return context


@login_required
def organization_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """What happened to the organization, as recorded: for its admins and staff, by period, or as CSV."""
    organization, _ = _managed_organization(request, slug)
    services.require_organization_manager(request.user, organization)
    return audit_trail_page(
        request,
        selectors.organization_audit_entries(organization),
        form=AuditPeriodForm(request.GET or None),
        template="members/organization_audit.html",
        filename=f"audit-trail-{organization.slug}.csv",
        context={"organization": organization},
    )


@login_required
def my_organization(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's own page: its admins manage it, its members see who is in it."""
    organization, affiliation = _managed_organization(request, slug)
    forms: dict[str, Any] = {}
    if request.method == "POST":
        services.require_organization_manager(request.user, organization)
        profile_form = OrganizationForm(
            request.POST, request.FILES, instance=Organization.objects.get(pk=organization.pk)
        )
        if profile_form.is_valid():
            fields = {name: profile_form.cleaned_data[name] for name in profile_form.changed_data}
            if "logo" in fields:
                fields["logo"] = fields["logo"] or ""
            if "country" in fields:
                fields["country"] = str(fields["country"])
            try:
                services.organization_update(actor=request.user, organization=organization, **fields)
            except DomainError as error:
                form_error(profile_form, error)
            else:
                messages.success(request, "The profile was saved." if fields else "Nothing changed.")
                return redirect("members:my_organization", slug=organization.slug)
        forms["profile_form"] = profile_form
    context = _manage_context(request, organization, affiliation, **forms)
    return render(request, "members/my_organization.html", context, status=400 if forms else 200)


def _section_response(
    request: HttpRequest,
    organization: Organization,
    affiliation: Affiliation | None,
    section: str,
    *,
    notice: str = "",
    error: str = "",
    also: tuple[str, ...] = (),
    **forms: Any,
) -> HttpResponse:
    """htmx: the updated section (and any other section it affects, out of band). Otherwise: back to the page."""
    if request.htmx:
        context = _manage_context(request, organization, affiliation, **forms)
        context |= {"notice": notice, "error": error}
        html = render(request, f"members/partials/manage_{section}.html", context).content.decode()
        for other in also:
            context |= {"notice": "", "error": "", "oob": True}
            html += render(request, f"members/partials/manage_{other}.html", context).content.decode()
        return HttpResponse(html)
    if forms:
        context = _manage_context(request, organization, affiliation, **forms)
        if error:
            messages.error(request, error)
        return render(request, "members/my_organization.html", context, status=400)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(reverse("members:my_organization", kwargs={"slug": organization.slug}) + f"#{section}")


@login_required
@require_POST
def person_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    target = get_object_or_404(
        Affiliation.objects.select_related("person", "organization"), pk=pk, organization=organization
    )
    services.require_organization_manager(request.user, organization)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _section_response(request, organization, affiliation, "people", error="Choose admin or member.")
    role = form.cleaned_data["role"]
    error = refusal_of(services.affiliation_change_role, actor=request.user, affiliation=target, role=role)
    if affiliation is not None and affiliation.pk == target.pk and not error:
        affiliation.role = role
    label = dict(Affiliation.Role.choices)[role].lower()
    notice = "" if error else f"{target.person.get_full_name()} is now {'an' if role == 'admin' else 'a'} {label}."
    return _section_response(request, organization, affiliation, "people", notice=notice, error=error)


@login_required
@require_POST
def person_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    target = get_object_or_404(
        Affiliation.objects.select_related("person", "organization"), pk=pk, organization=organization
    )
    leaving = target.person_id == request.user.pk
    error = refusal_of(services.affiliation_remove, actor=request.user, affiliation=target)
    if leaving and not error:
        messages.success(request, f"You left {organization}.")
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": reverse("members:my_organizations")})
        return redirect("members:my_organizations")
    notice = "" if error else f"{target.person.get_full_name()} was removed from {organization}."
    return _section_response(request, organization, affiliation, "people", notice=notice, error=error)


@login_required
@require_POST
def affiliation_profile(request: HttpRequest, slug: str) -> HttpResponse:
    """A person's own listing: shown on the public page or not, and their title."""
    organization, affiliation = _managed_organization(request, slug)
    if affiliation is None:
        raise Http404("You do not belong to this organization.")
    form = AffiliationProfileForm(request.POST)
    if not form.is_valid():
        return _section_response(request, organization, affiliation, "me", affiliation_form=form)
    try:
        affiliation = services.affiliation_update_profile(
            actor=request.user, affiliation=affiliation, **form.cleaned_data
        )
    except DomainError as error:
        form_error(form, error)
        return _section_response(request, organization, affiliation, "me", affiliation_form=form)
    return _section_response(
        request, organization, affiliation, "me", notice="Your listing was saved.", also=("people",)
    )


@login_required
@require_POST
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    services.require_organization_manager(request.user, organization)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, organization=organization, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            notice = f"An invitation was sent to {invitation.email}."
            return _section_response(request, organization, affiliation, "invitations", notice=notice)
    return _section_response(request, organization, affiliation, "invitations", invitation_form=form)


INVITATION_ACTIONS = {
    "resend": (services.invitation_resend, "A new invitation link was sent to {email}."),
    "revoke": (services.invitation_revoke, "The invitation of {email} was revoked."),
}


@login_required
@require_POST
def invitation_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    if action not in INVITATION_ACTIONS:
        raise Http404("No such action.")
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), pk=pk, organization=organization)
    service, done = INVITATION_ACTIONS[action]
    error = refusal_of(service, actor=request.user, invitation=invitation)
    notice = "" if error else done.format(email=invitation.email)
    return _section_response(request, organization, affiliation, "invitations", notice=notice, error=error)


@login_required
@require_POST
def domain_add(request: HttpRequest, slug: str) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    services.require_organization_manager(request.user, organization)
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            entry = services.domain_add(
                actor=request.user, organization=organization, domain=form.cleaned_data["domain"]
            )
        except DomainError as error:
            form_error(form, error)
        else:
            notice = f"People with a verified address on {entry.domain} can now ask to join."
            return _section_response(request, organization, affiliation, "domains", notice=notice)
    return _section_response(request, organization, affiliation, "domains", domain_form=form)


@login_required
@require_POST
def domain_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    domain = get_object_or_404(
        OrganizationDomain.objects.select_related("organization"), pk=pk, organization=organization
    )
    error = refusal_of(services.domain_remove, actor=request.user, domain=domain)
    notice = "" if error else f"{domain.domain} was removed."
    return _section_response(request, organization, affiliation, "domains", notice=notice, error=error)


JOIN_REQUEST_DECISIONS = {"approve": services.join_request_approve, "decline": services.join_request_decline}


@login_required
@require_POST
def join_request_decide(request: HttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    organization, affiliation = _managed_organization(request, slug)
    if decision not in JOIN_REQUEST_DECISIONS:
        raise Http404("No such decision.")
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("organization", "person"), pk=pk, organization=organization
    )
    error = refusal_of(JOIN_REQUEST_DECISIONS[decision], actor=request.user, join_request=join_request)
    name = join_request.person.get_full_name()
    done = f"{name} joined {organization}." if decision == "approve" else f"{name}'s request was declined."
    notice = "" if error else done
    return _section_response(
        request, organization, affiliation, "join_requests", notice=notice, error=error, also=("people",)
    )


# --- invitations --------------------------------------------------------------------------------------------


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person sees which organization and role; signed in with the invited address, they accept."""
    invitation = services.invitation_for_token(token)
    state = selectors.invitation_state(request.user, invitation)
    if request.method == "POST" and state == "ready" and invitation is not None:
        try:
            services.invitation_accept(actor=request.user, token=token)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(request, f"Welcome to {invitation.organization}!")
        return redirect("members:my_organization", slug=invitation.organization.slug)
    if request.method == "POST" and state == "anonymous":
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if state == "anonymous":
        invitation_remember(request, token)
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "state": state, "next": request.path},
        status=404 if state == "invalid" else 200,
    )


# --- the person's own profile ----------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The name others see, the time zone and language the person reads in; email addresses, password and MFA are
    allauth's own pages beside it."""
    person = request.user
    initial = {
        "name": person.name,
        "listed_by_name": person.listed_by_name,
        "time_zone": "" if person.time_zone_follows_browser else person.time_zone,
        "browser_zone": person.time_zone if person.time_zone_follows_browser else "",
        "language": person.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_profile(actor=person, person=person, name=form.cleaned_data["name"])
            services.person_listing_consent_set(
                actor=person, person=person, listed_by_name=form.cleaned_data["listed_by_name"]
            )
            locale.person_time_zone_set(person=person, time_zone=form.cleaned_data["time_zone"])
            if "language" in form.fields:
                locale.person_language_set(person=person, language=form.cleaned_data["language"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form}, status=400 if form.errors else 200)


# --- personal API tokens ------------------------------------------------------------------------------------


@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List, create and revoke one's own API tokens; a new key is shown once, in the answer to its creation."""
    form = ApiTokenForm(request.POST or None)
    new_key = new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = services.api_token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            form = ApiTokenForm()
    tokens = list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id"))
    return render(
        request,
        "members/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_token},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” was revoked; it no longer works.")
    return redirect("members:api_tokens")


# --- membership: standing, renewal, invoices ---------------------------------------------------------------------


def _membership_organization(request: HttpRequest, slug: str) -> Organization:
    """The organization, for its people and staff; a 404 for anyone else."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not selectors.may_see_membership(request.user, organization):
        raise Http404("No such organization.")
    return organization


@login_required
def membership(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's membership: standing, terms and invoices; its admins renew here."""
    organization = _membership_organization(request, slug)
    may_renew = selectors.may_renew_membership(request.user, organization)
    if request.method == "POST":
        services.require_membership_renewer(request.user, organization)  # before the form is read
    current = selectors.organization_membership(organization)
    tiers = list(selectors.membership_tiers())
    form = RenewalForm(
        request.POST or None, tiers=tiers, current=current.tier.code if current.tier else organization.tier
    )
    if request.method == "POST" and form.is_valid():
        try:
            term = services.membership_renew(
                actor=request.user,
                organization=organization,
                accept_charter=form.cleaned_data["accept_charter"],
                tier=form.cleaned_data["tier"] or None,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, f"The membership is renewed until {term.ends_at:%d %B %Y}.")
            return redirect("members:membership", slug=organization.slug)
    return render(
        request,
        "members/membership.html",
        {
            "organization": organization,
            "membership": current,
            "terms": selectors.organization_terms(organization),
            "may_renew": may_renew,
            "form": form,
        },
    )


@login_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable invoice, for the organization's admins and staff."""
    invoice = get_object_or_404(selectors.invoices_visible_to(request.user), pk=pk)
    return render(request, "members/invoice_detail.html", {"invoice": invoice})
