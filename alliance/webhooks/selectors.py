"""Reusable reads: which endpoints a person may see and manage, and an endpoint's delivery log."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from members.models import Affiliation, Organization
from members.selectors import is_organization_admin, organizations_administered_by

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoints_visible_to(person: Any, *, active: bool | None = None) -> QuerySet[WebhookEndpoint]:
    """Staff see every endpoint; an organization's admins see that organization's endpoints; others none.

    The queryset form of ``may_manage_webhook_endpoint``: whoever sees an endpoint may manage it, so a page or API
    action that finds the endpoint here has asked the permission before it reads any input. ``active`` keeps
    only the endpoints that are (True) or are not (False) switched on.
    """
    if not getattr(person, "is_authenticated", False):
        return WebhookEndpoint.objects.none()
    endpoints = WebhookEndpoint.objects.select_related("organization", "created_by")
    if active is not None:
        endpoints = endpoints.filter(active=active)
    if person.is_staff:
        return endpoints
    return endpoints.filter(
        organization__isnull=False,
        organization__in=Organization.objects.filter(
            Q(affiliations__person=person) & Q(affiliations__role=Affiliation.Role.ADMIN)
        ),
    )


def webhook_organizations_for(person: Any) -> QuerySet[Organization]:
    """The organizations for which ``person`` may register endpoints (staff may also register staff-level ones)."""
    if getattr(person, "is_staff", False):
        return Organization.objects.order_by("name")
    return organizations_administered_by(person).order_by("name")


def webhook_deliveries(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first, each with its attempts."""
    return endpoint.deliveries.select_related("endpoint").prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
    )


# --- who is who -------------------------------------------------------------------------------------------------


def may_manage_webhooks(person: Any) -> bool:
    """Staff and admins of at least one organization have webhook pages."""
    if not getattr(person, "is_authenticated", False):
        return False
    return person.is_staff or Affiliation.objects.filter(person=person, role=Affiliation.Role.ADMIN).exists()


def may_manage_webhook_endpoint(person: Any, endpoint: WebhookEndpoint) -> bool:
    """Staff manage every endpoint; an organization's admins manage its endpoints (never a staff-level one)."""
    if not getattr(person, "is_authenticated", False):
        return False
    if person.is_staff:
        return True
    organization = endpoint.organization
    return organization is not None and is_organization_admin(person, organization)


def may_register_webhook_endpoint(person: Any, organization: Organization | None) -> bool:
    """Staff register endpoints for any organization or staff-level ones; an admin, for their organization."""
    if getattr(person, "is_staff", False):
        return True
    return organization is not None and is_organization_admin(person, organization)


# --- the personal-data contract (ARCHITECTURE.md) ------------------------------------------------------------


def personal_data(person: Any) -> dict[str, QuerySet]:
    """What the webhooks app holds about ``person``: the endpoints they set up."""
    return {"endpoints_created": WebhookEndpoint.objects.filter(created_by=person)}


# The parts whose rows are the person's own: the audit trail's entries about them are about the person (the export's
# audit_entries_about_you, ARCHITECTURE.md).
PERSONAL_DATA_OWN_ROWS = ("endpoints_created",)
