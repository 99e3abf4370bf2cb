"""The admin of the members domain: a staff tool that reads everything and changes things only through services.

Statuses, decisions and roles are read-only here; the actions call the same services as the pages and the API,
with the signed-in staff member as the actor, so the admin cannot bypass a rule or skip the audit trail.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django_countries.filters import CountryFilter

from alliance.admin_actions import run_service_on_each
from alliance.errors import DomainError

from . import selectors, services
from .forms import person_name_checked
from .models import (
    Affiliation,
    ApiToken,
    Invitation,
    Invoice,
    JoinRequest,
    MembershipApplication,
    MembershipTerm,
    MembershipTier,
    Organization,
    OrganizationDomain,
    User,
)

# --- people ----------------------------------------------------------------------------------------------------


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_name(self) -> str:
        return person_name_checked(self.cleaned_data["name"])

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_name(self) -> str:
        return person_name_checked(self.cleaned_data["name"])

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


class AffiliationOfPersonInline(admin.TabularInline):
    """Roles change through the organization's pages (services keep the last admin); shown here to read."""

    model = Affiliation
    fk_name = "person"
    fields = ("organization", "role", "title", "listed", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Email is the login: Django's user admin without a username."""

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("date_joined", "last_login")
    inlines = [AffiliationOfPersonInline]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would cascade past the services (last admin, last lead, event seats): deactivate instead.
        return False

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )


# --- organizations ---------------------------------------------------------------------------------------------


class AffiliationInline(admin.TabularInline):
    """People of the organization, to read: roles change through services, which keep the last admin."""

    model = Affiliation
    fk_name = "organization"
    fields = ("person", "role", "title", "listed", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    fields = ("domain", "added_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Profiles are edited through ``organization_update``; status only by an application or the actions."""

    list_display = ("name", "kind", "country", "tier_display", "status", "standing", "term_end", "member_since")
    list_filter = ("status", "tier", "kind", "country")
    search_fields = ("name", "slug", "website", "description")
    readonly_fields = ("slug", "tier", "status", "member_since", "created_at", "updated_at")
    fields = (
        "name",
        "slug",
        "kind",
        "country",
        "website",
        "description",
        "logo",
        "status",
        "tier",
        "member_since",
        "created_at",
        "updated_at",
    )
    inlines = [AffiliationInline, OrganizationDomainInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["suspend", "mark_lapsed", "reinstate"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        """The country filter lists the countries in use (django-countries' ``CountryFilter``), not all 250."""
        return [("country", CountryFilter) if name == "country" else name for name in super().get_list_filter(request)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # organizations register on the portal, with their first admin

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        # The standing from the clock and the tier's name, in the list's own query.
        return selectors.with_tier_name(selectors.with_membership(super().get_queryset(request)))

    @admin.display(description="Tier", ordering="tier")
    def tier_display(self, organization: Organization) -> str:
        return organization.get_tier_display()

    @admin.display(description="Standing")
    def standing(self, organization: Organization) -> str:
        return dict(MembershipTerm.Standing.choices).get(organization.standing, organization.standing.capitalize())

    @admin.display(description="Term ends", ordering="term_end")
    def term_end(self, organization: Organization) -> Any:
        return organization.term_end

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a member leaves by status (withdrawn, lapsed), which keeps its history

    def save_model(self, request: HttpRequest, obj: Organization, form: forms.ModelForm, change: bool) -> None:
        stored = Organization.objects.get(pk=obj.pk)
        changed = {field: form.cleaned_data[field] for field in form.changed_data if field in self.fields}
        try:
            services.organization_update(actor=request.user, organization=stored, **changed)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)

    def _change_status(self, request: HttpRequest, queryset: QuerySet, status: str, done: str) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda organization: services.organization_change_status(
                actor=request.user, organization=organization, status=status
            ),
            done,
        )

    @admin.action(description="Suspend the selected organizations")
    def suspend(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, Organization.Status.SUSPENDED, "Suspended")

    @admin.action(description="Mark the selected organizations as lapsed")
    def mark_lapsed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, Organization.Status.LAPSED, "Marked as lapsed")

    @admin.action(description="Reinstate the selected organizations as active members")
    def reinstate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._change_status(request, queryset, Organization.Status.ACTIVE, "Reinstated")


# --- applications ----------------------------------------------------------------------------------------------


class DecisionActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        label="Reason (to reject or request changes; the applicant reads it)",
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    """Staff decide with the actions, which call the services: one's own organization and decided
    applications are refused with the service's message."""

    list_display = (
        "organization",
        "tier_display",
        "status",
        "submitted_at",
        "submitted_by",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "tier")
    search_fields = ("organization__name", "statement", "reason")
    list_select_related = ("organization", "submitted_by", "decided_by")
    date_hierarchy = "submitted_at"
    fields = (
        "organization",
        "submitted_by",
        "tier",
        "statement",
        "charter_accepted",
        "status",
        "reason",
        "decided_by",
        "decided_at",
        "submitted_at",
        "updated_at",
    )
    readonly_fields = fields
    action_form = DecisionActionForm
    actions = ["approve", "reject", "request_changes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembershipApplication]:
        return selectors.with_tier_name(super().get_queryset(request))  # the tier's name in the list's own query

    @admin.display(description="Tier", ordering="tier")
    def tier_display(self, application: MembershipApplication) -> str:
        return application.get_tier_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an organization's admin submits it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Approve the selected applications")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda application: services.application_approve(actor=request.user, application=application),
            "Approved",
        )

    @admin.action(description="Reject the selected applications (give the reason)")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        run_service_on_each(
            self,
            request,
            queryset,
            lambda application: services.application_reject(actor=request.user, application=application, reason=reason),
            "Rejected",
        )

    @admin.action(description="Request changes to the selected applications (give the reason)")
    def request_changes(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        run_service_on_each(
            self,
            request,
            queryset,
            lambda application: services.application_request_changes(
                actor=request.user, application=application, reason=reason
            ),
            "Sent back for changes",
        )


# --- invitations, domains, join requests, tokens ---------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "role", "display_status", "sent_at", "expires_at", "invited_by")
    list_filter = ("status", "role")
    search_fields = ("email", "organization__name")
    list_select_related = ("organization", "invited_by")
    fields = (
        "organization",
        "email",
        "role",
        "status",
        "token_hash",
        "invited_by",
        "accepted_by",
        "created_at",
        "sent_at",
        "expires_at",
        "decided_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="status")
    def display_status(self, invitation: Invitation) -> str:
        return invitation.display_status

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an admin invites from the organization's page: the link is emailed once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda invitation: services.invitation_revoke(actor=request.user, invitation=invitation),
            "Revoked",
        )


class OrganizationDomainForm(forms.ModelForm):
    class Meta:
        model = OrganizationDomain
        fields = ("organization", "domain")

    def clean_domain(self) -> str:
        """Compare the domain as ``domain_add`` stores it, so the form reports a duplicate as a field error."""
        return (self.cleaned_data["domain"] or "").strip().lower().removeprefix("@")


@admin.register(OrganizationDomain)
class OrganizationDomainAdmin(admin.ModelAdmin):
    """Staff may register any domain for an organization; adding and removing go through the services."""

    form = OrganizationDomainForm

    list_display = ("domain", "organization", "added_by", "created_at")
    search_fields = ("domain", "organization__name")
    list_select_related = ("organization", "added_by")
    fields = ("organization", "domain", "added_by", "created_at")
    readonly_fields = ("added_by", "created_at")
    autocomplete_fields = ("organization",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.fields if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: OrganizationDomain, form: forms.ModelForm, change: bool) -> None:
        try:
            saved = services.domain_add(actor=request.user, organization=obj.organization, domain=obj.domain)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)
        else:
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: OrganizationDomain) -> None:
        services.domain_remove(actor=request.user, domain=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for domain in queryset:
            services.domain_remove(actor=request.user, domain=domain)


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("person", "organization", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = ("person__email", "organization__name")
    list_select_related = ("person", "organization", "decided_by")
    fields = ("organization", "person", "message", "status", "decided_by", "decided_at", "created_at")
    readonly_fields = fields
    actions = ["approve", "decline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Approve the selected join requests")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda join_request: services.join_request_approve(actor=request.user, join_request=join_request),
            "Approved",
        )

    @admin.action(description="Decline the selected join requests")
    def decline(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda join_request: services.join_request_decline(actor=request.user, join_request=join_request),
            "Declined",
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens to read (only the hash is stored) and revoke, for example when one has leaked."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "key_hash", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a person creates their own, and sees the key once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda token: services.api_token_revoke(actor=request.user, token=token),
            "Revoked",
        )


# --- membership: tiers, terms, invoices ------------------------------------------------------------------------


@admin.register(MembershipTier)
class MembershipTierAdmin(admin.ModelAdmin):
    """Staff manage tiers here; every change goes through ``tier_create`` / ``tier_update`` (audited)."""

    list_display = (
        "name",
        "code",
        "annual_fee",
        "currency",
        "term_months",
        "members_only_events",
        "propose_projects",
        "committee_seat",
        "position",
    )
    fields = ("code", *services.TIER_EDITABLE_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()  # a tier's code names it for good

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # terms keep their tier

    def save_model(self, request: HttpRequest, obj: MembershipTier, form: forms.ModelForm, change: bool) -> None:
        values = {
            field: form.cleaned_data[field] for field in services.TIER_EDITABLE_FIELDS if field in form.cleaned_data
        }
        try:
            if change:
                stored = MembershipTier.objects.get(pk=obj.pk)
                changed = {field: values[field] for field in form.changed_data if field in values}
                services.tier_update(actor=request.user, tier=stored, **changed)
            else:
                values.pop("name", None)
                obj.pk = services.tier_create(
                    actor=request.user, code=form.cleaned_data["code"], name=form.cleaned_data["name"], **values
                ).pk
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)


class MembershipTermForm(forms.ModelForm):
    class Meta:
        model = MembershipTerm
        fields = ("starts_at", "ends_at", "tier")

    note = forms.CharField(required=False, help_text="Why the dates change (kept in the audit trail).")


@admin.register(MembershipTerm)
class MembershipTermAdmin(admin.ModelAdmin):
    """Staff correct a term's dates or tier; ``membership_term_correct`` audits it. Terms are made by approvals
    and renewals, never here."""

    form = MembershipTermForm
    list_display = ("organization", "tier", "starts_at", "ends_at", "charter_version", "renewed_by")
    list_select_related = ("organization", "tier", "renewed_by")
    search_fields = ("organization__name", "organization__slug")
    list_filter = ("tier",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: MembershipTerm, form: forms.ModelForm, change: bool) -> None:
        stored = MembershipTerm.objects.get(pk=obj.pk)
        try:
            services.membership_term_correct(
                actor=request.user,
                term=stored,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                tier=form.cleaned_data["tier"],
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices are issued by renewals; staff mark them paid (``invoice_mark_paid``)."""

    list_display = ("number", "organization", "tier_name", "amount", "currency", "issued_at", "paid_at")
    list_select_related = ("organization",)
    search_fields = ("number", "organization__name")
    readonly_fields = [field.name for field in Invoice._meta.fields]
    actions = ["mark_paid"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Mark the selected invoices paid")
    def mark_paid(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda invoice: services.invoice_mark_paid(actor=request.user, invoice=invoice),
            "Marked paid",
        )
