"""The governance REST API under /api/v1/: the permission matrix (permission before input), results, filters,
and query counts."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.governance import services
from alliance.governance.models import Ballot, Committee, CommitteeMember, Vote
from members.models import User
from tests.api_matrix import API, Case, check_case, client_as, refreshed
from tests.members.factories import UserFactory
from tests.projects.factories import ProjectFactory

from .factories import BallotFactory, CommitteeFactory, CommitteeMemberFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "member", "chair", "staff")


@dataclass
class World:
    committee: Committee
    draft: Ballot
    open: Ballot
    closed: Ballot
    seat: CommitteeMember  # a voting member's seat, the one the chair removes
    newcomer: User  # sits nowhere; the one the chair seats
    users: dict[str, User | None]


@pytest.fixture
def world(board) -> World:
    """The board's committee (chair, three voting members) with a draft, an open and a closed motion."""
    draft = BallotFactory(committee=board.committee, title="Draft motion")
    opened = services.ballot_open(actor=board.chair, ballot=BallotFactory(committee=board.committee, title="Open"))
    closed = services.ballot_open(actor=board.chair, ballot=BallotFactory(committee=board.committee, title="Done"))
    services.ballot_vote(actor=board.voters[1], ballot=closed, choice="yes")
    services.ballot_close(actor=board.chair, ballot=closed)
    return World(
        committee=board.committee,
        draft=draft,
        open=opened,
        closed=closed,
        seat=CommitteeMember.objects.get(committee=board.committee, person=board.voters[2]),
        newcomer=UserFactory(name="Nina Newcomer"),
        users={
            "anonymous": None,
            "outsider": board.outsider,
            "member": board.voters[0],
            "chair": board.chair,
            "staff": board.staff,
        },
    )


def _window() -> dict[str, str]:
    now = timezone.now()
    return {"opens_at": (now + timedelta(days=1)).isoformat(), "closes_at": (now + timedelta(days=8)).isoformat()}


def _votes(w: World, ballot: Ballot) -> bool:
    return (
        Vote.objects.filter(ballot=ballot, voter=w.users["member"]).exists()
        or Vote.objects.filter(ballot=ballot, voter=w.users["chair"]).exists()
    )


NEW_BALLOT = {"committee": "{w.committee.slug}", "title": "Adopt the charter", "method": "yes_no", **_window()}

CASES = [  # expected: anonymous, outsider, member, chair, staff
    # reads: committees are public; a ballot one may not see is a 404
    Case("committees", "get", "/committees/", (200, 200, 200, 200, 200)),
    Case("committee", "get", "/committees/{w.committee.slug}/", (200, 200, 200, 200, 200)),
    Case("committee members", "get", "/committees/{w.committee.slug}/members/", (200, 200, 200, 200, 200)),
    Case("ballots", "get", "/ballots/", (200, 200, 200, 200, 200)),
    Case("draft ballot", "get", "/ballots/{w.draft.pk}/", (404, 404, 404, 200, 200)),
    Case("open ballot", "get", "/ballots/{w.open.pk}/", (404, 404, 200, 200, 200)),
    Case("results", "get", "/ballots/{w.closed.pk}/results/", (404, 404, 200, 200, 200)),
    Case("results before closing", "get", "/ballots/{w.open.pk}/results/", (404, 404, 400, 400, 400)),
    # committees: staff create them; an invalid body still hears 403 from anyone else
    Case(
        "create a committee",
        "post",
        "/committees/",
        (401, 403, 403, 403, 201),
        body={"name": "Safety Working Group", "kind": "working_group"},
        changed=lambda w: Committee.objects.filter(name="Safety Working Group").exists(),
    ),
    Case(
        "create a committee, invalid",
        "post",
        "/committees/",
        (401, 403, 403, 403, 400),
        body={"name": "", "kind": "emperor"},
        changed=lambda w: Committee.objects.count() > 1,
    ),
    # seats: staff and chairs
    Case(
        "seat a person",
        "post",
        "/committees/{w.committee.slug}/members/",
        (401, 403, 403, 201, 201),
        body={"email": "{w.newcomer.email}", "role": "voting"},
        changed=lambda w: w.committee.members.filter(person=w.newcomer).exists(),
    ),
    Case(
        "seat a person, invalid",
        "post",
        "/committees/{w.committee.slug}/members/",
        (401, 403, 403, 400, 400),
        body={"email": "not-an-address", "role": "emperor"},
        changed=lambda w: w.committee.members.count() != 4,
    ),
    Case(
        "remove a seat",
        "delete",
        "/committees/{w.committee.slug}/members/{w.seat.pk}/",
        (401, 403, 403, 204, 204),
        changed=lambda w: refreshed(w.seat) is None,
    ),
    Case(
        "remove a seat that is not there",
        "delete",
        "/committees/{w.committee.slug}/members/999999/",
        (401, 403, 403, 404, 404),
    ),
    # ballots: staff and chairs draft and run them
    Case(
        "draft a ballot",
        "post",
        "/ballots/",
        (401, 403, 403, 201, 201),
        body=NEW_BALLOT,
        changed=lambda w: Ballot.objects.filter(title="Adopt the charter").exists(),
    ),
    Case(
        "draft a ballot, invalid",
        "post",
        "/ballots/",
        (401, 403, 403, 400, 400),
        body={"committee": "{w.committee.slug}", "title": "", "method": "referendum"},
        changed=lambda w: Ballot.objects.count() != 3,
    ),
    Case(
        "draft a ballot of no committee",
        "post",
        "/ballots/",
        (401, 403, 403, 400, 400),
        body={**NEW_BALLOT, "committee": "no-such-committee"},
        changed=lambda w: Ballot.objects.count() != 3,
    ),
    Case(
        "edit a draft",
        "patch",
        "/ballots/{w.draft.pk}/",
        (401, 404, 404, 200, 200),
        body={"title": "Renamed"},
        changed=lambda w: refreshed(w.draft).title == "Renamed",
    ),
    Case(
        "edit a draft, invalid",
        "patch",
        "/ballots/{w.draft.pk}/",
        (401, 404, 404, 400, 400),
        body={"quorum_percent": "lots", "method": "referendum"},
        changed=lambda w: refreshed(w.draft).updated_at != w.draft.updated_at,
    ),
    Case(
        "edit after opening",
        "patch",
        "/ballots/{w.open.pk}/",
        (401, 404, 403, 400, 400),
        body={"title": "Renamed"},
        changed=lambda w: refreshed(w.open).title == "Renamed",
    ),
    Case(
        "open a draft",
        "post",
        "/ballots/{w.draft.pk}/open/",
        (401, 404, 404, 200, 200),
        changed=lambda w: refreshed(w.draft).state == Ballot.State.OPEN,
    ),
    Case(
        "close an open ballot",
        "post",
        "/ballots/{w.open.pk}/close/",
        (401, 404, 403, 200, 200),
        changed=lambda w: refreshed(w.open).state == Ballot.State.CLOSED,
    ),
    Case(
        "cancel an open ballot",
        "post",
        "/ballots/{w.open.pk}/cancel/",
        (401, 404, 403, 200, 200),
        body={"reason": "Withdrawn."},
        changed=lambda w: refreshed(w.open).state == Ballot.State.CANCELLED,
    ),
    Case(
        "cancel, invalid",
        "post",
        "/ballots/{w.open.pk}/cancel/",
        (401, 404, 403, 400, 400),
        body={"reason": {"why": "a dict is not a reason"}},
        changed=lambda w: refreshed(w.open).state != Ballot.State.OPEN,
    ),
    # votes: the electorate only (staff are not in it)
    Case(
        "vote",
        "post",
        "/ballots/{w.open.pk}/vote/",
        (401, 404, 200, 200, 403),
        body={"choice": "yes"},
        changed=lambda w: _votes(w, w.open),
    ),
    Case(
        "vote, invalid",
        "post",
        "/ballots/{w.open.pk}/vote/",
        (401, 404, 400, 400, 403),
        body={"choice": "maybe"},
        changed=lambda w: Vote.objects.filter(ballot=w.open).exists(),
    ),
    Case(
        "vote, neither choice nor ranking",
        "post",
        "/ballots/{w.open.pk}/vote/",
        (401, 404, 400, 400, 403),
        body={"ranking": "yes", "choice": "yes"},
        changed=lambda w: Vote.objects.filter(ballot=w.open).exists(),
    ),
    Case(
        "vote in a draft",
        "post",
        "/ballots/{w.draft.pk}/vote/",
        (401, 404, 404, 400, 403),
        body={"choice": "yes"},
        changed=lambda w: Vote.objects.filter(ballot=w.draft).exists(),
    ),
    Case(
        "vote after closing",
        "post",
        "/ballots/{w.closed.pk}/vote/",
        (401, 404, 400, 400, 403),
        body={"choice": "no"},
        changed=lambda w: Vote.objects.filter(ballot=w.closed).count() != 1,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(world, case, role):
    check_case(world, case, role, ROLES)


# --- what each answer says -----------------------------------------------------------------------------------


def test_the_ballot_list_holds_only_what_the_caller_may_see(world):
    def titles(role: str) -> set[str]:
        response = client_as(world.users[role]).get(f"{API}/ballots/")
        return {ballot["title"] for ballot in response.json()["results"]}

    assert titles("anonymous") == titles("outsider") == set()
    assert titles("member") == {"Open", "Done"}
    assert titles("chair") == titles("staff") == {"Draft motion", "Open", "Done"}


def test_ballot_filters_are_parsed_and_a_bad_one_is_a_400(world):
    client = client_as(world.users["chair"])

    assert [b["title"] for b in client.get(f"{API}/ballots/?state=open").json()["results"]] == ["Open"]
    assert client.get(f"{API}/ballots/?committee=nothing-here").json()["results"] == []
    bad = client.get(f"{API}/ballots/?state=AAA")
    assert bad.status_code == 400 and "state" in bad.json()["errors"]


def test_a_committee_shows_names_never_addresses_and_hides_a_project_one_may_not_see(world, staff):
    hidden = ProjectFactory(state="draft")
    Committee.objects.filter(pk=world.committee.pk).update(project=hidden)

    public = client_as(None).get(f"{API}/committees/{world.committee.slug}/").json()
    staffs = client_as(staff).get(f"{API}/committees/{world.committee.slug}/").json()

    assert public["project"] is None and staffs["project"] == hidden.slug
    assert {member["name"] for member in public["members"]} >= {"Cleo Chair", "Voter 1"}
    assert "@" not in str(public)


def test_a_vote_by_api_answers_the_vote_and_the_ballot_shows_it(world):
    client = client_as(world.users["member"])

    answer = client.post(f"{API}/ballots/{world.open.pk}/vote/", {"choice": "no"}, format="json")
    ballot = client.get(f"{API}/ballots/{world.open.pk}/").json()

    assert answer.status_code == 200 and answer.json()["choice"] == "no"
    assert ballot["may_vote"] is True
    assert ballot["my_vote"]["cast_by_you"] is True and ballot["my_vote"]["choice"] == "no"


def test_a_ranked_election_through_the_api(board):
    # given a chair who drafts and opens a ranked ballot through the API
    chair = client_as(board.chair)
    created = chair.post(
        f"{API}/ballots/",
        {
            "committee": board.committee.slug,
            "title": "Elect the chair",
            "method": "ranked",
            "options": ["Ada", "Grace", "Linus"],
            "quorum_percent": 50,
            "secret": False,
            **_window(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    ballot_id = created.json()["id"]
    assert chair.post(f"{API}/ballots/{ballot_id}/open/").status_code == 200

    # when three members rank the options
    for voter, ranking in zip(
        board.voters, [["Grace", "Ada"], ["Grace", "Linus", "Ada"], ["Ada", "Grace", "Linus"]], strict=True
    ):
        response = client_as(voter).post(f"{API}/ballots/{ballot_id}/vote/", {"ranking": ranking}, format="json")
        assert response.status_code == 200, response.content
    assert chair.post(f"{API}/ballots/{ballot_id}/close/").status_code == 200

    # then the results carry the ranking, the matrix and each (open) vote
    results = client_as(board.voters[0]).get(f"{API}/ballots/{ballot_id}/results/").json()
    assert set(results) >= {"eligible", "turnout", "quorum_met", "passed", "tally", "winner", "ranking", "pairwise"}
    assert (results["eligible"], results["turnout"], results["quorum_met"], results["passed"]) == (4, 3, True, None)
    assert (results["winner"], results["ranking"]) == ("Grace", ["Grace", "Ada", "Linus"])
    assert results["pairwise"]["Grace"] == {"Ada": 2, "Linus": 3}
    assert sorted(vote["voter"] for vote in results["votes"]) == ["Voter 1", "Voter 2", "Voter 3"]


def test_a_secret_ballots_results_name_no_voter(world):
    results = client_as(world.users["member"]).get(f"{API}/ballots/{world.closed.pk}/results/").json()

    assert results["votes"] == []
    assert (results["eligible"], results["turnout"], results["passed"], results["winner"]) == (4, 1, False, None)


def test_seating_someone_on_a_committee_with_organization_seats_names_their_organization(staff):
    from tests.members.factories import AffiliationFactory, OrganizationFactory

    from .factories import OrganizationSeatsCommitteeFactory

    committee = OrganizationSeatsCommitteeFactory()
    organization = OrganizationFactory(slug="aurora-labs", name="Aurora Labs")
    person = AffiliationFactory(organization=organization).person

    response = client_as(staff).post(
        f"{API}/committees/{committee.slug}/members/",
        {"email": person.email, "role": "voting", "organization": "aurora-labs"},
        format="json",
    )
    second = client_as(staff).post(
        f"{API}/committees/{committee.slug}/members/",
        {"email": AffiliationFactory(organization=organization).person.email, "role": "voting"},
        format="json",
    )

    assert response.status_code == 201 and response.json()["organization"] == {
        "slug": "aurora-labs",
        "name": "Aurora Labs",
    }
    assert second.status_code == 400 and "already holds a voting seat" in second.json()["detail"]
    assert second.json()["errors"] == {"organization": [second.json()["detail"]]}


# --- query counts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_the_ballot_list_costs_the_same_for_3_or_30_ballots(board, count, django_assert_num_queries):
    for _ in range(count):
        services.ballot_open(actor=board.chair, ballot=BallotFactory(committee=board.committee))
    client = client_as(board.voters[0])

    with django_assert_num_queries(2):  # the count for the page, the page of ballots (with their committee)
        response = client.get(f"{API}/ballots/?page_size=100")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [3, 30])
def test_a_committee_costs_the_same_for_3_or_30_members(count, django_assert_num_queries):
    committee = CommitteeFactory()
    for _ in range(count):
        CommitteeMemberFactory(committee=committee)

    with django_assert_num_queries(4):  # the committee, the visible projects, its members, their public affiliations
        response = client_as(None).get(f"{API}/committees/{committee.slug}/")
    assert len(response.json()["members"]) == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_committee_list_costs_the_same_for_3_or_30_committees(count, django_assert_num_queries):
    for _ in range(count):
        CommitteeMemberFactory(committee=CommitteeFactory(project=ProjectFactory()))

    with django_assert_num_queries(3):  # the count, the page of committees (with project and size), visible projects
        response = client_as(None).get(f"{API}/committees/?page_size=100")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_committee_members_cost_the_same_for_3_or_30_members(count, django_assert_num_queries):
    committee = CommitteeFactory()
    for _ in range(count):
        CommitteeMemberFactory(committee=committee)

    with django_assert_num_queries(3):  # the committee, its members, their public affiliations
        response = client_as(None).get(f"{API}/committees/{committee.slug}/members/")
    assert len(response.json()) == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_results_of_an_open_ballot_cost_the_same_for_3_or_30_votes(count, django_assert_num_queries):
    committee = CommitteeFactory()
    chair = CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.CHAIR).person
    voters = [CommitteeMemberFactory(committee=committee).person for _ in range(count)]
    ballot = services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee, secret=False))
    for voter in voters:
        services.ballot_vote(actor=voter, ballot=ballot, choice="no")
    services.ballot_close(actor=chair, ballot=ballot)
    client = client_as(chair)

    with django_assert_num_queries(3):  # the ballot (if visible), its result, its votes with voters
        response = client.get(f"{API}/ballots/{ballot.pk}/results/")
    assert response.json()["tally"]["no"] == count
    assert len(response.json()["votes"]) == count
