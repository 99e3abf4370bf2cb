"""The governance pages: what each person sees, the forms (permission before input), the vote form without
JavaScript, the results page, and query counts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from alliance.governance import services
from alliance.governance.models import Ballot, CommitteeMember, Vote
from tests.members.factories import AffiliationFactory, OrganizationFactory, UserFactory

from .factories import BallotFactory, CommitteeFactory, CommitteeMemberFactory, OrganizationSeatsCommitteeFactory
from .world import open_ballot

pytestmark = pytest.mark.django_db


def client_for(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- committees ------------------------------------------------------------------------------------------------


def test_committees_and_their_members_are_public_by_name_only(board):
    listing = client_for(None).get(reverse("governance:committee_list"))
    page = client_for(None).get(board.committee.get_absolute_url())

    assert listing.status_code == page.status_code == 200
    assert "Technical Committee" in text(listing)
    body = text(page)
    assert "Chairs" in body and "Voting members" in body and "Cleo Chair" in body and "Voter 3" in body
    assert board.chair.email not in body and "Seat someone" not in body


def test_a_committee_with_organization_seats_lists_members_by_organization(staff):
    committee = OrganizationSeatsCommitteeFactory()
    aurora = OrganizationFactory(name="Aurora Labs")
    person = AffiliationFactory(organization=aurora, person__name="Aino").person
    services.committee_member_add(actor=staff, committee=committee, person=person)

    body = text(client_for(None).get(committee.get_absolute_url()))

    assert "Aino" in body and "Aurora Labs" in body and "each member organization has one vote" in body


def test_a_chair_seats_someone_from_the_committee_page(board):
    newcomer = UserFactory(name="Nina Newcomer")
    client = client_for(board.chair)
    assert "Seat someone" in text(client.get(board.committee.get_absolute_url()))

    response = client.post(
        reverse("governance:committee_member_add", args=[board.committee.slug]),
        {"email": newcomer.email, "role": "voting"},
        follow=True,
    )

    assert "Nina Newcomer now sits on the committee." in text(response)
    assert board.committee.members.filter(person=newcomer).exists()


def test_a_seat_refused_by_the_service_is_shown_on_the_form(board):
    response = client_for(board.chair).post(
        reverse("governance:committee_member_add", args=[board.committee.slug]),
        {"email": board.voters[0].email, "role": "observer"},
    )

    assert response.status_code == 400
    assert "Voter 1 already sits on this committee." in text(response)


@pytest.mark.parametrize("who", ["voter", "outsider"])
def test_seating_asks_permission_before_reading_the_form(board, who):
    person = board.voters[0] if who == "voter" else board.outsider
    response = client_for(person).post(
        reverse("governance:committee_member_add", args=[board.committee.slug]), {"email": "not an address"}
    )

    assert response.status_code == 403
    assert "Only the committee&#x27;s chairs and alliance staff can do this." in text(response)
    assert board.committee.members.count() == 4


def test_a_chair_removes_a_seat_and_others_cannot(board):
    seat = CommitteeMember.objects.get(committee=board.committee, person=board.voters[2])
    url = reverse("governance:committee_member_remove", args=[board.committee.slug, seat.pk])

    assert client_for(board.voters[0]).post(url).status_code == 403
    assert CommitteeMember.objects.filter(pk=seat.pk).exists()
    response = client_for(board.chair).post(url, follow=True)
    assert "Voter 3 no longer sits on the committee." in text(response)


@pytest.mark.parametrize("count", [3, 30])
def test_the_committee_page_costs_the_same_for_3_or_30_members(count, django_assert_num_queries):
    committee = CommitteeFactory()
    for _ in range(count):
        CommitteeMemberFactory(committee=committee)

    # the committee, its members, their public affiliations, its ballots (none for anonymous visitors: no query)
    with django_assert_num_queries(3):
        response = client_for(None).get(committee.get_absolute_url())
    assert response.status_code == 200


# --- drafting --------------------------------------------------------------------------------------------------


def _ballot_form(**overrides) -> dict[str, str]:
    return {
        "title": "Where shall we meet?",
        "description": "Pick a city.",
        "method": "plurality",
        "options": "Oslo\nLyon\n\nPorto",
        "quorum_percent": "50",
        "threshold_percent": "50",
        "secret": "on",
        "opens_at": "2031-05-01T09:00",
        "closes_at": "2031-05-08T09:00",
        **overrides,
    }


def test_a_chair_drafts_a_ballot_on_the_page(board):
    client = client_for(board.chair)
    assert client.get(reverse("governance:ballot_create", args=[board.committee.slug])).status_code == 200

    response = client.post(
        reverse("governance:ballot_create", args=[board.committee.slug]), _ballot_form(), follow=True
    )

    ballot = Ballot.objects.get(title="Where shall we meet?")
    assert (ballot.state, ballot.options, ballot.secret) == ("draft", ["Oslo", "Lyon", "Porto"], True)
    assert "is saved as a draft" in text(response)


def test_the_services_refusal_is_shown_on_the_options_field(board):
    response = client_for(board.chair).post(
        reverse("governance:ballot_create", args=[board.committee.slug]), _ballot_form(options="Oslo")
    )

    assert response.status_code == 400
    assert "Give two or more options to choose from." in text(response)
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_voter_may_not_draft_whatever_they_send(board, method):
    client = client_for(board.voters[0])
    url = reverse("governance:ballot_create", args=[board.committee.slug])
    response = client.get(url) if method == "get" else client.post(url, {"title": ""})

    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_a_draft_is_edited_on_the_page_and_not_after_opening(board):
    draft = BallotFactory(committee=board.committee, title="Old title")
    client = client_for(board.chair)

    response = client.post(
        reverse("governance:ballot_edit", args=[draft.pk]),
        _ballot_form(title="New title", method="yes_no", options=""),
        follow=True,
    )
    assert "The draft is saved." in text(response)
    draft.refresh_from_db()
    assert draft.title == "New title"

    opened = open_ballot(board)
    response = client.post(
        reverse("governance:ballot_edit", args=[opened.pk]), _ballot_form(method="yes_no", options="")
    )
    assert response.status_code == 400
    assert "Only a draft can be edited; this ballot is open." in text(response)


# --- the ballot page and its vote form ------------------------------------------------------------------------


def test_who_sees_a_draft_and_an_open_ballot(board):
    draft = BallotFactory(committee=board.committee)
    opened = open_ballot(board)

    assert client_for(board.voters[0]).get(draft.get_absolute_url()).status_code == 404
    assert client_for(board.chair).get(draft.get_absolute_url()).status_code == 200
    assert client_for(board.outsider).get(opened.get_absolute_url()).status_code == 404
    assert client_for(None).get(opened.get_absolute_url()).status_code == 404
    assert client_for(board.voters[0]).get(opened.get_absolute_url()).status_code == 200


def test_a_member_votes_yes_with_a_button_and_may_change_it(board):
    ballot = open_ballot(board)
    client = client_for(board.voters[0])
    page = text(client.get(ballot.get_absolute_url()))
    assert 'name="choice" value="yes"' in page and 'value="abstain"' in page

    response = client.post(reverse("governance:ballot_vote", args=[ballot.pk]), {"choice": "yes"}, follow=True)

    body = text(response)
    assert "Your vote is in." in body and "You voted yes." in body and "You may change it until" in body
    client.post(reverse("governance:ballot_vote", args=[ballot.pk]), {"choice": "no"})
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["no"]


def test_plurality_offers_radio_buttons(board):
    ballot = open_ballot(board, method=Ballot.Method.PLURALITY, options=["Oslo", "Lyon"])
    client = client_for(board.voters[0])
    assert 'type="radio" name="choice" value="Lyon"' in text(client.get(ballot.get_absolute_url()))

    client.post(reverse("governance:ballot_vote", args=[ballot.pk]), {"choice": "Lyon"})

    assert Vote.objects.get(ballot=ballot).choice == "Lyon"


def test_a_ranked_ballot_takes_numbers_and_refuses_a_number_twice(board):
    ballot = open_ballot(board, method=Ballot.Method.RANKED, options=["Oslo", "Lyon", "Porto"])
    client = client_for(board.voters[0])
    url = reverse("governance:ballot_vote", args=[ballot.pk])

    twice = client.post(url, {"rank_0": "1", "rank_1": "1"})
    assert twice.status_code == 400 and "Give each number to one option only" in text(twice)
    none = client.post(url, {}, follow=True)
    assert "Rank one or more of the options" in text(none)

    client.post(url, {"rank_0": "2", "rank_1": "1"})  # Porto unranked: tied last
    assert Vote.objects.get(ballot=ballot).ranking == ["Lyon", "Oslo"]
    page = text(client.get(ballot.get_absolute_url()))
    assert "You voted: Lyon > Oslo." in page
    assert '<option value="1" selected>1</option>' in page  # the form shows the vote to change


@pytest.mark.parametrize("who", ["observer", "staff"])
def test_voting_asks_for_a_place_in_the_electorate_before_reading_the_form(board, who):
    ballot = open_ballot(board)
    person = (
        CommitteeMemberFactory(committee=board.committee, role="observer").person if who == "observer" else board.staff
    )

    response = client_for(person).post(reverse("governance:ballot_vote", args=[ballot.pk]), {"choice": "maybe"})

    assert response.status_code == 403
    assert "You have no vote in this ballot" in text(response)
    assert not Vote.objects.exists()


def test_a_chair_opens_closes_and_sees_the_results(board):
    ballot = BallotFactory(committee=board.committee)
    chair = client_for(board.chair)

    opened = chair.post(reverse("governance:ballot_open", args=[ballot.pk]), follow=True)
    assert "The ballot is open; the electorate was told." in text(opened)
    client_for(board.voters[0]).post(reverse("governance:ballot_vote", args=[ballot.pk]), {"choice": "yes"})
    assert client_for(board.voters[1]).post(reverse("governance:ballot_close", args=[ballot.pk])).status_code == 403

    closed = chair.post(reverse("governance:ballot_close", args=[ballot.pk]), follow=True)

    body = text(closed)
    assert "The ballot is closed and counted." in body
    assert "The motion did not pass" in body and "the quorum was not met" in body
    assert "1 of 4 voted (25%)" in body and "<progress" in body


def test_results_before_the_close_are_a_refusal_page(board):
    ballot = open_ballot(board)
    response = client_for(board.voters[0]).get(reverse("governance:ballot_results", args=[ballot.pk]))

    assert response.status_code == 400
    assert "The results are published when the ballot closes." in text(response)


def test_the_results_of_a_ranked_ballot_show_the_ranking_and_the_matrix(board):
    ballot = open_ballot(board, method=Ballot.Method.RANKED, options=["Oslo", "Lyon"], secret=False)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, ranking=["Lyon", "Oslo"])
    services.ballot_vote(actor=board.voters[1], ballot=ballot, ranking=["Oslo", "Lyon"])
    services.ballot_vote(actor=board.voters[2], ballot=ballot, ranking=["Lyon"])
    services.ballot_close(actor=board.chair, ballot=ballot)

    body = text(client_for(board.voters[0]).get(reverse("governance:ballot_results", args=[ballot.pk])))

    assert "Winner: <strong>Lyon</strong>" in body
    assert "Pairwise preferences" in body and '<td class="wins">2</td>' in body
    assert "Each vote" in body and "Voter 2" in body  # an open ballot lists its votes


def test_a_cancelled_ballot_says_so(board):
    ballot = open_ballot(board)
    client_for(board.chair).post(reverse("governance:ballot_cancel", args=[ballot.pk]), {"reason": "Withdrawn."})

    body = text(client_for(board.voters[0]).get(ballot.get_absolute_url()))

    assert "This ballot was cancelled" in body
    assert client_for(board.voters[0]).post(reverse("governance:ballot_cancel", args=[ballot.pk])).status_code == 403


def test_my_open_ballots(board):
    first = open_ballot(board, title="First")
    open_ballot(board, title="Second")
    services.ballot_vote(actor=board.voters[0], ballot=first, choice="yes")

    body = text(client_for(board.voters[0]).get(reverse("governance:my_ballots")))

    assert "Second" in body and "First" not in body
    assert "No open ballot is waiting" in text(client_for(board.outsider).get(reverse("governance:my_ballots")))


# --- query counts of every list -------------------------------------------------------------------------------


def _committee_with_ballots(count: int):
    """A committee of a chair and ``count`` voting members, with ``count`` open and ``count`` closed motions."""
    committee = CommitteeFactory()
    chair = CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.CHAIR).person
    members = [CommitteeMemberFactory(committee=committee).person for _ in range(count)]
    for _ in range(count):
        services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee))
        closed = services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee))
        services.ballot_close(actor=chair, ballot=closed)
    return committee, chair, members


@pytest.mark.parametrize("count", [3, 30])
def test_the_committee_list_costs_the_same_for_3_or_30_committees(count, django_assert_num_queries):
    for _ in range(count):
        CommitteeMemberFactory(committee=CommitteeFactory())

    with django_assert_num_queries(1):  # the committees with their project and member count
        response = client_for(None).get(reverse("governance:committee_list"))
    assert response.status_code == 200
    assert len(response.context["committees"]) == count


@pytest.mark.parametrize("count", [3, 30])
def test_a_members_committee_page_costs_the_same_for_3_or_30_members_and_ballots(count, django_assert_num_queries):
    committee, _, members = _committee_with_ballots(count)
    client = client_for(members[0])
    client.get(committee.get_absolute_url())  # the session is warm

    # the session, the person, the menu (unread notifications, webhooks), the committee, the chair check, its
    # members and their public affiliations, the visible ballots, the person's seat
    with django_assert_num_queries(10):
        response = client.get(committee.get_absolute_url())
    ballots = response.context["ballots"]
    assert (len(ballots["open"]), len(ballots["past"])) == (count, count)


@pytest.mark.parametrize("count", [3, 30])
def test_my_open_ballots_cost_the_same_for_3_or_30_ballots(count, django_assert_num_queries):
    _, _, members = _committee_with_ballots(count)
    client = client_for(members[0])
    client.get(reverse("governance:my_ballots"))

    # the session, the person, the menu (unread notifications, webhooks), the ballots awaiting their vote
    with django_assert_num_queries(5):
        response = client.get(reverse("governance:my_ballots"))
    assert len(response.context["ballots"]) == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_home_page_of_a_voter_costs_the_same_for_3_or_30_open_ballots(count, django_assert_num_queries):
    _, _, members = _committee_with_ballots(count)
    client = client_for(members[0])
    client.get(reverse("home"))

    # the session, the person, the parts of their home (alliance.portal.home: affiliations, registrations, projects,
    # invitations, join requests, applications, organizations to act on, the ballots awaiting their vote, unread
    # notifications), the menu (unread notifications, webhooks)
    with django_assert_num_queries(13):
        response = client.get(reverse("home"))
    assert len(response.context["open_ballots"]) == count
    assert "Your vote is waited for" in text(response)


@pytest.mark.parametrize("count", [3, 30])
def test_the_results_of_an_open_ballot_cost_the_same_for_3_or_30_votes(count, django_assert_num_queries):
    committee = CommitteeFactory()
    chair = CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.CHAIR).person
    voters = [CommitteeMemberFactory(committee=committee).person for _ in range(count)]
    ballot = services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee, secret=False))
    for voter in voters:
        services.ballot_vote(actor=voter, ballot=ballot, choice="yes")
    services.ballot_close(actor=chair, ballot=ballot)
    client = client_for(chair)
    client.get(reverse("governance:ballot_results", args=[ballot.pk]))

    # the session, the person, the menu (unread notifications, webhooks), the ballot (if visible), the result,
    # the votes with their voters and organizations
    with django_assert_num_queries(7):
        response = client.get(reverse("governance:ballot_results", args=[ballot.pk]))
    assert text(response).count(voters[0].public_name) >= 1
    assert len(response.context["votes"]) == count
