"""The governance part of the demo: a steering committee with organization seats, a technical committee with
person seats, an open motion with some votes in, and a closed election with its results.

It stands on the members demo (staff and the people of the demo organizations). Everything a rule governs goes
through the services, as on the pages: creating committees, seating people, drafting, opening, voting, closing.
The election is then moved into the past, which is history no service writes (as the events demo does with past
events). Each committee and each ballot is skipped when it is already there, so loading again changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Organization, User

from . import services
from .models import Ballot, BallotResult, Committee, CommitteeMember, Vote

STAFF_EMAIL = "staff@alliance.example"
Role = CommitteeMember.Role


@dataclass
class Seat:
    email: str
    role: str
    organization: str = ""  # the slug of the organization the seat stands for (organization seats)


@dataclass
class DemoCommittee:
    name: str
    slug: str
    kind: str
    seats: str
    description: str
    members: list[Seat]


COMMITTEES = [
    DemoCommittee(
        "Steering Committee",
        "steering-committee",
        Committee.Kind.STEERING,
        Committee.Seats.ORGANIZATION,
        "Sets the alliance's direction and budget. Each founding and general member organization holds one seat; "
        "its alternate votes when its representative cannot.",
        [
            Seat("admin@aurora-labs.example", Role.CHAIR, "aurora-labs"),
            Seat("mira.koskinen@aurora-labs.example", Role.ALTERNATE, "aurora-labs"),
            Seat("haruto.sato@meridian-research-institute.example", Role.VOTING, "meridian-research-institute"),
            Seat("e.hughes@northwind-university.example", Role.VOTING, "northwind-university"),
            Seat("jonas.weber@helix-health.example", Role.VOTING, "helix-health"),
            Seat("maya@open-commons-foundation.example", Role.VOTING, "open-commons-foundation"),
            Seat("rgreen@quanta-systems.example", Role.VOTING, "quanta-systems"),
            Seat("lena.fischer@helix-health.example", Role.OBSERVER, "helix-health"),
        ],
    ),
    DemoCommittee(
        "Technical Committee",
        "technical-committee",
        Committee.Kind.TECHNICAL,
        Committee.Seats.PERSON,
        "Looks after the alliance's technical work: project graduations, shared infrastructure and the catalog's "
        "validation checklist. Its members are elected for their expertise.",
        [
            Seat("yui.tanaka@meridian-research-institute.example", Role.CHAIR),
            Seat("mira.koskinen@aurora-labs.example", Role.VOTING),
            Seat("t.okafor@northwind-university.example", Role.VOTING),
            Seat("mlee@quanta-systems.example", Role.VOTING),
            Seat("daniel@open-commons-foundation.example", Role.VOTING),
            Seat("liam.gagnon@civic-data-agency.example", Role.OBSERVER),
        ],
    ),
]

MOTION = "Adopt the 2026 budget"
MOTION_VOTES = [  # who votes what on the open motion (organization seats: one vote per organization)
    ("haruto.sato@meridian-research-institute.example", "yes"),
    ("e.hughes@northwind-university.example", "yes"),
    ("jonas.weber@helix-health.example", "abstain"),
]
ELECTION = "Elect the chair of the evaluation working group"
CANDIDATES = ["Yui Tanaka", "Tom Okafor", "Marcus Lee"]
ELECTION_VOTES = [
    ("yui.tanaka@meridian-research-institute.example", ["Yui Tanaka", "Marcus Lee", "Tom Okafor"]),
    ("mira.koskinen@aurora-labs.example", ["Tom Okafor", "Yui Tanaka"]),
    ("t.okafor@northwind-university.example", ["Tom Okafor", "Yui Tanaka", "Marcus Lee"]),
    ("mlee@quanta-systems.example", ["Marcus Lee", "Yui Tanaka", "Tom Okafor"]),
    ("daniel@open-commons-foundation.example", ["Yui Tanaka", "Tom Okafor", "Marcus Lee"]),
]


def load_governance_demo(*, log: Callable[[str], object] = print) -> None:
    """The demo committees and ballots, on top of the members demo (idempotent)."""
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        log("  Governance: skipped (load the members demo first: it creates the staff account)")
        return
    committees = {demo.slug: _committee(demo, staff, log) for demo in COMMITTEES}
    _open_motion(committees["steering-committee"], staff, log)
    _closed_election(committees["technical-committee"], staff, log)


def _committee(demo: DemoCommittee, staff: User, log: Callable[[str], object]) -> Committee:
    committee = Committee.objects.filter(slug=demo.slug).first()
    if committee is None:
        committee = services.committee_create(
            actor=staff, name=demo.name, slug=demo.slug, kind=demo.kind, seats=demo.seats, description=demo.description
        )
        log(f"  {demo.name}: created")
    else:
        log(f"  {demo.name}: already there")
    for seat in demo.members:
        person = User.objects.filter(email=seat.email).first()
        if person is None or committee.members.filter(person=person).exists():
            continue
        organization = Organization.objects.filter(slug=seat.organization).first() if seat.organization else None
        services.committee_member_add(
            actor=staff, committee=committee, person=person, role=seat.role, organization=organization
        )
    return committee


def _vote_as(ballot: Ballot, email: str, *, choice: str = "", ranking: list[str] | None = None) -> None:
    voter = User.objects.filter(email=email).first()
    if voter is not None and ballot.electorate.filter(person=voter).exists():
        services.ballot_vote(actor=voter, ballot=ballot, choice=choice, ranking=ranking)


def _open_motion(committee: Committee, staff: User, log: Callable[[str], object]) -> None:
    if committee.ballots.filter(title=MOTION).exists():
        log(f"  “{MOTION}”: already there")
        return
    now = timezone.now()
    with transaction.atomic():
        ballot = services.ballot_create(
            actor=staff,
            committee=committee,
            title=MOTION,
            description="The secretariat proposes the 2026 budget: **€1.2 million**, of which 40% funds shared "
            "evaluation infrastructure and 25% the working groups.\n\nA yes/no motion; open, so each "
            "organization's vote is published when it closes.",
            method=Ballot.Method.YES_NO,
            quorum_percent=50,
            threshold_percent=50,
            secret=False,
            opens_at=now,
            closes_at=now + timedelta(days=10),
        )
        ballot = services.ballot_open(actor=staff, ballot=ballot)
        for email, choice in MOTION_VOTES:
            _vote_as(ballot, email, choice=choice)
    log(f"  “{MOTION}”: open, {len(MOTION_VOTES)} votes in")


def _closed_election(committee: Committee, staff: User, log: Callable[[str], object]) -> None:
    if committee.ballots.filter(title=ELECTION).exists():
        log(f"  “{ELECTION}”: already there")
        return
    now = timezone.now()
    with transaction.atomic():
        ballot = services.ballot_create(
            actor=staff,
            committee=committee,
            title=ELECTION,
            description="Rank the candidates in order of preference; the Schulze method counts the ranking.",
            method=Ballot.Method.RANKED,
            options=CANDIDATES,
            quorum_percent=60,
            secret=True,
            opens_at=now,
            closes_at=now + timedelta(days=7),
        )
        ballot = services.ballot_open(actor=staff, ballot=ballot)
        for email, ranking in ELECTION_VOTES:
            _vote_as(ballot, email, ranking=ranking)
        services.ballot_close(actor=staff, ballot=ballot)
        # History no service writes: the election took place last month.
        shift = timedelta(days=30)
        Ballot.objects.filter(pk=ballot.pk).update(
            opens_at=now - shift,
            opened_at=now - shift,
            closes_at=now - shift + timedelta(days=7),
            closed_at=now - shift + timedelta(days=7),
        )
        BallotResult.objects.filter(ballot=ballot).update(computed_at=now - shift + timedelta(days=7))
        Vote.objects.filter(ballot=ballot).update(cast_at=now - shift + timedelta(days=1))
    log(f"  “{ELECTION}”: closed, counted")
