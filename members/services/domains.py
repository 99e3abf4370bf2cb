"""Verified email domains and join requests: people with a verified address on a domain an organization
registered may ask to join it; one of its admins decides."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, validate_model
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify

from ..models import Affiliation, JoinRequest, Organization, OrganizationDomain, User
from ..selectors import (
    belongs_to_organization,
    is_on_organization_domain,
    organization_admins,
    person_verified_domains,
)
from ._common import audit_affiliation_created
from .organizations import require_organization_manager


def domain_add(*, actor: User, organization: Organization, domain: str) -> OrganizationDomain:
    """An admin registers a domain they hold a verified address on (staff may register any)."""
    require_organization_manager(actor, organization)
    domain = (domain or "").strip().lower().removeprefix("@")
    if "." not in domain or " " in domain or "@" in domain:
        raise DomainError("Enter a domain such as example.org.", field="domain")
    if not actor.is_staff and domain not in person_verified_domains(actor):
        raise DomainError(
            "You can only register the domain of one of your own verified addresses.",
            field="domain",
        )
    entry = OrganizationDomain(organization=organization, domain=domain, added_by=actor)
    validate_model(entry, exclude=["organization", "added_by"])
    with transaction.atomic():
        entry.save()
        audit_record(actor=actor, action="domain.added", target=organization, changes={"domain": (None, domain)})
    return entry


def domain_remove(*, actor: User, domain: OrganizationDomain) -> None:
    """An admin removes a domain: people on it can no longer ask to join (those who joined stay)."""
    require_organization_manager(actor, domain.organization)
    with transaction.atomic():
        audit_record(
            actor=actor, action="domain.removed", target=domain.organization, changes={"domain": (domain.domain, None)}
        )
        domain.delete()


def join_request_create(*, actor: User, organization: Organization, message: str = "") -> JoinRequest:
    """A person whose verified address is on one of the organization's domains asks to join."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to ask to join.")
    if not is_on_organization_domain(actor, organization):
        raise DomainError(f"None of your verified addresses is on one of {organization}'s registered domains.")
    if belongs_to_organization(actor, organization.pk):
        raise DomainError(f"You already belong to {organization}.")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(organization=organization, person=actor, message=message.strip())
            audit_record(actor=actor, action="join_request.created", target=join_request)
            notify(
                recipients=list(organization_admins(organization)),
                kind=Notification.Kind.MEMBERSHIP,
                template="members/notifications/join_request_received",
                context={"join_request": join_request, "organization": organization, "person": actor},
                url=reverse("members:my_organization", kwargs={"slug": organization.slug}),
            )
    except IntegrityError as error:
        raise DomainError(f"You have already asked to join {organization}.") from error
    return join_request


def _join_request_decide(*, actor: User, join_request: JoinRequest, status: str) -> JoinRequest:
    """Approve or decline a pending request on its locked row; an approval makes the person a member."""
    require_organization_manager(actor, join_request.organization)
    with transaction.atomic():
        locked = lock_row(JoinRequest.objects.select_related("organization", "person").filter(pk=join_request.pk))
        if locked is None:
            raise DomainError("This request was withdrawn.")
        join_request = locked
        if join_request.status != JoinRequest.Status.PENDING:
            raise DomainError(f"This request was already {join_request.get_status_display().lower()}.")
        join_request.status = status
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=f"join_request.{status}",
            target=join_request,
            changes={"status": (JoinRequest.Status.PENDING, status)},
        )
        if status == JoinRequest.Status.APPROVED:
            affiliation, created = Affiliation.objects.get_or_create(
                person=join_request.person, organization=join_request.organization
            )
            if created:
                audit_affiliation_created(actor, affiliation)
        notify(
            recipients=[join_request.person],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/join_request_decided",
            context={"join_request": join_request, "organization": join_request.organization},
            url=join_request.organization.get_absolute_url(),
            transactional=True,
        )
    return join_request


def join_request_approve(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    """An admin lets the person in, as a member."""
    return _join_request_decide(actor=actor, join_request=join_request, status=JoinRequest.Status.APPROVED)


def join_request_decline(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    """An admin says no; the person may ask again later."""
    return _join_request_decide(actor=actor, join_request=join_request, status=JoinRequest.Status.DECLINED)
