"""The members API. Every write calls a service of ``members.services``; every list filters in get_queryset.

DRF checks object permissions only in ``get_object()``, so each queryset below is already limited to what
the caller may see: an object outside it answers 404, and a service's ``NotPermitted`` answers 403.
Permission comes before input: a write first finds its object, then asks the service's ``require_*`` check (or
a permission class), and only then reads the body, so a caller without the right hears 403 whatever they sent.
Lists parse their filters with the serializers of ``api/filters.py`` and hand them to the selectors.
"""

from typing import Any

from allauth.core import ratelimit
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, filters, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from alliance.api.cached import ListCachedForVisitors
from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input
from alliance.api.parsers import FormParser, JSONParser, MultiPartParser
from alliance.api.scoped import ParentScopedMixin
from alliance.errors import DomainError, require_staff
from members import selectors, services
from members.models import (
    Affiliation,
    ApiToken,
    Invitation,
    Invoice,
    JoinRequest,
    MembershipApplication,
    MembershipTier,
    Organization,
    OrganizationDomain,
)

from . import serializers as api
from .filters import ApplicationFilterSerializer, JoinRequestFilterSerializer, OrganizationFilterSerializer

ORGANIZATION_SLUG = OpenApiParameter(
    "organization_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The organization's slug."
)
# Lists order with ``?ordering=``; what they show and filter is their selector's (no generic ``search`` parameter).
ORDERING_ONLY = [filters.OrderingFilter]


def _list_filters(view: Any, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The list's filters from the query (a 400 for a value it does not know); none for the other actions."""
    return query_values(view.request, serializer_class) if view.action == "list" else {}


# --- tokens and the current person -----------------------------------------------------------------------------


class TokenObtainView(APIView):
    """Exchange an email address and password for a personal API token (throttled)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        tags=["auth"],
        request=api.TokenObtainSerializer,
        responses={201: api.ApiTokenCreatedSerializer, 400: ERROR, 429: ERROR},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(api.TokenObtainSerializer, request)
        # allauth's limit on failed sign-ins, shared with its sign-in page: per address and per account, so
        # guessing one account's password from many addresses is stopped too (DRF's throttle is per address).
        attempts_key = f"{get_current_site(request).domain}:{data['email'].strip().lower()}"
        if not ratelimit.consume(request, action="login_failed", key=attempts_key, dry_run=True):
            raise exceptions.Throttled(detail="Too many failed attempts to sign in. Try again in a few minutes.")
        try:
            token, key = services.api_token_obtain(
                email=data["email"],
                password=data["password"],
                name=data["name"],
                expires_in_days=data.get("expires_in_days"),
            )
        except DomainError:
            ratelimit.consume(request, action="login_failed", key=attempts_key)
            raise
        return Response(api.ApiTokenCreatedSerializer(token, context={"key": key}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(tags=["tokens"], summary="Your own tokens (never their keys)"),
    destroy=extend_schema(tags=["tokens"], summary="Revoke one of your tokens"),
)
class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own personal API tokens."""

    filter_backends = ORDERING_ONLY
    serializer_class = api.ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["created_at", "name"]

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user, revoked_at__isnull=True)

    @extend_schema(
        tags=["tokens"], request=api.ApiTokenCreateSerializer, responses={201: api.ApiTokenCreatedSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated_input(api.ApiTokenCreateSerializer, request)
        token, key = services.api_token_create(
            actor=request.user, name=data["name"], expires_in_days=data.get("expires_in_days")
        )
        return Response(api.ApiTokenCreatedSerializer(token, context={"key": key}).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.api_token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in person and the organizations they belong to."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["me"], responses={200: api.MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(api.MeSerializer(request.user).data)


# --- organizations ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        tags=["organizations"],
        summary="Organizations you can see (the public directory and yours)",
        parameters=[OrganizationFilterSerializer],
    ),
    retrieve=extend_schema(tags=["organizations"]),
)
class OrganizationViewSet(
    ListCachedForVisitors, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Member organizations: active ones for everyone, one's own, and all of them for staff."""

    visitor_cache_areas = ("members",)  # the list anonymous callers read is kept (alliance.api.cached)

    serializer_class = api.OrganizationSerializer
    lookup_field = "slug"
    filter_backends = ORDERING_ONLY
    ordering_fields = ["name", "member_since", "country"]
    ordering = ["name"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]  # alliance.api.parsers: NUL fields refused
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Organization]:
        if self.action == "list":
            return selectors.organization_directory(
                person=self.request.user, **_list_filters(self, OrganizationFilterSerializer)
            )
        return selectors.with_tier_name(selectors.organizations_visible_to(self.request.user))

    @extend_schema(
        tags=["organizations"],
        summary="Register an organization as an applicant, with you as its admin",
        request={
            "application/json": api.OrganizationWriteSerializer,
            "multipart/form-data": api.OrganizationWriteSerializer,
        },
        responses={201: api.OrganizationSerializer, 400: ERROR},
    )
    def create(self, request: Request) -> Response:
        data = validated_input(api.OrganizationWriteSerializer, request)
        organization = services.organization_register(actor=request.user, **data)
        return Response(self.get_serializer(organization).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["organizations"],
        request={
            "application/json": api.OrganizationUpdateSerializer,
            "multipart/form-data": api.OrganizationUpdateSerializer,
        },
        responses={200: api.OrganizationSerializer, 400: ERROR, 403: ERROR},
    )
    def update(self, request: Request, slug: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        tags=["organizations"],
        request={
            "application/json": api.OrganizationUpdateSerializer,
            "multipart/form-data": api.OrganizationUpdateSerializer,
        },
        responses={200: api.OrganizationSerializer, 400: ERROR, 403: ERROR},
    )
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        organization = self.get_object()
        services.require_organization_manager(request.user, organization)
        data = validated_input(api.OrganizationUpdateSerializer, request, partial=partial)
        if "logo" in data and data["logo"] is None:
            data["logo"] = ""  # null removes the logo
        organization = services.organization_update(actor=request.user, organization=organization, **data)
        return Response(self.get_serializer(organization).data)


class OrganizationScopedMixin(ParentScopedMixin[Organization]):
    """Views under /organizations/{slug}/: the organization must be visible to the caller, or it is a 404."""

    parent_slug_kwarg = "organization_slug"
    visible_parents = staticmethod(selectors.organizations_visible_to)
    is_manager = staticmethod(selectors.is_organization_admin)


class ManagesOrganization(permissions.BasePermission):
    """Admins of the organization and staff; others get 403 when they can see the organization, else 404."""

    message = "Only an admin of this organization or alliance staff can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        view.get_parent()
        return bool(request.user and request.user.is_authenticated) and view.manages_parent()


class SeesOrganization(permissions.BasePermission):
    """Any signed-in person who can see the organization."""

    def has_permission(self, request: Request, view: Any) -> bool:
        view.get_parent()
        return bool(request.user and request.user.is_authenticated)


@extend_schema(parameters=[ORGANIZATION_SLUG], tags=["organization people"])
@extend_schema_view(
    list=extend_schema(
        summary="People of the organization",
        description="Its admins and staff see everyone with email and role; others see only the people who "
        "chose to be listed, without email addresses.",
        responses=PolymorphicProxySerializer(
            component_name="OrganizationPersonOrListedPerson",
            serializers=[api.OrganizationPersonSerializer, api.ListedPersonSerializer],
            resource_type_field_name=None,
            many=True,
        ),
    ),
    destroy=extend_schema(summary="Remove a person from the organization (or leave it yourself)"),
)
class OrganizationPersonViewSet(OrganizationScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends = ORDERING_ONLY
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "patch", "delete", "head", "options"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Affiliation]:
        if getattr(self, "swagger_fake_view", False):
            return Affiliation.objects.none()
        organization = self.get_parent()
        if self.manages_parent():
            return selectors.organization_people(organization)
        if self.action == "list":
            return selectors.organization_listed_people(organization).order_by("person__name", "pk")
        # Anyone may address a listed person (and be refused by the service) or their own affiliation.
        return organization.affiliations.filter(
            Q(listed=True, person__is_active=True) | Q(person_id=self.request.user.pk)
        ).select_related("person", "organization")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False) or self.manages_parent():
            return api.OrganizationPersonSerializer
        return api.ListedPersonSerializer

    @extend_schema(
        summary="Make a person an admin or a member",
        request=api.RoleSerializer,
        responses={200: api.OrganizationPersonSerializer, 400: ERROR, 403: ERROR},
    )
    def partial_update(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        affiliation = self.get_object()
        services.require_organization_manager(request.user, affiliation.organization)
        data = validated_input(api.RoleSerializer, request)
        affiliation = services.affiliation_change_role(actor=request.user, affiliation=affiliation, role=data["role"])
        return Response(api.OrganizationPersonSerializer(affiliation).data)

    def destroy(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        services.affiliation_remove(actor=request.user, affiliation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[ORGANIZATION_SLUG], tags=["organization invitations"])
@extend_schema_view(list=extend_schema(summary="Invitations of the organization (admins and staff)"))
class InvitationViewSet(OrganizationScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends = ORDERING_ONLY
    serializer_class = api.InvitationSerializer
    permission_classes = [ManagesOrganization]
    ordering_fields = ["created_at", "email"]

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return self.get_parent().invitations.select_related("organization", "invited_by")

    @extend_schema(
        summary="Invite an email address as admin or member",
        request=api.InvitationCreateSerializer,
        responses={201: api.InvitationSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request, organization_slug: str = "") -> Response:
        data = validated_input(api.InvitationCreateSerializer, request)
        invitation = services.invitation_create(
            actor=request.user, organization=self.get_parent(), email=data["email"], role=data["role"]
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send a fresh link and restart the expiry", request=None, responses={200: api.InvitationSerializer}
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        invitation = services.invitation_resend(actor=request.user, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)

    @extend_schema(summary="Revoke the invitation", request=None, responses={200: api.InvitationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        invitation = services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


@extend_schema(parameters=[ORGANIZATION_SLUG], tags=["organization domains"])
@extend_schema_view(
    list=extend_schema(summary="Email domains of the organization (admins and staff)"),
    destroy=extend_schema(summary="Remove a domain"),
)
class DomainViewSet(OrganizationScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends = ORDERING_ONLY
    serializer_class = api.DomainSerializer
    permission_classes = [ManagesOrganization]
    ordering_fields = ["domain"]

    def get_queryset(self) -> QuerySet[OrganizationDomain]:
        if getattr(self, "swagger_fake_view", False):
            return OrganizationDomain.objects.none()
        return self.get_parent().domains.select_related("organization")

    @extend_schema(
        summary="Register a domain of one of your verified addresses",
        request=api.DomainCreateSerializer,
        responses={201: api.DomainSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request, organization_slug: str = "") -> Response:
        data = validated_input(api.DomainCreateSerializer, request)
        domain = services.domain_add(actor=request.user, organization=self.get_parent(), domain=data["domain"])
        return Response(self.get_serializer(domain).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        services.domain_remove(actor=request.user, domain=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[ORGANIZATION_SLUG], tags=["organization join requests"])
@extend_schema_view(
    list=extend_schema(
        summary="Requests to join the organization (admins and staff)", parameters=[JoinRequestFilterSerializer]
    )
)
class JoinRequestViewSet(OrganizationScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    filter_backends = ORDERING_ONLY
    serializer_class = api.JoinRequestSerializer
    ordering_fields = ["created_at"]

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.action == "create":
            return [SeesOrganization()]
        return [ManagesOrganization()]

    def get_queryset(self) -> QuerySet[JoinRequest]:
        if getattr(self, "swagger_fake_view", False):
            return JoinRequest.objects.none()
        return selectors.organization_join_requests(
            self.get_parent(), **_list_filters(self, JoinRequestFilterSerializer)
        )

    @extend_schema(
        summary="Ask to join (your verified address must be on one of its domains)",
        request=api.JoinRequestCreateSerializer,
        responses={201: api.JoinRequestSerializer, 400: ERROR},
    )
    def create(self, request: Request, organization_slug: str = "") -> Response:
        data = validated_input(api.JoinRequestCreateSerializer, request)
        join_request = services.join_request_create(
            actor=request.user, organization=self.get_parent(), message=data["message"]
        )
        return Response(self.get_serializer(join_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve: the person joins as a member", request=None, responses={200: api.JoinRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        join_request = services.join_request_approve(actor=request.user, join_request=self.get_object())
        return Response(self.get_serializer(join_request).data)

    @extend_schema(summary="Decline the request", request=None, responses={200: api.JoinRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None, organization_slug: str = "") -> Response:
        join_request = services.join_request_decline(actor=request.user, join_request=self.get_object())
        return Response(self.get_serializer(join_request).data)


# --- membership applications ------------------------------------------------------------------------------------


@extend_schema(tags=["applications"])
@extend_schema_view(
    list=extend_schema(
        summary="Applications you can see: your organizations' (admins) or all (staff)",
        parameters=[ApplicationFilterSerializer],
    ),
    retrieve=extend_schema(summary="An application, with the staff's reason when one was given"),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = ORDERING_ONLY
    serializer_class = api.ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["submitted_at", "updated_at"]

    def get_queryset(self) -> QuerySet[MembershipApplication]:
        if getattr(self, "swagger_fake_view", False):
            return MembershipApplication.objects.none()
        return selectors.applications_visible_to(self.request.user, **_list_filters(self, ApplicationFilterSerializer))

    @extend_schema(
        summary="Apply for membership (an admin of the organization)",
        request=api.ApplicationCreateSerializer,
        responses={201: api.ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        organization = validated_input(api.ApplicationTargetSerializer, request)["organization"]
        services.require_organization_admin(request.user, organization)
        data = validated_input(api.ApplicationCreateSerializer, request)
        application = services.application_submit(actor=request.user, **data)
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send back for changes (staff)",
        request=api.ReasonSerializer,
        responses={200: api.ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        services.require_application_decider(request.user, application)
        data = validated_input(api.ReasonSerializer, request)
        application = services.application_request_changes(
            actor=request.user, application=application, reason=data["reason"]
        )
        return Response(self.get_serializer(application).data)

    @extend_schema(
        summary="Resubmit after changes were requested (an admin of the organization)",
        request=api.ResubmitSerializer,
        responses={200: api.ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        services.require_organization_admin(request.user, application.organization)
        data = validated_input(api.ResubmitSerializer, request)
        application = services.application_resubmit(actor=request.user, application=application, **data)
        return Response(self.get_serializer(application).data)

    @extend_schema(
        summary="Approve: the organization becomes an active member (staff), with an optional welcome note",
        request=api.WelcomeNoteSerializer,
        responses={200: api.ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        services.require_application_decider(request.user, application)
        data = validated_input(api.WelcomeNoteSerializer, request)
        application = services.application_approve(
            actor=request.user, application=application, welcome_note=data["welcome_note"]
        )
        return Response(self.get_serializer(application).data)

    @extend_schema(
        summary="Reject with a reason the applicant will read (staff)",
        request=api.ReasonSerializer,
        responses={200: api.ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        services.require_application_decider(request.user, application)
        data = validated_input(api.ReasonSerializer, request)
        application = services.application_reject(actor=request.user, application=application, reason=data["reason"])
        return Response(self.get_serializer(application).data)

    @extend_schema(
        summary="Withdraw the application (an admin of the organization)",
        request=None,
        responses={200: api.ApplicationSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        application = services.application_withdraw(actor=request.user, application=self.get_object())
        return Response(self.get_serializer(application).data)


# --- membership: tiers, an organization's membership and renewal, invoices -------------------------------------


@extend_schema(tags=["membership"])
@extend_schema_view(
    list=extend_schema(summary="The membership tiers, their fees, term lengths and benefits (public)"),
    retrieve=extend_schema(summary="A membership tier, by its code"),
)
class TierViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = api.TierSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[MembershipTier]:
        return selectors.membership_tiers()


def _organization_membership_of(request: Request, slug: str) -> Organization:
    """The organization, when the caller is one of its people or staff; a 404 for anyone else (who may not
    even learn whether it exists)."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not selectors.may_see_membership(request.user, organization):
        raise exceptions.NotFound("No organization with this slug.")
    return organization


MEMBERSHIP_SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The organization's slug."
)


class MembershipView(APIView):
    """``/organizations/{slug}/membership/``: its people and staff read it; staff correct the latest term."""

    permission_classes = [permissions.AllowAny]  # the organization's people and staff; others 404 (below)

    @extend_schema(
        tags=["membership"],
        summary="The organization's membership: tier, standing (from the clock), term dates",
        parameters=[MEMBERSHIP_SLUG],
        responses={200: api.MembershipSerializer, 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        organization = _organization_membership_of(request, slug)
        return Response(api.MembershipSerializer(selectors.organization_membership(organization)).data)

    @extend_schema(
        tags=["membership"],
        summary="Correct the latest term's end or tier (staff)",
        parameters=[MEMBERSHIP_SLUG],
        request=api.MembershipUpdateSerializer,
        responses={200: api.MembershipSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request: Request, slug: str) -> Response:
        organization = _organization_membership_of(request, slug)
        require_staff(request.user)  # permission before input
        data = validated_input(api.MembershipUpdateSerializer, request)
        membership = selectors.organization_membership(organization)
        if membership.term is None:
            raise DomainError("This organization has no membership term to correct.")
        services.membership_term_correct(
            actor=request.user, term=membership.term, ends_at=data.get("term_end"), tier=data.get("tier")
        )
        return Response(api.MembershipSerializer(selectors.organization_membership(organization)).data)


class MembershipRenewView(APIView):
    """``/organizations/{slug}/membership/renew/``: its admins renew while renewal is due, in grace or lapsed."""

    permission_classes = [permissions.AllowAny]  # the organization's people and staff; others 404 (below)

    @extend_schema(
        tags=["membership"],
        summary="Renew the membership (its admins), accepting the charter, optionally changing tier",
        parameters=[MEMBERSHIP_SLUG],
        request=api.MembershipRenewSerializer,
        responses={201: api.MembershipSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        organization = _organization_membership_of(request, slug)
        services.require_membership_renewer(request.user, organization)  # permission before input
        data = validated_input(api.MembershipRenewSerializer, request)
        services.membership_renew(
            actor=request.user, organization=organization, accept_charter=data["accept_charter"], tier=data["tier"]
        )
        membership = selectors.organization_membership(organization)
        return Response(api.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["membership"])
@extend_schema_view(
    list=extend_schema(summary="Invoices you can see: your organizations' (admins) or all (staff)"),
    retrieve=extend_schema(summary="An invoice"),
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = ORDERING_ONLY
    serializer_class = api.InvoiceSerializer
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["issued_at", "number"]

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        return selectors.invoices_visible_to(self.request.user)

    @extend_schema(
        summary="Mark the invoice paid (staff)",
        request=None,
        responses={200: api.InvoiceSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: str | None = None) -> Response:
        invoice = services.invoice_mark_paid(actor=request.user, invoice=self.get_object())
        return Response(self.get_serializer(invoice).data)
