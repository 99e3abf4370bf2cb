"""Reusable reads: which endpoints a person may see and manage, and an endpoint's delivery log."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from members.models import Affiliation, Organization
from members.selectors import organizations_administered_by

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoints_visible_to(person: Any) -> QuerySet[WebhookEndpoint]:
    """Staff see every endpoint; an organization's admins see that organization's endpoints; others none."""
    if not getattr(person, "is_authenticated", False):
        return WebhookEndpoint.objects.none()
    endpoints = WebhookEndpoint.objects.select_related("organization", "created_by")
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
