"""Counting a ballot when it closes: its votes handed to the pure ``alliance.governance.counting``, the answer kept."""

from datetime import datetime

from .. import counting
from ..models import Ballot, BallotResult


def ballot_result_store(ballot: Ballot, *, now: datetime) -> BallotResult:
    """Count the ballot's votes and store the result. Called by the close, under the ballot's lock, so no vote
    can arrive between the count and the change of state: each vote is counted once, or refused."""
    votes = list(ballot.votes.order_by("pk").values_list("choice", "ranking"))
    eligible = ballot.eligible or 0
    if ballot.method == Ballot.Method.YES_NO:
        result = counting.count_yes_no(
            [choice for choice, _ in votes],
            eligible=eligible,
            quorum_percent=ballot.quorum_percent,
            threshold_percent=ballot.threshold_percent,
        )
    elif ballot.method == Ballot.Method.PLURALITY:
        result = counting.count_plurality(
            [choice for choice, _ in votes],
            options=ballot.options,
            eligible=eligible,
            quorum_percent=ballot.quorum_percent,
        )
    else:
        result = counting.count_ranked(
            [ranking for _, ranking in votes],
            options=ballot.options,
            eligible=eligible,
            quorum_percent=ballot.quorum_percent,
        )
    return BallotResult.objects.create(
        ballot=ballot,
        eligible=result.eligible,
        turnout=result.turnout,
        quorum_met=result.quorum_met,
        passed=result.passed,
        tally=result.tally,
        winner=result.winner or "",
        tied=result.tied,
        ranking=result.ranking,
        tiers=result.tiers,
        pairwise=result.pairwise,
        strongest_paths=result.strongest_paths,
        computed_at=now,
    )
