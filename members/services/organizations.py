"""Organizations: registering one, editing its profile, staff changing its membership status.

Also who acts for an organization: ``require_organization_manager`` (its admins and staff) and
``require_organization_admin`` (its admins only). The services of the package call them first; pages and the
API call them before they read a body, so a caller without the right hears 403 whatever they sent.
"""

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from alliance.audit import audit_record, audited_update
from alliance.errors import DomainError, NotPermitted, require_staff, validate_model
from alliance.images import image_reencode
from alliance.models import Notification
from alliance.notifications import notify
from alliance.slugs import unique_slug
from alliance.text import clean_name, clean_slug

from ..models import Affiliation, Organization, User
from ..selectors import is_organization_admin, may_manage_organization, organization_admins
from ._common import locked_organization

ORGANIZATION_EDITABLE_FIELDS = ("name", "kind", "country", "website", "description", "logo")


def _logo_reencoded(logo: Any) -> Any:
    """A newly uploaded logo, re-encoded within the pixel and byte budgets (``DomainError`` on ``logo``).

    Whatever rode along in the file is dropped (``alliance.images``); a logo already stored, or none, is kept.
    """
    if not isinstance(logo, UploadedFile):
        return logo
    return image_reencode(logo, max_pixels=settings.LOGO_MAX_PIXELS, max_bytes=settings.LOGO_MAX_BYTES)


def require_organization_manager(actor: Any, organization: Organization) -> None:
    """Its admins and alliance staff manage an organization; anyone else is refused."""
    if not may_manage_organization(actor, organization):
        raise NotPermitted(f"Only an admin of {organization} can do this.")


def require_organization_admin(actor: Any, organization: Organization) -> None:
    """What only the organization itself may do (apply, resubmit, withdraw): its admins, not staff."""
    if not is_organization_admin(actor, organization):
        raise NotPermitted(f"Only an admin of {organization} can do this.")


def organization_register(
    *,
    actor: User,
    name: str,
    kind: str,
    country: str,
    website: str = "",
    description: str = "",
    logo: Any = None,
    slug: str = "",
) -> Organization:
    """Register an organization as an applicant, with the person registering it as its first admin."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to register an organization.")
    name = clean_name(name, field="name")
    organization = Organization(
        name=name,
        slug=clean_slug(slug) if slug else unique_slug(Organization, name, fallback="organization"),
        kind=kind,
        country=country,
        website=website,
        description=description,
        logo=_logo_reencoded(logo) or "",
    )
    validate_model(organization)
    with transaction.atomic():
        organization.save()
        Affiliation.objects.create(person=actor, organization=organization, role=Affiliation.Role.ADMIN)
        audit_record(actor=actor, action="organization.registered", target=organization)
    return organization


def organization_update(*, actor: User, organization: Organization, **fields: Any) -> Organization:
    """Change the profile; admins of the organization and staff may. Status and tier are not edited here."""
    require_organization_manager(actor, organization)
    unknown = set(fields) - set(ORGANIZATION_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in fields:
        fields["name"] = clean_name(fields["name"], field="name")
    if "logo" in fields:
        fields["logo"] = _logo_reencoded(fields["logo"])
    audited_update(actor=actor, obj=organization, fields=fields, action="organization.updated")
    return organization


def organization_change_status(*, actor: User, organization: Organization, status: str, note: str = "") -> Organization:
    """Staff suspend, lapse, withdraw or reinstate a member organization."""
    require_staff(actor)
    if status not in Organization.Status.values or status == Organization.Status.APPLICANT:
        raise DomainError("Choose active, suspended, lapsed or withdrawn.", field="status")
    with transaction.atomic():
        organization = locked_organization(organization.pk)
        if organization.status == Organization.Status.APPLICANT:
            raise DomainError("An applicant becomes a member only through an approved application.")
        before = organization.status
        if before == status:
            return organization
        organization.status = status
        organization.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="organization.status_changed",
            target=organization,
            changes={"status": (before, status)},
            note=note,
        )
        notify(
            recipients=list(organization_admins(organization)),
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/organization_status_changed",
            context={"organization": organization, "note": note},
            url=organization.get_absolute_url(),
        )
    return organization
