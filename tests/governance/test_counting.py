"""The pure counting module against published examples and the edges of its arithmetic (no database)."""

import pytest

from alliance.governance.counting import count_plurality, count_ranked, count_yes_no, quorum_is_met, schulze

# --- Schulze: the published 45-voter example (Schulze 2011; Wikipedia's "Schulze method") -------------------------

WIKIPEDIA_45 = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def _profile(groups) -> list[list[str]]:
    return [list(order) for count, order in groups for _ in range(count)]


def test_schulze_reproduces_the_published_45_voter_example():
    # given the 45 voters of the example
    rankings = _profile(WIKIPEDIA_45)

    # when they are counted
    outcome = schulze(rankings, list("ABCDE"))

    # then E wins and the ranking is E > A > C > B > D, with no tie
    assert outcome.ranking == ["E", "A", "C", "B", "D"]
    assert outcome.tiers == [["E"], ["A"], ["C"], ["B"], ["D"]]
    # and the matrices are the published ones: d[X, Y] and the strongest paths p[X, Y]
    d = outcome.pairwise
    assert [d["A"][y] for y in "BCDE"] == [20, 26, 30, 22]
    assert [d["B"][y] for y in "ACDE"] == [25, 16, 33, 18]
    assert [d["C"][y] for y in "ABDE"] == [19, 29, 17, 24]
    assert [d["D"][y] for y in "ABCE"] == [15, 12, 28, 14]
    assert [d["E"][y] for y in "ABCD"] == [23, 27, 21, 31]
    p = outcome.strongest_paths
    assert [p["A"][y] for y in "BCDE"] == [28, 28, 30, 24]
    assert [p["B"][y] for y in "ACDE"] == [25, 28, 33, 24]
    assert [p["C"][y] for y in "ABDE"] == [25, 29, 29, 24]
    assert [p["D"][y] for y in "ABCE"] == [25, 28, 28, 24]
    assert [p["E"][y] for y in "ABCD"] == [25, 28, 28, 31]


def test_the_ranked_count_of_the_45_voter_example_names_e_the_winner():
    result = count_ranked(_profile(WIKIPEDIA_45), options=list("ABCDE"), eligible=50, quorum_percent=50)

    assert (result.winner, result.ranking, result.tied) == ("E", ["E", "A", "C", "B", "D"], [])
    assert (result.turnout, result.quorum_met) == (45, True)
    assert result.tally == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}  # first preferences, for the bar chart


def _borda(rankings, options) -> dict[str, int]:
    return {option: sum(len(options) - 1 - ranking.index(option) for ranking in rankings) for option in options}


def test_a_profile_where_plurality_borda_and_schulze_elect_three_different_options():
    # given seven voters: C has the most first preferences, D the best average place, A beats everyone head to head
    options = list("ABCD")
    rankings = _profile([(2, "DBAC"), (3, "CADB"), (1, "ADBC"), (1, "BDAC")])

    # when counted by plurality, by Borda (computed here), and by Schulze
    plurality = count_plurality([ranking[0] for ranking in rankings], options=options, eligible=7, quorum_percent=50)
    borda = _borda(rankings, options)
    ranked = count_ranked(rankings, options=options, eligible=7, quorum_percent=50)

    # then each elects someone else: plurality C, Borda D, Schulze A (the Condorcet winner)
    assert plurality.winner == "C"
    assert max(borda, key=borda.__getitem__) == "D" and borda == {"A": 12, "B": 8, "C": 9, "D": 13}
    assert ranked.winner == "A"
    assert ranked.ranking == ["A", "D", "B", "C"]
    assert all(ranked.pairwise["A"][other] > ranked.pairwise[other]["A"] for other in "BCD")


def test_the_tennessee_example_plurality_elects_memphis_schulze_nashville():
    options = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    rankings = _profile(
        [
            (42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
            (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
            (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
            (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
        ]
    )

    plurality = count_plurality([r[0] for r in rankings], options=options, eligible=100, quorum_percent=50)
    ranked = count_ranked(rankings, options=options, eligible=100, quorum_percent=50)

    assert plurality.winner == "Memphis"
    assert ranked.ranking == ["Nashville", "Chattanooga", "Knoxville", "Memphis"]


def test_a_schulze_tie_is_kept_in_the_tiers_and_broken_by_the_ballots_order_of_options():
    # given two voters each way between A and B, both above C
    rankings = [["B", "A", "C"], ["B", "A", "C"], ["A", "B", "C"], ["A", "B", "C"]]

    # when counted with the options listed B, A, C and then A, B, C
    listed_b_first = count_ranked(rankings, options=["B", "A", "C"], eligible=4, quorum_percent=50)
    listed_a_first = count_ranked(rankings, options=["A", "B", "C"], eligible=4, quorum_percent=50)

    # then A and B share first place, and the listed order decides it
    assert listed_b_first.tiers == [["B", "A"], ["C"]]
    assert (listed_b_first.winner, listed_b_first.tied, listed_b_first.ranking) == ("B", ["B", "A"], ["B", "A", "C"])
    assert (listed_a_first.winner, listed_a_first.ranking) == ("A", ["A", "B", "C"])


def test_a_partial_ranking_leaves_the_rest_tied_last():
    # a vote ranking only A says A > B and A > C, and nothing about B against C
    outcome = schulze([["A"]], ["A", "B", "C"])

    assert outcome.pairwise["A"] == {"B": 1, "C": 1}
    assert outcome.pairwise["B"] == {"A": 0, "C": 0}
    assert outcome.tiers == [["A"], ["B", "C"]]


def test_a_ranking_with_an_unknown_or_repeated_option_is_refused():
    with pytest.raises(ValueError):
        schulze([["A", "Z"]], ["A", "B"])
    with pytest.raises(ValueError):
        schulze([["A", "A"]], ["A", "B"])


def test_a_condorcet_cycle_is_resolved_by_the_strongest_paths():
    # the classic cycle A > B > C > A with unequal margins
    rankings = _profile([(4, "ABC"), (3, "BCA"), (2, "CAB")])

    outcome = schulze(rankings, list("ABC"))

    # A beats B 6:3, B beats C 7:2, C beats A 5:4 — the weakest defeat (C over A) is overruled
    assert outcome.pairwise["A"]["B"] == 6 and outcome.pairwise["B"]["C"] == 7 and outcome.pairwise["C"]["A"] == 5
    assert outcome.ranking == ["A", "B", "C"]


# --- yes / no: the edges ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligible", "turnout", "quorum", "met"),
    [
        (10, 5, 50, True),  # exactly at quorum
        (10, 4, 50, False),  # one short
        (3, 2, 67, False),  # 66.7% is below 67%
        (3, 2, 66, True),
        (0, 0, 0, False),  # nobody eligible: never a quorum
        (5, 0, 0, True),  # a zero quorum is met by nobody voting
    ],
)
def test_the_quorum_is_exact(eligible, turnout, quorum, met):
    assert quorum_is_met(eligible=eligible, turnout=turnout, quorum_percent=quorum) is met


def test_a_motion_exactly_at_quorum_and_exactly_at_threshold_passes():
    # given 10 eligible, 5 vote (50%: the quorum), 2 yes and 2 no and 1 abstention (yes is 50% of yes + no)
    result = count_yes_no(["yes", "yes", "no", "no", "abstain"], eligible=10, quorum_percent=50, threshold_percent=50)

    assert (result.turnout, result.quorum_met, result.passed) == (5, True, True)
    assert result.tally == {"yes": 2, "no": 2, "abstain": 1}


def test_a_motion_one_vote_below_the_threshold_fails():
    # 66 yes of 100 yes-or-no is below a 67% threshold
    result = count_yes_no(["yes"] * 66 + ["no"] * 34, eligible=100, quorum_percent=50, threshold_percent=67)

    assert (result.quorum_met, result.passed) == (True, False)


def test_a_motion_one_vote_below_the_quorum_fails_whatever_the_yes():
    result = count_yes_no(["yes"] * 4, eligible=10, quorum_percent=50, threshold_percent=50)

    assert (result.turnout, result.quorum_met, result.passed) == (4, False, False)


def test_all_abstentions_meet_the_quorum_but_pass_nothing():
    result = count_yes_no(["abstain"] * 6, eligible=10, quorum_percent=50, threshold_percent=0)

    assert (result.turnout, result.quorum_met, result.passed) == (6, True, False)


def test_nobody_voted():
    result = count_yes_no([], eligible=10, quorum_percent=0, threshold_percent=50)

    assert (result.turnout, result.quorum_met, result.passed) == (0, True, False)
    assert result.tally == {"yes": 0, "no": 0, "abstain": 0}


def test_abstentions_count_for_the_quorum_not_for_the_threshold():
    # 1 yes, 0 no, 4 abstentions of 10: quorum met (5 of 10), and yes is 100% of yes + no
    result = count_yes_no(["yes"] + ["abstain"] * 4, eligible=10, quorum_percent=50, threshold_percent=90)

    assert (result.quorum_met, result.passed) == (True, True)


def test_a_yes_no_count_refuses_anything_else():
    with pytest.raises(ValueError):
        count_yes_no(["maybe"], eligible=1, quorum_percent=0, threshold_percent=50)


# --- plurality -------------------------------------------------------------------------------------------------


def test_plurality_names_the_option_with_most_votes():
    result = count_plurality(["Lyon", "Oslo", "Lyon"], options=["Oslo", "Lyon", "Porto"], eligible=4, quorum_percent=50)

    assert result.winner == "Lyon"
    assert result.tally == {"Oslo": 1, "Lyon": 2, "Porto": 0}
    assert result.tied == ["Lyon"]


def test_a_plurality_tie_is_reported_as_a_tie_with_no_winner():
    result = count_plurality(["Lyon", "Oslo"], options=["Oslo", "Lyon", "Porto"], eligible=2, quorum_percent=50)

    assert result.winner is None
    assert result.tied == ["Oslo", "Lyon"]


def test_without_quorum_an_election_names_no_winner_but_keeps_its_tally():
    result = count_plurality(["Lyon"], options=["Oslo", "Lyon"], eligible=10, quorum_percent=50)

    assert (result.quorum_met, result.winner, result.tally) == (False, None, {"Oslo": 0, "Lyon": 1})


def test_nobody_voted_in_an_election():
    plurality = count_plurality([], options=["Oslo", "Lyon"], eligible=3, quorum_percent=0)
    ranked = count_ranked([], options=["Oslo", "Lyon"], eligible=3, quorum_percent=0)

    assert (plurality.winner, plurality.tied) == (None, [])
    assert (ranked.winner, ranked.tied, ranked.tiers) == (None, [], [["Oslo", "Lyon"]])
