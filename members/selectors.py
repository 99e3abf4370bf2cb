"""Reusable read queries of the members domain; each costs a fixed number of queries whatever the rows.

The permission predicates at the end are the one statement of who may do what: the services ask them before
they act, and the pages, the API and the templates (through the context) ask the same ones to offer an action.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.utils import timezone

from alliance.models import AuditEntry

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

# --- membership standing (never stored: it follows the clock wherever it is read) ----------------------------

Standing = MembershipTerm.Standing

# The benefits a tier may bring, each a flag of MembershipTier; an app asks for the one it grants.
MEMBERS_ONLY_EVENTS = "members_only_events"
PROPOSE_PROJECTS = "propose_projects"
COMMITTEE_SEAT = "committee_seat"
BENEFITS = (MEMBERS_ONLY_EVENTS, PROPOSE_PROJECTS, COMMITTEE_SEAT)


def renewal_window() -> timedelta:
    """How long before a term's end its organization may renew (and is ``renewal_due``)."""
    return timedelta(days=settings.MEMBERSHIP_RENEWAL_WINDOW_DAYS)


def grace_period() -> timedelta:
    """How long after a term's end its organization keeps its benefits (``grace``) before it has ``lapsed``."""
    return timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


def standing_at(term_end: datetime | None, now: datetime) -> str:
    """The standing of an active organization whose latest term ends at ``term_end``, at the moment ``now``.

    current until the renewal window opens; renewal_due from then until the end; grace from the end for the grace
    period; lapsed from then on (and when there never was a term). Each boundary belongs to the later standing.
    """
    if term_end is None or now >= term_end + grace_period():
        return Standing.LAPSED
    if now >= term_end:
        return Standing.GRACE
    if now >= term_end - renewal_window():
        return Standing.RENEWAL_DUE
    return Standing.CURRENT


def _latest_term(organization_ref: str = "pk") -> QuerySet[MembershipTerm]:
    return MembershipTerm.objects.filter(organization_id=OuterRef(organization_ref)).order_by("-ends_at", "-pk")


def with_membership(organizations: QuerySet[Organization], *, now: datetime | None = None) -> QuerySet[Organization]:
    """Each organization with ``term_end`` (of its latest term), ``term_tier`` and ``standing``, in the list's
    own query: an organization that is not active stands as its status (applicant, suspended, withdrawn...)."""
    now = now or timezone.now()
    latest = _latest_term()
    organizations = organizations.annotate(
        term_end=Subquery(latest.values("ends_at")[:1]),
        term_tier=Subquery(latest.values("tier__code")[:1]),
    )
    return organizations.annotate(
        standing=Case(
            When(~Q(status=Organization.Status.ACTIVE), then=F("status")),
            When(Q(term_end__isnull=True) | Q(term_end__lte=now - grace_period()), then=Value(Standing.LAPSED)),
            When(term_end__lte=now, then=Value(Standing.GRACE)),
            When(term_end__lte=now + renewal_window(), then=Value(Standing.RENEWAL_DUE)),
            default=Value(Standing.CURRENT),
            output_field=CharField(),
        )
    )


def organizations_in_good_standing(
    *, benefit: str | None = None, now: datetime | None = None
) -> QuerySet[Organization]:
    """Active organizations with a term in force (started, and not ended more than the grace period ago), whose
    tier brings ``benefit`` when one is named: who keeps the benefits of membership. A lapsed organization is not
    among them, and is again the moment it renews."""
    if benefit is not None and benefit not in BENEFITS:
        raise ValueError(f"Unknown membership benefit: {benefit}")
    now = now or timezone.now()
    in_force = MembershipTerm.objects.filter(
        organization_id=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now - grace_period()
    )
    if benefit is not None:
        in_force = in_force.filter(**{f"tier__{benefit}": True})
    return Organization.objects.filter(Exists(in_force), status=Organization.Status.ACTIVE)


def is_in_good_standing(organization: Organization, *, benefit: str | None = None) -> bool:
    """The organization keeps the benefits of membership (``benefit`` of its tier, when named) right now."""
    return organizations_in_good_standing(benefit=benefit).filter(pk=organization.pk).exists()


def is_member_expression(person: Any, *, benefit: str | None = None) -> Exists:
    """True, in SQL, when the person belongs to an organization in good standing (whose tier brings ``benefit``,
    when named): filter on it, no extra query."""
    return Exists(
        Affiliation.objects.filter(
            person_id=person.pk, organization__in=organizations_in_good_standing(benefit=benefit).values("pk")
        )
    )


@dataclass(frozen=True)
class Membership:
    """An organization's membership as its people and staff read it: the latest term and what follows from it."""

    organization: Organization
    term: MembershipTerm | None
    standing: str
    now: datetime

    @property
    def tier(self) -> MembershipTier | None:
        return self.term.tier if self.term else None

    @property
    def term_start(self) -> datetime | None:
        return self.term.starts_at if self.term else None

    @property
    def term_end(self) -> datetime | None:
        return self.term.ends_at if self.term else None

    @property
    def grace_until(self) -> datetime | None:
        return self.term.ends_at + grace_period() if self.term else None

    @property
    def renewal_opens(self) -> datetime | None:
        return self.term.ends_at - renewal_window() if self.term else None

    @property
    def may_renew_now(self) -> bool:
        return self.standing in RENEWABLE_STANDINGS


RENEWABLE_STANDINGS = (Standing.RENEWAL_DUE, Standing.GRACE, Standing.LAPSED)


def organization_membership(organization: Organization, *, now: datetime | None = None) -> Membership:
    """The organization's latest term (with its tier) and its standing now: one query."""
    now = now or timezone.now()
    term = organization.terms.select_related("tier").order_by("-ends_at", "-pk").first()
    if organization.status != Organization.Status.ACTIVE:
        standing = organization.status
    else:
        standing = standing_at(term.ends_at if term else None, now)
    return Membership(organization=organization, term=term, standing=standing, now=now)


def organization_terms(organization: Organization) -> QuerySet[MembershipTerm]:
    """Every term of the organization, latest first, each with its tier and its invoice (if any)."""
    return organization.terms.select_related("tier", "invoice").order_by("-ends_at", "-pk")


def membership_tiers() -> QuerySet[MembershipTier]:
    """The tiers, in their order: what an application or a renewal may choose."""
    return MembershipTier.objects.order_by("position", "name")


def tier_choices() -> list[tuple[str, str]]:
    """Each tier's code and name, in their order (one query): what a list's tier filter offers."""
    return list(membership_tiers().values_list("code", "name"))


def tier_by_code(code: str) -> MembershipTier | None:
    return MembershipTier.objects.filter(code=code).first() if code else None


def tier_name_subquery(code_field: str = "tier") -> Subquery:
    """The name of the tier whose code is the outer row's ``code_field`` (``"organization__tier"`` through a
    relation), in the list's own query."""
    return Subquery(MembershipTier.objects.filter(code=OuterRef(code_field)).values("name")[:1])


def with_tier_name(rows: QuerySet[Any], code_field: str = "tier") -> QuerySet[Any]:
    """Each row with ``tier_name``, its tier's name as staff last set it, and ``tier_name_code``, the code it is the
    name of: what ``get_tier_display`` shows without a query per row (organizations and applications name their
    tier by its code; a row whose code changed since reads the name again)."""
    return rows.annotate(tier_name=tier_name_subquery(code_field), tier_name_code=F(code_field))


def tier_names() -> dict[str, str]:
    """Each tier's name by its code (one query), for the pages that show an organization's tier by name."""
    return dict(MembershipTier.objects.values_list("code", "name"))


def invoices_visible_to(person: Any) -> QuerySet[Invoice]:
    """Staff see every invoice; an organization's admins see that organization's ones."""
    invoices = Invoice.objects.select_related("organization", "term", "marked_paid_by")
    if getattr(person, "is_staff", False):
        return invoices
    return invoices.filter(organization__in=organizations_administered_by(person))


def person_grace_expression(*, now: datetime | None = None) -> Subquery:
    """For a person row (``OuterRef("pk")``): the first of their organizations whose term is in grace, as a small
    JSON object (slug, name, role, term end), or NULL. Added to the query that loads the signed-in person, so
    the grace banner of every page costs no query of its own."""
    now = now or timezone.now()
    in_grace = (
        Affiliation.objects.filter(person_id=OuterRef("pk"), organization__status=Organization.Status.ACTIVE)
        .annotate(latest_end=Subquery(_latest_term("organization_id").values("ends_at")[:1]))
        .filter(latest_end__gt=now - grace_period(), latest_end__lte=now)
        .order_by("latest_end", "organization_id")
    )
    return Subquery(
        in_grace.values(
            json=JSONObject(
                slug=F("organization__slug"), name=F("organization__name"), role=F("role"), term_end=F("latest_end")
            )
        )[:1]
    )


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
    organizations = organizations_in_good_standing() if person is None else organizations_visible_to(person)
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
    return with_tier_name(organizations.annotate(listed_people=Coalesce(listed_people, 0))).order_by("name")


def organization_directory_countries() -> list[str]:
    """The countries of the members in the directory, for its country filter."""
    return list(organizations_in_good_standing().order_by("country").values_list("country", flat=True).distinct())


def organizations_visible_to(person: Any) -> QuerySet[Organization]:
    """Members in good standing for everyone (a lapsed one leaves the directory); staff see all; a person also sees
    the ones they belong to."""
    if getattr(person, "is_staff", False):
        return Organization.objects.all()
    public = Q(pk__in=organizations_in_good_standing().values("pk"))
    if getattr(person, "is_authenticated", False):
        belongs = Exists(Affiliation.objects.filter(person_id=person.pk, organization_id=OuterRef("pk")))
        return Organization.objects.filter(public | belongs)
    return Organization.objects.filter(public)


def people_with_public_page() -> QuerySet[User]:
    """The people whose page others may see (``User.has_public_page``): listed by name by their consent."""
    return User.objects.filter(listed_by_name=True, is_active=True, erased_at__isnull=True).exclude(name="")


def person_public_affiliations(person: User, *, viewer: Any) -> QuerySet[Affiliation]:
    """The organizations a person's page names: the ones that list them (their choice) and the viewer may see."""
    return (
        person.affiliations.filter(listed=True, organization__in=organizations_visible_to(viewer).values("pk"))
        .select_related("organization")
        .order_by("organization__name")
    )


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
    """The person's organizations, by name, each with its organization and that one's tier name
    (``organization_tier_name``)."""
    return (
        person.affiliations.select_related("organization")
        .annotate(organization_tier_name=tier_name_subquery("organization__tier"))
        .order_by("organization__name")
    )


def person_affiliation(person: Any, organization: Organization) -> Affiliation | None:
    """The person's place in the organization, or None (always None for anonymous visitors)."""
    if not getattr(person, "is_authenticated", False):
        return None
    return Affiliation.objects.filter(person=person, organization=organization).first()


def applications_visible_to(person: Any, *, status: str = "") -> QuerySet[MembershipApplication]:
    """Staff see every application; an organization's admins see that organization's ones."""
    applications = with_tier_name(
        MembershipApplication.objects.select_related("organization", "submitted_by", "decided_by")
    )
    if status:
        applications = applications.filter(status=status)
    if getattr(person, "is_staff", False):
        return applications
    return applications.filter(organization__in=organizations_administered_by(person))


def application_review_queue() -> QuerySet[MembershipApplication]:
    """Applications waiting for a staff decision, oldest first."""
    return with_tier_name(
        MembershipApplication.objects.filter(status__in=MembershipApplication.AWAITING_STAFF)
        .select_related("organization", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def applications_open_for_admin(person: Any) -> QuerySet[MembershipApplication]:
    """The open applications of the organizations the person is an admin of, oldest first (staff see the review
    queue instead): what the admin may resubmit or withdraw, and what they wait for."""
    return (
        MembershipApplication.objects.filter(
            status__in=MembershipApplication.OPEN_STATUSES, organization__in=organizations_administered_by(person)
        )
        .select_related("organization")
        .order_by("submitted_at", "pk")
    )


def join_requests_awaiting(person: Any) -> QuerySet[JoinRequest]:
    """Pending requests to join the organizations the person is an admin of, oldest first: theirs to answer."""
    return (
        JoinRequest.objects.filter(
            status=JoinRequest.Status.PENDING, organization__in=organizations_administered_by(person)
        )
        .select_related("organization", "person")
        .order_by("created_at", "pk")
    )


def invitations_for(person: Any, *, now: datetime | None = None) -> QuerySet[Invitation]:
    """The pending invitations sent to the person's address that have not expired, oldest first (the emailed link
    accepts them)."""
    if not getattr(person, "is_authenticated", False):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email__iexact=person.email, status=Invitation.Status.PENDING, expires_at__gt=now or timezone.now()
        )
        .select_related("organization")
        .order_by("created_at", "pk")
    )


def organizations_to_act_on(person: Any, *, now: datetime | None = None) -> QuerySet[Organization]:
    """The organizations the person is an admin of whose membership asks them to act, each with its ``standing``
    and ``grace_ends``: renewal due or in grace (renew), or an applicant with no open application (apply). One
    query."""
    open_application = MembershipApplication.objects.filter(
        organization_id=OuterRef("pk"), status__in=MembershipApplication.OPEN_STATUSES
    )
    return (
        with_membership(organizations_administered_by(person), now=now)
        .alias(has_open_application=Exists(open_application))
        .annotate(grace_ends=ExpressionWrapper(F("term_end") + grace_period(), output_field=DateTimeField()))
        .filter(
            Q(standing__in=[Standing.RENEWAL_DUE, Standing.GRACE])
            | Q(status=Organization.Status.APPLICANT, has_open_application=False)
        )
        .order_by("term_end", "name")
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


def is_alliance_member(person: Any, *, benefit: str | None = None) -> bool:
    """A person affiliated with a member organization in good standing (whose tier brings ``benefit``, if named)."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(
        person=person, organization__in=organizations_in_good_standing(benefit=benefit).values("pk")
    ).exists()


def may_renew_membership(person: Any, organization: Organization) -> bool:
    """Its admins renew an organization's membership (staff correct terms instead)."""
    return is_organization_admin(person, organization)


def may_see_membership(person: Any, organization: Organization) -> bool:
    """The organization's people and staff see its membership, its contributions and its dashboard."""
    return bool(getattr(person, "is_staff", False)) or belongs_to_organization(person, organization.pk)


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
        "membership_terms_renewed": MembershipTerm.objects.filter(renewed_by=person),
        "invoices_marked_paid": Invoice.objects.filter(marked_paid_by=person),
        "email_addresses": EmailAddress.objects.filter(user=person),
        "two_factor_authenticators": Authenticator.objects.filter(user=person),
    }


# The parts whose rows are the person's own: the audit trail's entries about them are about the person (the export's
# audit_entries_about_you, ARCHITECTURE.md); the applications they submitted are their organization's, the invitations
# they sent are the invitees'.
PERSONAL_DATA_OWN_ROWS = (
    "affiliations",
    "invitations_received",
    "join_requests",
    "api_tokens",
    "email_addresses",
    "two_factor_authenticators",
)


def organizations_only_administered_by(person: Any) -> QuerySet[Organization]:
    """The organizations whose one admin is this person: they cannot leave (nor erase their account) before naming
    another admin."""
    admins = Affiliation.objects.filter(organization=OuterRef("pk"), role=Affiliation.Role.ADMIN)
    return (
        Organization.objects.filter(affiliations__person_id=person.pk, affiliations__role=Affiliation.Role.ADMIN)
        .annotate(
            admin_count=Coalesce(
                Subquery(admins.order_by().values("organization").annotate(n=Count("pk")).values("n")), 0
            )
        )
        .filter(admin_count=1)
        .order_by("name")
    )


# --- an organization's audit trail -------------------------------------------------------------------------------

# The rows that belong to an organization, by the model name of their content type: their audit entries are its own.
_ORGANIZATION_ROWS: dict[str, type[Any]] = {
    "membershipapplication": MembershipApplication,
    "affiliation": Affiliation,
    "invitation": Invitation,
    "organizationdomain": OrganizationDomain,
    "joinrequest": JoinRequest,
    "membershipterm": MembershipTerm,
    "invoice": Invoice,
}


def organization_audit_entries(organization: Organization) -> QuerySet[AuditEntry]:
    """The audit entries about the organization and the rows that belong to it (applications, people, invitations,
    domains, join requests, terms, invoices), in one query; a row since deleted takes its entries with it."""
    about = Q(target_type__app_label="members", target_type__model="organization", target_id=str(organization.pk))
    for model_name, model in _ORGANIZATION_ROWS.items():
        ids = model.objects.filter(organization=organization).annotate(key=Cast("pk", CharField())).values("key")
        about |= Q(target_type__app_label="members", target_type__model=model_name, target_id__in=Subquery(ids))
    return AuditEntry.objects.filter(about)
