"""The governance services: every transition and every refusal, their audit entries and their notifications."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alliance.errors import DomainError, NotPermitted
from alliance.governance import selectors, services
from alliance.governance.models import Ballot, BallotResult, BallotVoter, Committee, CommitteeMember, Vote
from alliance.models import AuditEntry, Notification
from members.models import Organization
from tests.members.factories import AffiliationFactory, OrganizationFactory, UserFactory

from .factories import BallotFactory, CommitteeMemberFactory, OrganizationSeatsCommitteeFactory
from .world import open_ballot

pytestmark = pytest.mark.django_db

Role = CommitteeMember.Role


def _notified(person, subject_start: str) -> bool:
    return Notification.objects.filter(recipient=person, subject__startswith=subject_start).exists()


# --- committees ------------------------------------------------------------------------------------------------


def test_staff_create_a_committee_with_a_slug_from_its_name(staff):
    committee = services.committee_create(
        actor=staff, name="Safety Working Group", kind=Committee.Kind.WORKING_GROUP, seats=Committee.Seats.PERSON
    )

    assert committee.slug == "safety-working-group"
    assert AuditEntry.objects.filter(action="committee.created", target_id=str(committee.pk)).exists()


def test_only_staff_create_committees(board):
    with pytest.raises(NotPermitted):
        services.committee_create(actor=board.chair, name="Shadow board", kind=Committee.Kind.ADVISORY)
    assert not Committee.objects.filter(name="Shadow board").exists()


def test_a_committee_name_is_unique(staff, board):
    with pytest.raises(DomainError, match="already exists") as refusal:
        services.committee_create(actor=staff, name="Technical Committee", kind=Committee.Kind.TECHNICAL)
    assert refusal.value.field == "name"


def test_what_seats_belong_to_changes_only_while_nobody_is_seated(staff, board):
    with pytest.raises(DomainError, match="remove them before"):
        services.committee_update(actor=staff, committee=board.committee, seats=Committee.Seats.ORGANIZATION)

    empty = services.committee_create(actor=staff, name="New board", kind=Committee.Kind.ADVISORY)
    services.committee_update(actor=staff, committee=empty, seats=Committee.Seats.ORGANIZATION, description="Advises.")
    empty.refresh_from_db()
    assert (empty.seats, empty.description) == (Committee.Seats.ORGANIZATION, "Advises.")


# --- seats -----------------------------------------------------------------------------------------------------


def test_a_chair_seats_anyone_with_an_account_who_is_told(board, django_capture_on_commit_callbacks):
    # given an independent expert (no organization at all)
    expert = UserFactory(name="Iris Independent")

    # when the chair seats them
    with django_capture_on_commit_callbacks(execute=True):
        member = services.committee_member_add(actor=board.chair, committee=board.committee, person=expert)

    # then they sit on it as a voting member, it is audited and they are told
    assert (member.role, member.organization) == (Role.VOTING, None)
    assert selectors.has_voting_seat(expert, board.committee)
    assert AuditEntry.objects.filter(action="committee_member.added", target_id=str(board.committee.pk)).exists()
    assert _notified(expert, "You now sit on the Technical Committee")
    assert any(message.to == [expert.email] for message in mail.outbox)


@pytest.mark.parametrize("who", ["outsider", "voter"])
def test_only_staff_and_chairs_seat_people(board, who):
    actor = board.outsider if who == "outsider" else board.voters[0]
    with pytest.raises(NotPermitted, match="chairs and alliance staff"):
        services.committee_member_add(actor=actor, committee=board.committee, person=UserFactory())


def test_staff_seat_people_on_any_committee(board):
    member = services.committee_member_add(
        actor=board.staff, committee=board.committee, person=UserFactory(), role=Role.OBSERVER
    )
    assert member.role == Role.OBSERVER


def test_a_person_sits_once_on_a_committee(board):
    with pytest.raises(DomainError, match="already sits on this committee"):
        services.committee_member_add(
            actor=board.chair, committee=board.committee, person=board.voters[0], role=Role.OBSERVER
        )


def test_a_deactivated_account_cannot_be_seated(board):
    with pytest.raises(DomainError, match="deactivated"):
        services.committee_member_add(actor=board.chair, committee=board.committee, person=UserFactory(is_active=False))


def test_alternates_exist_only_on_organization_seats(board):
    with pytest.raises(DomainError, match="Alternates stand in for an organization") as refusal:
        services.committee_member_add(
            actor=board.chair, committee=board.committee, person=UserFactory(), role=Role.ALTERNATE
        )
    assert refusal.value.field == "role"


def test_a_chair_removes_a_seat_and_it_is_audited(board):
    seat = CommitteeMember.objects.get(committee=board.committee, person=board.voters[0])

    services.committee_member_remove(actor=board.chair, member=seat)

    assert not CommitteeMember.objects.filter(pk=seat.pk).exists()
    assert AuditEntry.objects.filter(action="committee_member.removed", target_id=str(board.committee.pk)).exists()


def test_a_member_cannot_remove_others(board):
    seat = CommitteeMember.objects.get(committee=board.committee, person=board.voters[0])
    with pytest.raises(NotPermitted):
        services.committee_member_remove(actor=board.voters[1], member=seat)
    assert CommitteeMember.objects.filter(pk=seat.pk).exists()


# --- organization seats ----------------------------------------------------------------------------------------


@pytest.fixture
def steering(staff):
    """A steering committee with organization seats, chaired by staff's choice: a chair from Aurora."""
    committee = OrganizationSeatsCommitteeFactory(name="Steering Committee", slug="steering")
    aurora = OrganizationFactory(name="Aurora")
    chair = AffiliationFactory(organization=aurora, person__name="Aino Chair").person
    services.committee_member_add(actor=staff, committee=committee, person=chair, role=Role.CHAIR)
    return committee, aurora, chair


def test_on_organization_seats_a_voting_member_stands_for_their_member_organization(staff, steering):
    committee, _, _ = steering
    meridian = OrganizationFactory(name="Meridian")
    person = AffiliationFactory(organization=meridian).person

    member = services.committee_member_add(actor=staff, committee=committee, person=person)

    assert member.organization == meridian  # they belong to just one: it is chosen for them


def test_on_organization_seats_a_voting_member_must_belong_to_an_active_member(staff, steering):
    committee, _, _ = steering
    with pytest.raises(DomainError, match="belongs to no active member organization") as refusal:
        services.committee_member_add(actor=staff, committee=committee, person=UserFactory(name="Nadia Nobody"))
    assert refusal.value.field == "organization"

    suspended = OrganizationFactory(status=Organization.Status.SUSPENDED)
    person = AffiliationFactory(organization=suspended).person
    with pytest.raises(DomainError, match="not an active member organization"):
        services.committee_member_add(actor=staff, committee=committee, person=person, organization=suspended)


def test_a_person_of_two_organizations_says_which_one_they_stand_for(staff, steering):
    committee, _, _ = steering
    first, second = OrganizationFactory(), OrganizationFactory()
    person = AffiliationFactory(organization=first).person
    AffiliationFactory(organization=second, person=person)

    with pytest.raises(DomainError, match="several member organizations"):
        services.committee_member_add(actor=staff, committee=committee, person=person)
    member = services.committee_member_add(actor=staff, committee=committee, person=person, organization=second)
    assert member.organization == second


def test_a_seat_stands_only_for_an_organization_the_person_belongs_to(staff, steering):
    committee, aurora, _ = steering
    person = AffiliationFactory(organization=OrganizationFactory()).person
    with pytest.raises(DomainError, match="does not belong to Aurora"):
        services.committee_member_add(actor=staff, committee=committee, person=person, organization=aurora)


def test_a_second_voting_seat_for_one_organization_is_refused(staff, steering):
    # given Aurora holds a voting seat through its chair
    committee, aurora, _ = steering
    colleague = AffiliationFactory(organization=aurora, person__name="Mira Colleague").person

    # when a colleague from Aurora is seated as a voting member, then it is refused, naming who holds the seat
    with pytest.raises(DomainError, match="Aurora already holds a voting seat on this committee \\(Aino Chair\\)"):
        services.committee_member_add(actor=staff, committee=committee, person=colleague, role=Role.VOTING)

    # but the colleague may be Aurora's alternate, or an observer
    alternate = services.committee_member_add(actor=staff, committee=committee, person=colleague, role=Role.ALTERNATE)
    assert alternate.organization == aurora
    assert committee.members.filter(organization=aurora, role__in=["chair", "voting"]).count() == 1


def test_person_seats_stand_for_no_organization(board):
    organization = OrganizationFactory()
    person = AffiliationFactory(organization=organization).person
    with pytest.raises(DomainError, match="stands for no organization"):
        services.committee_member_add(
            actor=board.chair, committee=board.committee, person=person, organization=organization
        )


# --- drafting ballots -----------------------------------------------------------------------------------------


def _draft(board, actor=None, **overrides) -> Ballot:
    now = timezone.now()
    values = {
        "title": "Graduate the Nordic models project",
        "opens_at": now + timedelta(days=1),
        "closes_at": now + timedelta(days=8),
    }
    return services.ballot_create(actor=actor or board.chair, committee=board.committee, **{**values, **overrides})


def test_a_chair_drafts_a_motion_with_the_default_quorum_and_threshold(board):
    ballot = _draft(board)

    assert (ballot.state, ballot.method, ballot.options) == (Ballot.State.DRAFT, Ballot.Method.YES_NO, [])
    assert (ballot.quorum_percent, ballot.threshold_percent, ballot.secret) == (50, 50, True)
    assert AuditEntry.objects.filter(action="ballot.created", target_id=str(ballot.pk)).exists()


@pytest.mark.parametrize("who", ["voter", "outsider"])
def test_only_chairs_and_staff_draft_ballots(board, who):
    actor = board.voters[0] if who == "voter" else board.outsider
    with pytest.raises(NotPermitted):
        _draft(board, actor=actor)
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    ("method", "options", "message"),
    [
        (Ballot.Method.YES_NO, ["Yes please"], "A yes/no motion has no options"),
        (Ballot.Method.PLURALITY, ["Only one"], "two or more options"),
        (Ballot.Method.RANKED, [], "two or more options"),
        (Ballot.Method.RANKED, ["Oslo", " oslo "], "listed twice"),
        (Ballot.Method.PLURALITY, ["Oslo", "  "], "cannot be empty"),
    ],
)
def test_options_must_fit_the_method(board, method, options, message):
    with pytest.raises(DomainError, match=message):
        _draft(board, method=method, options=options)


def test_options_are_trimmed_and_keep_their_order(board):
    ballot = _draft(board, method=Ballot.Method.RANKED, options=[" Oslo", "Lyon ", "Porto"])
    assert ballot.options == ["Oslo", "Lyon", "Porto"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quorum_percent": 150}, "The quorum is a percent, from 0 to 100."),
        ({"threshold_percent": 101}, "The threshold is a percent, from 0 to 100."),
        ({"closes_at": timezone.now() - timedelta(hours=1), "opens_at": timezone.now() - timedelta(days=1)}, "passed"),
    ],
)
def test_percents_and_times_are_checked(board, overrides, message):
    with pytest.raises(DomainError, match=message):
        _draft(board, **overrides)


def test_a_ballot_closes_after_it_opens(board):
    now = timezone.now()
    with pytest.raises(DomainError, match="must close after it opens") as refusal:
        _draft(board, opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=2))
    assert refusal.value.field == "closes_at"


def test_a_draft_is_edited_and_a_change_to_a_motion_drops_its_options(board):
    ballot = _draft(board, method=Ballot.Method.PLURALITY, options=["Oslo", "Lyon"])

    ballot = services.ballot_update(actor=board.chair, ballot=ballot, title="Where to meet", quorum_percent=30)
    assert (ballot.title, ballot.quorum_percent) == ("Where to meet", 30)
    ballot = services.ballot_update(actor=board.chair, ballot=ballot, method=Ballot.Method.YES_NO)
    assert ballot.options == []
    assert AuditEntry.objects.filter(action="ballot.updated", target_id=str(ballot.pk)).count() == 2


def test_a_ballot_cannot_be_edited_after_it_opens(board):
    ballot = open_ballot(board)

    with pytest.raises(DomainError, match=re.escape("Only a draft can be edited; this ballot is open.")):
        services.ballot_update(actor=board.chair, ballot=ballot, title="Something else")
    ballot.refresh_from_db()
    assert ballot.title != "Something else"


def test_a_voter_cannot_edit_a_draft(board):
    ballot = _draft(board)
    with pytest.raises(NotPermitted):
        services.ballot_update(actor=board.voters[0], ballot=ballot, title="Mine now")


# --- opening: the electorate is frozen ----------------------------------------------------------------------


def test_opening_freezes_the_electorate_and_tells_it(board, django_capture_on_commit_callbacks):
    # given an observer as well as the chair and three voting members
    observer = CommitteeMemberFactory(committee=board.committee, role=Role.OBSERVER).person
    ballot = BallotFactory(committee=board.committee)
    mail.outbox.clear()

    # when the chair opens it
    with django_capture_on_commit_callbacks(execute=True):
        ballot = services.ballot_open(actor=board.chair, ballot=ballot)

    # then the chair and the voting members are its electorate (not the observer) and they are told
    assert ballot.state == Ballot.State.OPEN and ballot.eligible == 4 and ballot.opened_at is not None
    assert set(ballot.electorate.values_list("person", flat=True)) == {person.pk for person in board.electorate}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in board.electorate)
    assert all(_notified(person, "Ballot open:") for person in board.electorate)
    assert not _notified(observer, "Ballot open:")
    assert AuditEntry.objects.filter(action="ballot.opened", target_id=str(ballot.pk)).exists()


def test_a_member_seated_after_opening_has_no_vote_in_it(board):
    # given an open ballot
    ballot = open_ballot(board)

    # when someone is seated as a voting member afterwards
    newcomer = UserFactory()
    services.committee_member_add(actor=board.chair, committee=board.committee, person=newcomer)

    # then they have no vote in it (but would in a ballot opened later)
    with pytest.raises(NotPermitted, match="no vote in this ballot"):
        services.ballot_vote(actor=newcomer, ballot=ballot, choice="yes")
    assert not Vote.objects.filter(ballot=ballot).exists()
    assert selectors.may_vote_in(newcomer, open_ballot(board))


def test_a_member_removed_after_opening_keeps_their_vote_in_it(board):
    ballot = open_ballot(board)
    seat = CommitteeMember.objects.get(committee=board.committee, person=board.voters[0])
    services.committee_member_remove(actor=board.chair, member=seat)

    vote = services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="no")

    assert vote.choice == "no"


def test_a_ballot_opens_once(board):
    ballot = open_ballot(board)
    with pytest.raises(DomainError, match=re.escape("Only a draft can be opened; this ballot is open.")):
        services.ballot_open(actor=board.chair, ballot=ballot)
    assert BallotVoter.objects.filter(ballot=ballot).count() == 4


def test_a_ballot_nobody_could_vote_in_does_not_open(staff):
    ballot = BallotFactory()  # a committee without members
    with pytest.raises(DomainError, match="Nobody could vote"):
        services.ballot_open(actor=staff, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.state == Ballot.State.DRAFT


def test_a_ballot_whose_closing_time_passed_does_not_open(board):
    ballot = BallotFactory(committee=board.committee)
    with time_machine.travel(ballot.closes_at + timedelta(minutes=1)), pytest.raises(DomainError, match="passed"):
        services.ballot_open(actor=board.chair, ballot=ballot)


def test_voting_members_open_nothing(board):
    ballot = BallotFactory(committee=board.committee)
    with pytest.raises(NotPermitted):
        services.ballot_open(actor=board.voters[0], ballot=ballot)


# --- voting -----------------------------------------------------------------------------------------------------


def test_voting_again_replaces_the_earlier_vote(board):
    ballot = open_ballot(board)

    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="no")

    assert list(Vote.objects.filter(ballot=ballot).values_list("voter", "choice")) == [(board.voters[0].pk, "no")]
    assert BallotVoter.objects.get(ballot=ballot, person=board.voters[0]).voted_at is not None


@pytest.mark.parametrize("who", ["outsider", "observer", "staff"])
def test_nobody_outside_the_electorate_votes(board, who):
    ballot = open_ballot(board)
    if who == "observer":
        actor = CommitteeMemberFactory(committee=board.committee, role=Role.OBSERVER).person
    else:
        actor = board.outsider if who == "outsider" else board.staff

    with pytest.raises(NotPermitted, match="no vote in this ballot"):
        services.ballot_vote(actor=actor, ballot=ballot, choice="yes")
    assert not Vote.objects.exists()


def test_no_vote_in_a_draft(board):
    ballot = BallotFactory(committee=board.committee)
    with pytest.raises(DomainError, match="has not opened yet"):
        services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")


def test_no_vote_after_the_closing_time_even_before_the_job_closes_it(board):
    ballot = open_ballot(board)
    with time_machine.travel(ballot.closes_at), pytest.raises(DomainError, match="Voting in this ballot has closed"):
        services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")


def test_no_vote_in_a_closed_or_cancelled_ballot(board):
    closed = open_ballot(board)
    services.ballot_close(actor=board.chair, ballot=closed)
    cancelled = open_ballot(board)
    services.ballot_cancel(actor=board.chair, ballot=cancelled)

    with pytest.raises(DomainError, match="has closed"):
        services.ballot_vote(actor=board.voters[0], ballot=closed, choice="yes")
    with pytest.raises(DomainError, match="was cancelled"):
        services.ballot_vote(actor=board.voters[0], ballot=cancelled, choice="yes")


@pytest.mark.parametrize(
    ("method", "vote", "message"),
    [
        (Ballot.Method.YES_NO, {"choice": "maybe"}, "Vote yes, no or abstain."),
        (Ballot.Method.YES_NO, {"ranking": ["yes"]}, "not ranked"),
        (Ballot.Method.PLURALITY, {"choice": "Paris"}, "“Paris” is not an option of this ballot."),
        (Ballot.Method.PLURALITY, {"choice": ""}, "Choose one of the options."),
        (Ballot.Method.RANKED, {"ranking": []}, "Rank one or more"),
        (Ballot.Method.RANKED, {"choice": "Oslo"}, "Rank one or more"),
        (Ballot.Method.RANKED, {"ranking": ["Oslo", "Oslo"]}, "You ranked “Oslo” twice"),
        (Ballot.Method.RANKED, {"ranking": ["Oslo", "Rome"]}, "“Rome” is not an option"),
    ],
)
def test_a_vote_must_fit_the_ballot(board, method, vote, message):
    options = [] if method == Ballot.Method.YES_NO else ["Oslo", "Lyon", "Porto"]
    ballot = open_ballot(board, method=method, options=options)

    with pytest.raises(DomainError, match=message):
        services.ballot_vote(actor=board.voters[0], ballot=ballot, **vote)
    assert not Vote.objects.exists()


def test_a_secret_vote_is_audited_as_voted_never_with_its_content(board):
    ballot = open_ballot(board, method=Ballot.Method.PLURALITY, options=["Oslo", "Lyon"], secret=True)

    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="Lyon")

    entry = AuditEntry.objects.get(action="ballot.voted")
    assert entry.actor == board.voters[0]
    assert "Lyon" not in f"{entry.changes} {entry.note} {entry.target_repr}"
    assert entry.note == "Voted (secret ballot)."


def test_an_open_vote_is_audited_with_its_content(board):
    ballot = open_ballot(board, secret=False)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="no")

    entries = list(AuditEntry.objects.filter(action="ballot.voted").order_by("pk"))
    assert [entry.changes["vote"] for entry in entries] == [[None, "yes"], ["yes", "no"]]


# --- alternates on organization seats --------------------------------------------------------------------------


@pytest.fixture
def organization_ballot(staff, steering):
    """An open motion of the steering committee: Aurora (chair, and alternate Mira) and Meridian (Haruto)."""
    committee, aurora, chair = steering
    alternate = AffiliationFactory(organization=aurora, person__name="Mira Alternate").person
    services.committee_member_add(actor=staff, committee=committee, person=alternate, role=Role.ALTERNATE)
    meridian = OrganizationFactory(name="Meridian")
    haruto = AffiliationFactory(organization=meridian, person__name="Haruto Voting").person
    services.committee_member_add(actor=staff, committee=committee, person=haruto)
    ballot = services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee))
    return SimpleNamespace(ballot=ballot, chair=chair, alternate=alternate, haruto=haruto, aurora=aurora)


def test_organization_seats_give_one_vote_per_organization(organization_ballot):
    o = organization_ballot

    assert o.ballot.eligible == 2  # Aurora and Meridian; the alternate adds a place, not a vote
    assert o.ballot.electorate.count() == 3
    assert _notified(o.alternate, "Ballot open:")


def test_an_alternate_votes_when_the_voting_member_has_not(organization_ballot):
    o = organization_ballot

    vote = services.ballot_vote(actor=o.alternate, ballot=o.ballot, choice="no")

    assert (vote.organization, vote.voter) == (o.aurora, o.alternate)


def test_the_voting_members_vote_replaces_the_alternates(organization_ballot):
    o = organization_ballot
    services.ballot_vote(actor=o.alternate, ballot=o.ballot, choice="no")

    services.ballot_vote(actor=o.chair, ballot=o.ballot, choice="yes")

    assert list(Vote.objects.filter(ballot=o.ballot).values_list("organization", "voter", "choice")) == [
        (o.aurora.pk, o.chair.pk, "yes")
    ]


def test_an_alternate_does_not_vote_once_the_voting_member_has(organization_ballot):
    o = organization_ballot
    services.ballot_vote(actor=o.chair, ballot=o.ballot, choice="yes")

    with pytest.raises(DomainError, match="Aurora's voting member has already voted"):
        services.ballot_vote(actor=o.alternate, ballot=o.ballot, choice="no")
    assert Vote.objects.get(ballot=o.ballot, organization=o.aurora).choice == "yes"


def test_an_organization_seat_committee_counts_organizations(organization_ballot):
    o = organization_ballot
    services.ballot_vote(actor=o.alternate, ballot=o.ballot, choice="yes")
    services.ballot_vote(actor=o.haruto, ballot=o.ballot, choice="no")

    services.ballot_close(actor=o.chair, ballot=o.ballot)

    result = BallotResult.objects.get(ballot=o.ballot)
    assert (result.eligible, result.turnout, result.tally) == (2, 2, {"yes": 1, "no": 1, "abstain": 0})
    assert result.passed is True  # 50% yes meets the 50% threshold


def test_an_organization_that_is_no_longer_active_has_no_vote_when_the_ballot_opens(staff, steering):
    committee, _, chair = steering
    meridian = OrganizationFactory(name="Meridian")
    services.committee_member_add(
        actor=staff, committee=committee, person=AffiliationFactory(organization=meridian).person
    )
    Organization.objects.filter(pk=meridian.pk).update(status=Organization.Status.SUSPENDED)

    ballot = services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee))

    assert ballot.eligible == 1


# --- closing and results ----------------------------------------------------------------------------------------


def test_results_are_refused_before_the_close(board):
    ballot = open_ballot(board)
    with pytest.raises(DomainError, match="published when the ballot closes"):
        selectors.ballot_result(ballot)


def test_closing_counts_once_stores_the_result_and_tells_the_committee(board, django_capture_on_commit_callbacks):
    # given an observer, and a motion with 2 yes and 1 no of 4
    observer = CommitteeMemberFactory(committee=board.committee, role=Role.OBSERVER).person
    ballot = open_ballot(board)
    for voter, choice in zip(board.voters, ["yes", "yes", "no"], strict=True):
        services.ballot_vote(actor=voter, ballot=ballot, choice=choice)
    mail.outbox.clear()

    # when the chair closes it
    with django_capture_on_commit_callbacks(execute=True):
        ballot = services.ballot_close(actor=board.chair, ballot=ballot)

    # then it is counted and the whole committee (observers too) hears the result
    result = selectors.ballot_result(ballot)
    assert (ballot.state, result.eligible, result.turnout, result.quorum_met, result.passed) == (
        "closed",
        4,
        3,
        True,
        True,
    )
    assert all(_notified(person, f"Result: {ballot.title}") for person in [*board.electorate, observer])
    assert "the motion passed" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="ballot.closed", target_id=str(ballot.pk)).exists()
    with pytest.raises(DomainError, match="Only an open ballot can be closed"):
        services.ballot_close(actor=board.chair, ballot=ballot)
    assert BallotResult.objects.filter(ballot=ballot).count() == 1


def test_a_closed_secret_ballot_forgets_who_voted_what(board):
    ballot = open_ballot(board, method=Ballot.Method.PLURALITY, options=["Oslo", "Lyon"], secret=True)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="Oslo")
    services.ballot_vote(actor=board.voters[1], ballot=ballot, choice="Lyon")

    ballot = services.ballot_close(actor=board.chair, ballot=ballot)

    # the votes are kept without voters, in the order of their content, all cast at the close
    assert list(Vote.objects.filter(ballot=ballot).order_by("pk").values_list("voter", "organization", "choice")) == [
        (None, None, "Lyon"),
        (None, None, "Oslo"),
    ]
    assert set(Vote.objects.filter(ballot=ballot).values_list("cast_at", flat=True)) == {ballot.closed_at}
    assert selectors.ballot_open_votes(ballot) == []
    # who took part is still known (never what)
    assert BallotVoter.objects.filter(ballot=ballot, voted_at__isnull=False).count() == 2
    assert list(selectors.personal_data(board.voters[0])["votes"]) == []


def test_a_closed_open_ballot_lists_each_vote(board):
    ballot = open_ballot(board, secret=False)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")

    ballot = services.ballot_close(actor=board.chair, ballot=ballot)

    assert [(vote.voter, vote.choice) for vote in selectors.ballot_open_votes(ballot)] == [(board.voters[0], "yes")]


def test_a_ranked_ballot_stores_its_ranking_and_matrix(board):
    ballot = open_ballot(board, method=Ballot.Method.RANKED, options=["Oslo", "Lyon", "Porto"], quorum_percent=75)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, ranking=["Lyon", "Oslo", "Porto"])
    services.ballot_vote(actor=board.voters[1], ballot=ballot, ranking=["Lyon", "Porto"])
    services.ballot_vote(actor=board.voters[2], ballot=ballot, ranking=["Oslo"])

    ballot = services.ballot_close(actor=board.chair, ballot=ballot)

    result = selectors.ballot_result(ballot)
    assert (result.winner, result.ranking) == ("Lyon", ["Lyon", "Oslo", "Porto"])
    assert result.pairwise["Lyon"] == {"Oslo": 2, "Porto": 2}
    assert result.tally == {"Oslo": 1, "Lyon": 2, "Porto": 0}


def test_without_quorum_the_election_has_no_winner(board):
    ballot = open_ballot(board, method=Ballot.Method.PLURALITY, options=["Oslo", "Lyon"], quorum_percent=75)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="Oslo")

    ballot = services.ballot_close(actor=board.chair, ballot=ballot)

    result = selectors.ballot_result(ballot)
    assert (result.quorum_met, result.winner, result.tally) == (False, "", {"Oslo": 1, "Lyon": 0})


def test_a_voting_member_closes_nothing(board):
    ballot = open_ballot(board)
    with pytest.raises(NotPermitted):
        services.ballot_close(actor=board.voters[0], ballot=ballot)


# --- cancelling ----------------------------------------------------------------------------------------------


def test_cancelling_an_open_ballot_discards_its_votes_and_tells_the_electorate(board):
    ballot = open_ballot(board)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")

    ballot = services.ballot_cancel(actor=board.chair, ballot=ballot, reason="The proposal was withdrawn.")

    assert ballot.state == Ballot.State.CANCELLED and ballot.cancelled_at is not None
    assert not Vote.objects.filter(ballot=ballot).exists()
    notification = Notification.objects.get(recipient=board.voters[1], subject__startswith="Ballot cancelled")
    assert "The proposal was withdrawn." in notification.body
    assert AuditEntry.objects.get(action="ballot.cancelled").note == "The proposal was withdrawn."


def test_a_closed_ballot_cannot_be_cancelled(board):
    ballot = open_ballot(board)
    services.ballot_close(actor=board.chair, ballot=ballot)
    with pytest.raises(DomainError, match="can no longer be cancelled"):
        services.ballot_cancel(actor=board.chair, ballot=ballot)


# --- who sees what ---------------------------------------------------------------------------------------------


def test_a_draft_is_seen_by_its_chairs_and_staff_only(board):
    draft = BallotFactory(committee=board.committee)

    assert selectors.may_see_ballot(board.chair, draft) and selectors.may_see_ballot(board.staff, draft)
    assert not selectors.may_see_ballot(board.voters[0], draft)
    assert not selectors.may_see_ballot(board.outsider, draft)


def test_an_opened_ballot_is_seen_by_the_committees_members(board):
    ballot = open_ballot(board)
    observer = CommitteeMemberFactory(committee=board.committee, role=Role.OBSERVER).person

    assert selectors.may_see_ballot(board.voters[0], ballot) and selectors.may_see_ballot(observer, ballot)
    assert not selectors.may_see_ballot(board.outsider, ballot)


def test_a_draft_cancelled_before_opening_stays_hidden_from_members(board):
    draft = BallotFactory(committee=board.committee)
    services.ballot_cancel(actor=board.chair, ballot=draft)

    assert not selectors.may_see_ballot(board.voters[0], draft)
    assert selectors.may_see_ballot(board.chair, draft)


def test_my_open_ballots_are_those_whose_vote_is_not_in(board):
    first, second = open_ballot(board), open_ballot(board)
    BallotFactory(committee=board.committee)  # a draft
    services.ballot_vote(actor=board.voters[0], ballot=first, choice="yes")

    assert list(selectors.ballots_awaiting_vote(board.voters[0])) == [second]
    assert set(selectors.ballots_awaiting_vote(board.voters[1])) == {first, second}
    assert list(selectors.ballots_awaiting_vote(board.outsider)) == []


def test_personal_data_names_seats_places_and_votes(board):
    ballot = open_ballot(board, secret=False)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")

    data = selectors.personal_data(board.voters[0])

    assert [seat.committee.name for seat in data["committee_seats"]] == ["Technical Committee"]
    assert [place.ballot.title for place in data["ballot_places"]] == [ballot.title]
    assert [(vote.ballot.title, vote.choice) for vote in data["votes"]] == [(ballot.title, "yes")]
    assert list(selectors.personal_data(board.chair)["ballots_created"]) == []  # the factory drafted it
    services.committee_member_add(actor=board.chair, committee=board.committee, person=board.outsider)
    assert [seat.person for seat in selectors.personal_data(board.chair)["seats_given"]] == [board.outsider]


# --- the schedule (the beat job) --------------------------------------------------------------------------------


def test_the_job_opens_a_draft_at_its_time_and_closes_it_at_its_time(board):
    ballot = BallotFactory(
        committee=board.committee,
        opens_at=timezone.now() + timedelta(hours=1),
        closes_at=timezone.now() + timedelta(hours=5),
    )
    assert services.ballot_schedule_advance() == {"opened": 0, "reminded": 0, "closed": 0}

    with time_machine.travel(ballot.opens_at):
        assert services.ballot_schedule_advance()["opened"] == 1
    ballot.refresh_from_db()
    assert ballot.state == Ballot.State.OPEN
    assert AuditEntry.objects.get(action="ballot.opened").actor is None  # the schedule, not a person
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")

    with time_machine.travel(ballot.closes_at):
        assert services.ballot_schedule_advance()["closed"] == 1
        assert services.ballot_schedule_advance()["closed"] == 0
    ballot.refresh_from_db()
    assert ballot.state == Ballot.State.CLOSED
    assert BallotResult.objects.get(ballot=ballot).turnout == 1


def test_the_job_leaves_a_draft_nobody_could_vote_in(staff):
    ballot = BallotFactory(opens_at=timezone.now() - timedelta(minutes=1))
    assert services.ballot_schedule_advance()["opened"] == 0
    ballot.refresh_from_db()
    assert ballot.state == Ballot.State.DRAFT


def test_the_reminder_job_run_twice_sends_one_reminder_per_non_voter(board, django_capture_on_commit_callbacks):
    # given a ballot open for a week, in which one voter has voted
    ballot = open_ballot(board)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")
    mail.outbox.clear()

    # when the job runs twice a day before it closes (and once more later)
    with time_machine.travel(ballot.closes_at - timedelta(hours=23)), django_capture_on_commit_callbacks(execute=True):
        first = services.ballot_schedule_advance()
        second = services.ballot_schedule_advance()
    with time_machine.travel(ballot.closes_at - timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        third = services.ballot_schedule_advance()

    # then each non-voter got exactly one reminder, the voter none
    assert (first["reminded"], second["reminded"], third["reminded"]) == (1, 0, 0)
    reminded = Notification.objects.filter(subject__startswith="Reminder: your vote")
    non_voters = {board.chair.pk, board.voters[1].pk, board.voters[2].pk}
    assert sorted(reminded.values_list("recipient", flat=True)) == sorted(non_voters)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        person.email for person in [board.chair, board.voters[1], board.voters[2]]
    )


def test_no_reminder_for_a_ballot_open_less_than_a_day(board):
    ballot = open_ballot(board, closes_at=timezone.now() + timedelta(hours=20))
    assert services.ballot_schedule_advance()["reminded"] == 0
    ballot.refresh_from_db()
    assert ballot.reminder_sent_at is None


def test_the_task_runs_the_schedule(board):
    from alliance.governance.tasks import ballots_advance

    ballot = open_ballot(board)
    with time_machine.travel(ballot.closes_at + timedelta(minutes=1)):
        assert ballots_advance.delay().get() == {"opened": 0, "reminded": 0, "closed": 1}
    assert ballots_advance.name == "alliance.governance.tasks.ballots_advance"


def test_opening_and_closing_a_ballot_are_webhook_events_for_staff_endpoints_only(board):
    # given a staff-level endpoint and an organization's endpoint, both subscribed to the ballot events
    from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
    from alliance.webhooks.signing import secret_generate
    from tests.members.factories import OrganizationFactory

    events = ["ballot.opened", "ballot.closed"]
    staff_endpoint = WebhookEndpoint.objects.create(
        secret=secret_generate(), url="http://127.0.0.1:9/", event_types=events
    )
    WebhookEndpoint.objects.create(
        secret=secret_generate(), url="http://127.0.0.1:9/org", event_types=events, organization=OrganizationFactory()
    )

    # when a ballot opens, receives a vote and closes
    ballot = open_ballot(board)
    services.ballot_vote(actor=board.voters[0], ballot=ballot, choice="yes")
    services.ballot_close(actor=board.chair, ballot=ballot)

    # then the staff endpoint heard of the opening and the close (a thin payload naming the ballot's API URL), the
    # organization's endpoint of neither (a ballot is seen only by its committee and staff), and a vote is no event
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [(delivery.endpoint_id, delivery.event_type) for delivery in deliveries] == [
        (staff_endpoint.pk, "ballot.opened"),
        (staff_endpoint.pk, "ballot.closed"),
    ]
    assert deliveries[1].payload["data"]["object"] == "ballot"
    assert deliveries[1].payload["data"]["url"].endswith(f"/api/v1/ballots/{ballot.pk}/")
