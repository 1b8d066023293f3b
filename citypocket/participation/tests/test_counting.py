"""Counting methods on hand-computed fixture elections (no database)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from citypocket.participation.counting import count_equal_shares, count_greedy, tally

A, B, C, D = 1, 2, 3, 4


def test_tally_counts_each_project_once_per_ballot():
    """A ballot listing a project twice still gives it one vote."""
    assert tally([[A, A, B], [B]]) == {A: 1, B: 2}


def test_greedy_skips_what_does_not_fit_and_continues():
    """Greedy takes the most voted first and skips a project too dear for what is left."""
    costs = {A: 60, B: 50, C: 30, D: 20}
    ballots = [frozenset({A, B, C})] * 3 + [frozenset({A, B})] + [frozenset({A, D})]
    # votes: A=5, B=4, C=3, D=1; amount 100
    # A (60) -> left 40; B (50) > 40 skipped; C (30) -> left 10; D (20) > 10 skipped.
    outcome = count_greedy(costs, ballots, 100)
    assert outcome.votes == {A: 5, B: 4, C: 3, D: 1}
    assert outcome.selected == [A, C]
    assert outcome.spent == 90


def test_greedy_breaks_vote_ties_with_the_cheaper_project():
    """Equal votes: the cheaper project comes first."""
    costs = {A: 70, B: 40}
    # A and B 1 vote each; B is cheaper -> B (40), left 60, A (70) does not fit.
    assert count_greedy(costs, [frozenset({A, B})], 100).selected == [B]


def test_equal_shares_gives_the_minority_its_project_where_greedy_does_not():
    """MES funds the project of the 1-in-4 voter; greedy spends everything on the majority."""
    costs = {A: 60, B: 60, C: 30}
    ballots = [frozenset({A, B})] * 3 + [frozenset({C})]
    # Greedy: votes A=3, B=3, C=1. A (60) + B (60) = 120 = amount; C does not fit.
    assert count_greedy(costs, ballots, 120).selected == [A, B]
    # MES: 120 / 4 voters = 30 each.
    #   A: 3 supporters pay 60/3 = 20 each, rho = 20/60 = 1/3; B the same (tie -> lower id: A).
    #   C: its one supporter pays 30, rho = 30/30 = 1.   -> buy A; v1..v3 keep 10 each.
    #   B: supporters hold 3 x 10 = 30 < 60, unaffordable. C: rho 1 -> buy C.   MES = [A, C], 90.
    # add-one: 30 left, B (60) does not fit: [A, C] is exhaustive, the completion stops at once.
    # greedy completion: 30 left, B costs 60: nothing added.
    outcome = count_equal_shares(costs, ballots, 120)
    assert outcome.selected == [A, C]
    assert outcome.spent == 90


def test_equal_shares_add_one_completion_funds_what_shares_could_not():
    """When no group can afford its project with its share, raising the shares finds the outcome."""
    costs = {A: 70, B: 40, D: 20}
    ballots = [frozenset({A}), frozenset({A}), frozenset({B, D})]
    # MES at 100/3 = 33.33 each: A needs 70 but its 2 supporters hold 66.67; B needs 40 > 33.33;
    #   D: v3 pays 20, rho 1 -> [D], 20 spent.
    # add-one (step 1 €): at 35.33 each, A's supporters pay 35 each (rho 0.5) -> A, then D -> [A, D] = 90.
    #   10 left, B (40) does not fit: exhaustive, stop there.
    # greedy completion: 10 left, nothing fits.
    outcome = count_equal_shares(costs, ballots, 100)
    assert outcome.selected == [A, D]
    assert outcome.spent == 90


def test_equal_shares_with_no_ballot_selects_nothing():
    """An election without ballots funds nothing."""
    assert count_equal_shares({A: 10}, [], 100).selected == []


def test_equal_shares_on_identical_ballots_buys_cheaper_projects_first():
    """With one group of voters every project has the same rho; the tie-break prefers cheaper ones."""
    costs = {A: 60, B: 50, C: 30}
    ballots = [frozenset({A, B, C})] * 10
    # 10 voters x 10 €: each project costs 1/10 of its cost per voter, rho = 0.1 for all (a tie,
    # equal votes -> cheaper first): C (3 each, 7 left), B (5 each, 2 left); A needs 60 > 20. [C, B] = 80.
    # add-one: 20 left, A (60) does not fit: exhaustive, stop at once.
    # greedy completion: 20 left, A (60) does not fit.
    assert count_equal_shares(costs, ballots, 100).selected == [C, B]
    # Greedy instead: all 10 votes, cheaper first among equals: C (30), B (50) -> 80, A (60) > 20.
    assert count_greedy(costs, ballots, 100).selected == [C, B]


def reference_mes_once(costs, ballots, share):
    """MES written the plain way, voter by voter (slow, obviously right): the oracle for _mes_once."""
    from fractions import Fraction

    money = [Fraction(share)] * len(ballots)
    remaining = {p for p in costs if any(p in b for b in ballots)}
    votes = tally(ballots)
    chosen = []
    while True:
        best, best_rho = None, None
        for project in sorted(remaining, key=lambda p: (-votes.get(p, 0), costs[p], p)):
            backers = sorted((i for i, b in enumerate(ballots) if project in b), key=lambda i: money[i])
            if sum(money[i] for i in backers) < costs[project]:
                continue
            paid, heads = Fraction(0), len(backers)
            for i in backers:
                candidate = (costs[project] - paid) / heads
                if candidate <= money[i]:
                    rho = candidate / costs[project]
                    if best is None or rho < best_rho:
                        best, best_rho = project, rho
                    break
                paid, heads = paid + money[i], heads - 1
        if best is None:
            return chosen
        for i, ballot in enumerate(ballots):
            if best in ballot:
                money[i] -= min(money[i], best_rho * costs[best])
        chosen.append(best)
        remaining.discard(best)


@settings(max_examples=150, deadline=None)
@given(
    costs=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6),
    raw_ballots=st.lists(st.sets(st.integers(min_value=0, max_value=5), min_size=1), min_size=1, max_size=12),
    share=st.integers(min_value=1, max_value=40),
)
def test_grouped_mes_matches_the_voter_by_voter_reference(costs, raw_ballots, share):
    """On random elections the grouped MES buys exactly what the plain one does, in the same order."""
    from collections import Counter
    from fractions import Fraction

    from citypocket.participation.counting import _mes_once

    cost_map = dict(enumerate(costs))
    ballots = [frozenset(p for p in b if p in cost_map) for b in raw_ballots]
    ballots = [b for b in ballots if b]
    groups = Counter(ballots)
    assert _mes_once(cost_map, groups, Fraction(share), tally(ballots)) == reference_mes_once(cost_map, ballots, share)
