"""Reusable read queries of the members domain; each costs a fixed number of queries whatever the rows.

The permission predicates at the end are the one statement of who may do what: the services ask them before
they act, and the pages, the API and the templates (through the context) ask the same ones to offer an action.
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import (
    Affiliation,
    ApiToken,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organization,
    OrganizationDomain,
    User,
)


def is_member_expression(person: Any) -> Exists:
    """True, in SQL, when the person belongs to an active member organization: filter on it, no extra query."""
    return Exists(Affiliation.objects.filter(person_id=person.pk, organization__status=Organization.Status.ACTIVE))


def organization_directory(
    *,
    person: Any = None,
    search: str = "",
    kind: str = "",
    country: str = "",
    tier: str = "",
    status: str = "",
) -> QuerySet[Organization]:
    """Organizations as a list shows them, searched and filtered, by name, with their count of listed people.

    Without a person it is the public directory (active members only, whoever looks: the directory page); with
    one, the organizations that person may see (the API's list). Every word of ``search`` must appear in the
    name or the description.
    """
    if person is None:
        organizations = Organization.objects.filter(status=Organization.Status.ACTIVE)
    else:
        organizations = organizations_visible_to(person)
    for word in search.split():
        organizations = organizations.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if kind:
        organizations = organizations.filter(kind=kind)
    if country:
        organizations = organizations.filter(country=country)
    if tier:
        organizations = organizations.filter(tier=tier)
    if status:
        organizations = organizations.filter(status=status)
    # A subquery, not a join counted with GROUP BY: the page's count (and each row) stays a plain indexed query.
    listed = Affiliation.objects.filter(organization_id=OuterRef("pk"), listed=True).order_by()
    listed_people = Subquery(listed.values("organization_id").annotate(n=Count("pk")).values("n"))
    return organizations.annotate(listed_people=Coalesce(listed_people, 0)).order_by("name")


def organization_directory_countries() -> list[str]:
    """The countries of the active members, for the directory's country filter."""
    return list(
        Organization.objects.filter(status=Organization.Status.ACTIVE)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def organizations_visible_to(person: Any) -> QuerySet[Organization]:
    """Active organizations for everyone; staff see all; a person also sees the ones they belong to."""
    if getattr(person, "is_staff", False):
        return Organization.objects.all()
    if getattr(person, "is_authenticated", False):
        belongs = Exists(Affiliation.objects.filter(person_id=person.pk, organization_id=OuterRef("pk")))
        return Organization.objects.filter(Q(status=Organization.Status.ACTIVE) | belongs)
    return Organization.objects.filter(status=Organization.Status.ACTIVE)


def organization_listed_people(organization: Organization) -> QuerySet[Affiliation]:
    """The people who chose to appear on the organization's public page."""
    return organization.affiliations.filter(listed=True, person__is_active=True).select_related("person")


def organizations_administered_by(person: Any) -> QuerySet[Organization]:
    """The organizations the person is an admin of (none for anonymous visitors)."""
    if not getattr(person, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(affiliations__person=person, affiliations__role=Affiliation.Role.ADMIN)


def organization_admins(organization: Organization) -> QuerySet[User]:
    """The active admins of the organization, who hear about its membership and its join requests."""
    return User.objects.filter(
        affiliations__organization=organization, affiliations__role=Affiliation.Role.ADMIN, is_active=True
    ).order_by("pk")


def person_affiliations(person: User) -> QuerySet[Affiliation]:
    """The person's organizations, by name, each with its organization."""
    return person.affiliations.select_related("organization").order_by("organization__name")


def person_affiliation(person: Any, organization: Organization) -> Affiliation | None:
    """The person's place in the organization, or None (always None for anonymous visitors)."""
    if not getattr(person, "is_authenticated", False):
        return None
    return Affiliation.objects.filter(person=person, organization=organization).first()


def applications_visible_to(person: Any, *, status: str = "") -> QuerySet[MembershipApplication]:
    """Staff see every application; an organization's admins see that organization's ones."""
    applications = MembershipApplication.objects.select_related("organization", "submitted_by", "decided_by")
    if status:
        applications = applications.filter(status=status)
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


def organization_join_requests(organization: Organization, *, status: str = "") -> QuerySet[JoinRequest]:
    """The organization's requests to join (of one status, when given), each with its person."""
    join_requests = organization.join_requests.select_related("organization", "person")
    return join_requests.filter(status=status) if status else join_requests


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


def has_pending_join_request(person: Any, organization: Organization) -> bool:
    """The person already asked to join and no admin has answered yet."""
    if not getattr(person, "is_authenticated", False):
        return False
    return organization.join_requests.filter(person=person, status=JoinRequest.Status.PENDING).exists()


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------


def is_organization_admin(person: Any, organization: Organization) -> bool:
    """An admin of this organization (staff are not, by this alone: callers that let staff act say so)."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=person, organization=organization, role=Affiliation.Role.ADMIN).exists()


def may_manage_organization(person: Any, organization: Organization) -> bool:
    """Its admins and alliance staff manage an organization: its profile, people, invitations, domains, requests."""
    return bool(getattr(person, "is_staff", False)) or is_organization_admin(person, organization)


def belongs_to_organization(person: Any, organization_id: int) -> bool:
    """The person is affiliated with the organization, in any role."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=person, organization_id=organization_id).exists()


def is_alliance_member(person: Any) -> bool:
    """A person affiliated with an active member organization."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=person, organization__status=Organization.Status.ACTIVE).exists()


def is_on_organization_domain(person: Any, organization: Organization) -> bool:
    """One of the person's verified addresses is on a domain the organization registered: they may ask to join."""
    domains = person_verified_domains(person)
    return bool(domains) and organization.domains.filter(domain__in=domains).exists()


def is_application_decider(person: Any, application: MembershipApplication) -> bool:
    """Staff decide on applications, but never on one of an organization they belong to."""
    if not getattr(person, "is_staff", False):
        return False
    return not belongs_to_organization(person, application.organization_id)


def may_decide_application(person: Any, application: MembershipApplication) -> bool:
    """Offer the decision: the person decides applications like this one, and this one waits for staff."""
    return application.status in MembershipApplication.AWAITING_STAFF and is_application_decider(person, application)


def may_resubmit_application(person: Any, application: MembershipApplication) -> bool:
    """Offer the resubmission: an admin of the applicant, after staff asked for changes."""
    return application.status == MembershipApplication.Status.CHANGES_REQUESTED and is_organization_admin(
        person, application.organization
    )


def may_withdraw_application(person: Any, application: MembershipApplication) -> bool:
    """Offer the withdrawal: an admin of the applicant, while the application is open."""
    return application.is_open and is_organization_admin(person, application.organization)


def is_invited_person(person: Any, invitation: Invitation) -> bool:
    """Signed in with the address the invitation was sent to: the one person who may accept it."""
    return bool(getattr(person, "is_authenticated", False)) and person.email.lower() == invitation.email.lower()


def invitation_state(person: Any, invitation: Invitation | None) -> str:
    """What the invitation page tells the person: invalid, accepted, revoked, expired, anonymous, wrong_address or
    ready (they may accept it now)."""
    if invitation is None:
        return "invalid"
    if invitation.status != Invitation.Status.PENDING:
        return invitation.status
    if invitation.is_expired:
        return "expired"
    if not getattr(person, "is_authenticated", False):
        return "anonymous"
    return "ready" if is_invited_person(person, invitation) else "wrong_address"


# --- the personal-data contract (ARCHITECTURE.md) ------------------------------------------------------------


def personal_data(person: Any) -> dict[str, QuerySet]:
    """What the members app holds about ``person``: each part a query of the rows (for export and erasure)."""
    return {
        "account": User.objects.filter(pk=person.pk),
        "affiliations": Affiliation.objects.filter(person=person),
        "applications_submitted": MembershipApplication.objects.filter(submitted_by=person),
        "applications_decided": MembershipApplication.objects.filter(decided_by=person),
        "invitations_sent": Invitation.objects.filter(invited_by=person),
        "invitations_received": Invitation.objects.filter(Q(accepted_by=person) | Q(email__iexact=person.email)),
        "domains_added": OrganizationDomain.objects.filter(added_by=person),
        "join_requests": JoinRequest.objects.filter(person=person),
        "join_requests_decided": JoinRequest.objects.filter(decided_by=person),
        "api_tokens": ApiToken.objects.filter(user=person),
    }
