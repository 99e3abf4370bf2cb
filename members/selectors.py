"""Reusable read queries of the members domain; each costs a fixed number of queries whatever the rows."""

from typing import Any

from django.db.models import Count, Exists, Q, QuerySet

from .models import Affiliation, MembershipApplication, Organization, User


def is_member_expression(person: Any) -> Exists:
    """True, in SQL, when the person belongs to an active member organization: filter on it, no extra query."""
    return Exists(Affiliation.objects.filter(person_id=person.pk, organization__status=Organization.Status.ACTIVE))


def organization_directory(
    *, search: str = "", kind: str = "", country: str = "", tier: str = ""
) -> QuerySet[Organization]:
    """Active member organizations, as the public directory lists them, with their count of listed people."""
    organizations = Organization.objects.filter(status=Organization.Status.ACTIVE).annotate(
        listed_people=Count("affiliations", filter=Q(affiliations__listed=True))
    )
    if search:
        organizations = organizations.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if kind:
        organizations = organizations.filter(kind=kind)
    if country:
        organizations = organizations.filter(country=country)
    if tier:
        organizations = organizations.filter(tier=tier)
    return organizations.order_by("name")


def organizations_visible_to(person: Any) -> QuerySet[Organization]:
    """Active organizations for everyone; staff see all; a person also sees the ones they belong to."""
    if getattr(person, "is_staff", False):
        return Organization.objects.all()
    if getattr(person, "is_authenticated", False):
        return Organization.objects.filter(
            Q(status=Organization.Status.ACTIVE) | Q(affiliations__person=person)
        ).distinct()
    return Organization.objects.filter(status=Organization.Status.ACTIVE)


def organization_listed_people(organization: Organization) -> QuerySet[Affiliation]:
    """The people who chose to appear on the organization's public page."""
    return organization.affiliations.filter(listed=True, person__is_active=True).select_related("person")


def organizations_administered_by(person: Any) -> QuerySet[Organization]:
    if not getattr(person, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(affiliations__person=person, affiliations__role=Affiliation.Role.ADMIN)


def person_affiliations(person: User) -> QuerySet[Affiliation]:
    return person.affiliations.select_related("organization").order_by("organization__name")


def applications_visible_to(person: Any) -> QuerySet[MembershipApplication]:
    """Staff see every application; an organization's admins see that organization's ones."""
    applications = MembershipApplication.objects.select_related("organization", "submitted_by", "decided_by")
    if getattr(person, "is_staff", False):
        return applications
    return applications.filter(organization__in=organizations_administered_by(person))


def application_review_queue() -> QuerySet[MembershipApplication]:
    """Applications waiting for a staff decision, oldest first."""
    return (
        MembershipApplication.objects.filter(status__in=MembershipApplication.AWAITING_STAFF)
        .select_related("organization", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def organization_people(organization: Organization) -> QuerySet[Affiliation]:
    """Everyone in the organization, for its admins' management page."""
    return organization.affiliations.select_related("person").order_by("-role", "person__email")


def person_verified_domains(person: Any) -> set[str]:
    """The email domains of the person's verified addresses: where they may ask to join an organization."""
    if not getattr(person, "is_authenticated", False):
        return set()
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=person, verified=True).values_list("email", flat=True)
    return {address.rsplit("@", 1)[-1].lower() for address in addresses}


def person_by_email(email: str) -> User | None:
    """The account with this address, whatever its case; services decide whether it may take part."""
    return User.objects.filter(email__iexact=(email or "").strip()).first()


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------


def is_organization_admin(person: Any, organization: Organization) -> bool:
    """An admin of this organization (staff are not, by this alone: callers that let staff act say so)."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=person, organization=organization, role=Affiliation.Role.ADMIN).exists()


def is_alliance_member(person: Any) -> bool:
    """A person affiliated with an active member organization."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=person, organization__status=Organization.Status.ACTIVE).exists()
