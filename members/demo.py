"""The members part of the demo: fictional organizations, people and applications in every state.

Everything that a rule governs goes through the services, exactly as a person would do it on the pages:
registering, applying, deciding, asking to join, inviting, changing roles. Only history that no service
writes is set directly afterwards (membership dates and application dates in the past). Each organization is
built in one transaction and skipped when it already exists, so running the command again changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Affiliation, Invoice, MembershipApplication, MembershipTerm, MembershipTier, Organization, User

DEMO_PASSWORD = "alliance-demo"
STAFF_EMAIL = "staff@alliance.example"
ADMIN_EMAIL = "admin@aurora-labs.example"


@dataclass
class Person:
    name: str
    local_part: str  # the address is local_part@<the organization's slug>.example
    title: str = ""
    role: str = Affiliation.Role.MEMBER
    listed: bool = True


@dataclass
class Demo:
    name: str
    kind: str
    country: str
    description: str
    website: str = ""
    # what happened to its membership: "approved", "suspended", or the state its one application is in
    story: str = "approved"
    tier: str = Organization.Tier.GENERAL
    member_since: date | None = None
    admin: Person = field(default_factory=lambda: Person("Alex Admin", "admin"))
    people: list[Person] = field(default_factory=list)
    reason: str = ""

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"


ORGANIZATIONS = [
    Demo(
        "Aurora Labs",
        Organization.Kind.STARTUP,
        "FI",
        "Open-weight language models for the Nordic languages, trained on documented, licensed data.",
        tier=Organization.Tier.FOUNDING,
        member_since=date(2023, 3, 1),
        admin=Person("Aino Lehtonen", "admin", "Chief Executive Officer"),
        people=[
            Person("Mira Koskinen", "mira.koskinen", "Head of Research", role=Affiliation.Role.ADMIN),
            Person("Otso Virtanen", "otso.virtanen", "Research Engineer", listed=False),
            Person("Linnea Berg", "linnea.berg", "Policy Lead"),
        ],
    ),
    Demo(
        "Meridian Research Institute",
        Organization.Kind.RESEARCH_INSTITUTE,
        "JP",
        "Independent institute for the evaluation and safety of machine learning systems.",
        tier=Organization.Tier.FOUNDING,
        member_since=date(2023, 3, 1),
        admin=Person("Haruto Sato", "haruto.sato", "Director"),
        people=[Person("Yui Tanaka", "yui.tanaka", "Senior Researcher")],
    ),
    Demo(
        "Northwind University",
        Organization.Kind.UNIVERSITY,
        "GB",
        "A public university whose AI lab publishes open benchmarks and teaching material.",
        tier=Organization.Tier.ACADEMIC,
        member_since=date(2023, 9, 15),
        admin=Person("Eleanor Hughes", "e.hughes", "Professor of Computer Science"),
        people=[
            Person("Tom Okafor", "t.okafor", "Doctoral Researcher"),
            Person("Priya Nair", "p.nair", "Lecturer", listed=False),
        ],
    ),
    Demo(
        "Helix Health",
        Organization.Kind.HEALTHCARE,
        "DE",
        "Hospital group using open models for clinical documentation, with patients' consent.",
        tier=Organization.Tier.GENERAL,
        member_since=date(2024, 1, 10),
        admin=Person("Jonas Weber", "jonas.weber", "Chief Medical Information Officer"),
        people=[Person("Lena Fischer", "lena.fischer", "Data Protection Officer")],
    ),
    Demo(
        "Open Commons Foundation",
        Organization.Kind.NON_PROFIT,
        "US",
        "A foundation that funds and stewards open datasets for public-interest AI.",
        tier=Organization.Tier.ASSOCIATE,
        member_since=date(2024, 2, 20),
        admin=Person("Maya Johnson", "maya", "Executive Director"),
        people=[Person("Daniel Kim", "daniel", "Program Officer")],
    ),
    Demo(
        "Quanta Systems",
        Organization.Kind.COMPANY,
        "US",
        "Hardware and compilers for efficient inference on open models.",
        tier=Organization.Tier.GENERAL,
        member_since=date(2024, 5, 6),
        admin=Person("Rachel Green", "rgreen", "VP Engineering"),
        people=[Person("Marcus Lee", "mlee", "Staff Engineer", listed=False)],
    ),
    Demo(
        "Sakura Robotics",
        Organization.Kind.STARTUP,
        "KR",
        "Robots for care homes, with openly published safety evaluations.",
        tier=Organization.Tier.GENERAL,
        member_since=date(2024, 11, 1),
        admin=Person("Ji-woo Park", "jiwoo.park", "Founder"),
    ),
    Demo(
        "Civic Data Agency",
        Organization.Kind.GOVERNMENT,
        "CA",
        "Public agency that publishes government data for training and evaluating public-service AI.",
        tier=Organization.Tier.ASSOCIATE,
        member_since=date(2025, 2, 3),
        admin=Person("Sophie Tremblay", "sophie.tremblay", "Chief Data Officer"),
        people=[Person("Liam Gagnon", "liam.gagnon", "Data Engineer")],
    ),
    Demo(
        "Andes Institute of Technology",
        Organization.Kind.UNIVERSITY,
        "CL",
        "Engineering university working on speech models for indigenous languages of the Andes.",
        tier=Organization.Tier.ACADEMIC,
        member_since=date(2025, 4, 22),
        admin=Person("Valentina Rojas", "vrojas", "Associate Professor"),
    ),
    Demo(
        "Polaris Compute",
        Organization.Kind.COMPANY,
        "SE",
        "Cloud provider offering compute grants to open-source model projects.",
        story="suspended",
        tier=Organization.Tier.GENERAL,
        member_since=date(2024, 6, 1),
        admin=Person("Erik Lindqvist", "erik", "Head of Partnerships"),
        reason="Membership fees for 2025 are unpaid; contact the secretariat to reinstate the membership.",
    ),
    Demo(
        "Baltic AI Cooperative",
        Organization.Kind.NON_PROFIT,
        "EE",
        "A cooperative of small companies sharing evaluation infrastructure.",
        story=MembershipApplication.Status.SUBMITTED,
        tier=Organization.Tier.ASSOCIATE,
        admin=Person("Kadri Tamm", "kadri", "Coordinator"),
    ),
    Demo(
        "Sahel Health Network",
        Organization.Kind.HEALTHCARE,
        "SN",
        "Clinics that pilot open diagnostic models in rural health centres.",
        story=MembershipApplication.Status.CHANGES_REQUESTED,
        tier=Organization.Tier.GENERAL,
        admin=Person("Awa Diop", "awa.diop", "Programme Manager"),
        reason="Please describe how patient data is protected and which models you plan to evaluate.",
    ),
    Demo(
        "Lumen Analytics",
        Organization.Kind.COMPANY,
        "BR",
        "Analytics company building open tooling for dataset documentation.",
        story=MembershipApplication.Status.RESUBMITTED,
        tier=Organization.Tier.GENERAL,
        admin=Person("Lucas Oliveira", "lucas", "Chief Technology Officer"),
        reason="Which open projects would you contribute to in your first year?",
    ),
    Demo(
        "Vertex Dynamics",
        Organization.Kind.COMPANY,
        "AU",
        "Defence contractor interested in autonomous systems.",
        story=MembershipApplication.Status.REJECTED,
        tier=Organization.Tier.FOUNDING,
        admin=Person("Chloe Watson", "chloe", "Business Development"),
        reason="The alliance charter excludes weapons development; the application is outside its scope.",
    ),
    Demo(
        "Nimbus Cloud",
        Organization.Kind.STARTUP,
        "IN",
        "Start-up offering hosted inference of open models.",
        story=MembershipApplication.Status.WITHDRAWN,
        tier=Organization.Tier.GENERAL,
        admin=Person("Arjun Mehta", "arjun", "Co-founder"),
    ),
]

STATEMENT = (
    "{name} wants to join the alliance to share its work openly, take part in the working groups and "
    "follow the charter in everything it publishes."
)


def load_members_demo(*, log: Callable[[str], object] = print, password: str = DEMO_PASSWORD) -> None:
    """Staff, the demo organizations and their people (idempotent: an organization already there is skipped).

    Every demo person gets ``password``: the published one for the embedded default, another one elsewhere
    (``load_demo_data`` decides).
    """
    _MembersDemo(log, password).load()


class _MembersDemo:
    def __init__(self, log: Callable[[str], object], password: str) -> None:
        self.log = log
        self.password = password

    def load(self) -> None:
        self.password_hash = make_password(self.password)  # hashed once: every demo person shares it
        staff = self.person(STAFF_EMAIL, "Sam Rivera (secretariat)", is_staff=True, is_superuser=True)
        for demo in ORGANIZATIONS:
            if Organization.objects.filter(slug=demo.slug).exists():
                self.log(f"  {demo.name}: already there")
                continue
            with transaction.atomic():
                self.build(demo, staff)
            self.log(f"  {demo.name}: created ({demo.story})")

    def person(self, email: str, name: str, **flags: bool) -> User:
        """A person with a verified primary address, as after signing up and confirming the email."""
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(
                email=email, name=name, password=self.password_hash, listed_by_name=True, **flags
            )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def build(self, demo: Demo, staff: User) -> None:
        admin = self.person(f"{demo.admin.local_part}@{demo.domain}", demo.admin.name)
        organization = services.organization_register(
            actor=admin,
            name=demo.name,
            slug=demo.slug,
            kind=demo.kind,
            country=demo.country,
            website=demo.website or f"https://www.{demo.domain}",
            description=demo.description,
        )
        services.affiliation_update_profile(
            actor=admin, affiliation=admin.affiliations.get(organization=organization), title=demo.admin.title
        )
        application = services.application_submit(
            actor=admin,
            organization=organization,
            tier=demo.tier,
            statement=STATEMENT.format(name=demo.name),
            charter_accepted=True,
        )
        self.decide(demo, application, admin, staff)
        if demo.story in ("approved", "suspended"):
            self.backdate(organization, application, demo.member_since)
            self.add_people(demo, organization, admin)
        if demo.story == "suspended":
            services.organization_change_status(
                actor=staff, organization=organization, status=Organization.Status.SUSPENDED, note=demo.reason
            )
        if demo.name == "Aurora Labs":
            self.aurora_extras(demo, organization, admin)

    def decide(self, demo: Demo, application: MembershipApplication, admin: User, staff: User) -> None:
        status = MembershipApplication.Status
        if demo.story in ("approved", "suspended"):
            services.application_approve(actor=staff, application=application)
        elif demo.story in (status.CHANGES_REQUESTED, status.RESUBMITTED):
            services.application_request_changes(actor=staff, application=application, reason=demo.reason)
            if demo.story == status.RESUBMITTED:
                services.application_resubmit(
                    actor=admin,
                    application=application,
                    statement=STATEMENT.format(name=demo.name)
                    + " In its first year it will contribute dataset cards and evaluation reports.",
                )
        elif demo.story == status.REJECTED:
            services.application_reject(actor=staff, application=application, reason=demo.reason)
        elif demo.story == status.WITHDRAWN:
            services.application_withdraw(actor=admin, application=application)

    def backdate(self, organization: Organization, application: MembershipApplication, member_since: date) -> None:
        """History no service writes: when the organization joined and when it applied."""
        decided = timezone.make_aware(datetime.combine(member_since, time(10)))
        Organization.objects.filter(pk=organization.pk).update(member_since=member_since)
        # Its first term began then, and runs to the next anniversary ahead (as the migration did for members).
        term = MembershipTerm.objects.select_related("tier").get(organization=organization)
        periods = 1
        while services.add_months(decided, term.tier.term_months * periods) <= timezone.now():
            periods += 1
        MembershipTerm.objects.filter(pk=term.pk).update(
            starts_at=decided, ends_at=services.add_months(decided, term.tier.term_months * periods)
        )
        MembershipApplication.objects.filter(pk=application.pk).update(
            submitted_at=decided - timedelta(days=21), decided_at=decided
        )

    def add_people(self, demo: Demo, organization: Organization, admin: User) -> None:
        """Colleagues join the way the portal offers: a verified address on the domain, and the admin approves."""
        services.domain_add(actor=admin, organization=organization, domain=demo.domain)
        for colleague in demo.people:
            person = self.person(f"{colleague.local_part}@{demo.domain}", colleague.name)
            join_request = services.join_request_create(actor=person, organization=organization)
            services.join_request_approve(actor=admin, join_request=join_request)
            affiliation = person.affiliations.get(organization=organization)
            services.affiliation_update_profile(
                actor=person, affiliation=affiliation, title=colleague.title, listed=colleague.listed
            )
            if colleague.role == Affiliation.Role.ADMIN:
                services.affiliation_change_role(actor=admin, affiliation=affiliation, role=Affiliation.Role.ADMIN)

    def aurora_extras(self, demo: Demo, organization: Organization, admin: User) -> None:
        """Work waiting for the Aurora Labs admin: a pending invitation and a pending join request."""
        services.invitation_create(
            actor=admin,
            organization=organization,
            email=f"new.colleague@{demo.domain}",
            role=Affiliation.Role.MEMBER,
        )
        newcomer = self.person(f"jordan.lee@{demo.domain}", "Jordan Lee")
        services.join_request_create(
            actor=newcomer, organization=organization, message="I joined the research team last week."
        )


# --- membership standings (loaded last: the other apps' demos act while everyone is in good standing) -----------

TIER_FEES = {"founding": "10000.00", "general": "5000.00", "associate": "1500.00", "academic": "0.00"}


def load_membership_demo(*, log: Callable[[str], object] = print) -> None:
    """Fees on the tiers, and terms in every standing, set as staff would (``membership_term_correct``, audited):
    Aurora Labs in grace (its admin sees the banner and may renew), Civic Data Agency with its renewal due,
    Sakura Robotics lapsed, and Helix Health renewed early at a tier with a fee (an open invoice)."""
    staff = User.objects.get(email=STAFF_EMAIL)
    for code, fee in TIER_FEES.items():
        tier = MembershipTier.objects.filter(code=code).first()
        if tier is not None:
            services.tier_update(actor=staff, tier=tier, annual_fee=fee)
    if Invoice.objects.filter(organization__slug="helix-health").exists():
        log("  membership standings: already there")
        return
    now = timezone.now()
    ends = {
        "aurora-labs": now - timedelta(days=12),  # grace
        "civic-data-agency": now + timedelta(days=40),  # renewal due
        "sakura-robotics": now - timedelta(days=45),  # lapsed
        "helix-health": now + timedelta(days=20),  # renewal due, then renewed below
    }
    for slug, ends_at in ends.items():
        term = MembershipTerm.objects.filter(organization__slug=slug).order_by("-ends_at").first()
        if term is None:
            continue
        services.membership_term_correct(
            actor=staff,
            term=term,
            starts_at=services.add_months(ends_at, -12),
            ends_at=ends_at,
            note="Demo: the term as it would stand today.",
        )
    helix = Organization.objects.filter(slug="helix-health").first()
    if helix is not None:
        admin = User.objects.filter(affiliations__organization=helix, affiliations__role=Affiliation.Role.ADMIN).first()
        services.membership_renew(actor=admin, organization=helix, accept_charter=True)
    log("  membership standings: grace, renewal due, lapsed and an invoice")
