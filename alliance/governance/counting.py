"""Counting ballots: pure functions of the votes, with no database, so each rule can be checked by hand.

The services call them once, when a ballot closes, and store what they answer (``Result.as_dict``).

Arithmetic is done in integers, never in floating point, so "exactly at quorum" and "exactly at threshold" are
exact: the quorum is met when ``turnout * 100 >= quorum_percent * eligible`` (and someone is eligible); a motion
passes when the quorum is met, at least one person voted yes or no, and ``yes * 100 >= threshold_percent * (yes +
no)``. Abstentions count towards the turnout (and so the quorum), never towards the threshold. A two-thirds
majority cannot be written as a whole percent: 67 asks a little more than two thirds, 66 a little less.

No quorum, no decision: without it a motion does not pass and an election names no winner (the tallies, and for a
ranked ballot its ranking and matrix, are still reported).

Plurality: one option each; the most votes wins; equal most votes is a tie, reported as such with no winner.

Ranked (the Schulze method, as Debian and OpenStack use it): each vote orders some or all of the options; options a
vote leaves out are tied last in it. ``pairwise[x][y]`` is how many votes put x above y. The strength of the
strongest path from x to y is found with the widest-path variant of Floyd-Warshall, a link x→y having the
strength ``pairwise[x][y]`` when more votes prefer x to y than y to x, and none otherwise (winning votes). x beats
y when the strongest path from x to y is stronger than the one back. That relation is transitive, so the ranking
is built in tiers: the first tier holds the options no other option beats, the next those no remaining option
beats, and so on. Options in one tier are tied.

The tie-break (documented, deterministic): options tied in a tier are ordered as they were listed on the
ballot, an order the chair fixes before the ballot opens and every voter sees. ``tiers`` keeps the ties, so a
page can say that a place was decided by the tie-break.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

YES, NO, ABSTAIN = "yes", "no", "abstain"
YES_NO_CHOICES = (YES, NO, ABSTAIN)


@dataclass(frozen=True)
class Result:
    """What a count answers; ``as_dict`` is what is stored and what the API's results show."""

    eligible: int
    turnout: int
    quorum_met: bool
    tally: dict[str, int]
    passed: bool | None = None  # yes/no only
    winner: str | None = None  # plurality and ranked: None for a tie (plurality), no quorum or no votes
    tied: list[str] = field(default_factory=list)  # the options sharing first place (before a tie-break)
    ranking: list[str] = field(default_factory=list)  # ranked: every option, best first, after the tie-break
    tiers: list[list[str]] = field(default_factory=list)  # ranked: the ranking with its ties, before the tie-break
    pairwise: dict[str, dict[str, int]] = field(default_factory=dict)  # ranked: votes preferring row to column
    strongest_paths: dict[str, dict[str, int]] = field(default_factory=dict)  # ranked

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def quorum_is_met(*, eligible: int, turnout: int, quorum_percent: int) -> bool:
    """Turnout / eligible ≥ quorum, exactly; with nobody eligible there is no quorum."""
    return eligible > 0 and turnout * 100 >= quorum_percent * eligible


def count_yes_no(choices: Iterable[str], *, eligible: int, quorum_percent: int, threshold_percent: int) -> Result:
    """A motion: each vote is yes, no or abstain."""
    tally = Counter(choices)
    unknown = set(tally) - set(YES_NO_CHOICES)
    if unknown:
        raise ValueError(f"Not a yes/no choice: {sorted(unknown)}")
    yes, no, abstain = tally[YES], tally[NO], tally[ABSTAIN]
    turnout = yes + no + abstain
    quorum_met = quorum_is_met(eligible=eligible, turnout=turnout, quorum_percent=quorum_percent)
    decided = yes + no
    passed = quorum_met and decided > 0 and yes * 100 >= threshold_percent * decided
    return Result(
        eligible=eligible,
        turnout=turnout,
        quorum_met=quorum_met,
        tally={YES: yes, NO: no, ABSTAIN: abstain},
        passed=passed,
    )


def count_plurality(choices: Iterable[str], *, options: Sequence[str], eligible: int, quorum_percent: int) -> Result:
    """One option each; the most votes wins, and equal most votes is a tie (no winner)."""
    counted = Counter(choices)
    unknown = set(counted) - set(options)
    if unknown:
        raise ValueError(f"Not an option of the ballot: {sorted(unknown)}")
    tally = {option: counted[option] for option in options}
    turnout = sum(tally.values())
    quorum_met = quorum_is_met(eligible=eligible, turnout=turnout, quorum_percent=quorum_percent)
    most = max(tally.values(), default=0)
    tied = [option for option in options if tally[option] == most] if most > 0 else []
    winner = tied[0] if quorum_met and len(tied) == 1 else None
    return Result(eligible=eligible, turnout=turnout, quorum_met=quorum_met, tally=tally, winner=winner, tied=tied)


@dataclass(frozen=True)
class Schulze:
    """The Schulze method's answer for some rankings of some options."""

    pairwise: dict[str, dict[str, int]]
    strongest_paths: dict[str, dict[str, int]]
    tiers: list[list[str]]  # best first; options in one tier are tied
    ranking: list[str]  # the tiers flattened, ties broken by the ballot's order of options


def schulze(rankings: Iterable[Sequence[str]], options: Sequence[str]) -> Schulze:
    """Rank ``options`` by the Schulze method (winning votes); see the module's docstring for the tie-break."""
    if len(set(options)) != len(options):
        raise ValueError("The options must be distinct.")
    index = {option: position for position, option in enumerate(options)}
    size = len(options)
    d = [[0] * size for _ in range(size)]
    for ranking in rankings:
        if len(set(ranking)) != len(ranking) or any(option not in index for option in ranking):
            raise ValueError(f"Not a ranking of the ballot's options: {list(ranking)}")
        place = [len(ranking)] * size  # what a vote leaves out is tied last
        for position, option in enumerate(ranking):
            place[index[option]] = position
        for i in range(size):
            for j in range(size):
                if place[i] < place[j]:
                    d[i][j] += 1
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(size)] for i in range(size)]
    for k in range(size):
        for i in range(size):
            if i == k:
                continue
            for j in range(size):
                if j not in (i, k):
                    p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    tiers: list[list[str]] = []
    remaining = list(range(size))  # kept in the ballot's order: the tie-break
    while remaining:
        unbeaten = [x for x in remaining if not any(p[y][x] > p[x][y] for y in remaining if y != x)]
        tiers.append([options[x] for x in unbeaten])
        remaining = [x for x in remaining if x not in unbeaten]

    def matrix(values: list[list[int]]) -> dict[str, dict[str, int]]:
        return {options[i]: {options[j]: values[i][j] for j in range(size) if j != i} for i in range(size)}

    return Schulze(
        pairwise=matrix(d),
        strongest_paths=matrix(p),
        tiers=tiers,
        ranking=[option for tier in tiers for option in tier],
    )


def count_ranked(
    rankings: Iterable[Sequence[str]], *, options: Sequence[str], eligible: int, quorum_percent: int
) -> Result:
    """An election by the Schulze method; ``tally`` holds the first preferences, for the bar chart."""
    rankings = [list(ranking) for ranking in rankings]
    outcome = schulze(rankings, options)
    turnout = len(rankings)
    quorum_met = quorum_is_met(eligible=eligible, turnout=turnout, quorum_percent=quorum_percent)
    first = Counter(ranking[0] for ranking in rankings if ranking)
    tied = outcome.tiers[0] if turnout and outcome.tiers and len(outcome.tiers[0]) > 1 else []
    return Result(
        eligible=eligible,
        turnout=turnout,
        quorum_met=quorum_met,
        tally={option: first[option] for option in options},
        winner=outcome.ranking[0] if quorum_met and turnout and outcome.ranking else None,
        tied=tied,
        ranking=outcome.ranking,
        tiers=outcome.tiers,
        pairwise=outcome.pairwise,
        strongest_paths=outcome.strongest_paths,
    )
