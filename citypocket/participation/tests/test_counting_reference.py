"""Every counting method against pabutools (PyPI 1.2.3), an independent implementation: the oracle.

pabutools is a test-only dependency (the `dev` extra). 300 seeded random elections per method; the
same tie-breaking is given to pabutools (more votes, then the cheaper project, then the smaller id).
The elections follow the project's own rules: ballots are never empty (an empty ballot is refused),
and a project nobody voted for is left out of the pabutools instance (CityPocket never funds one,
pabutools' greedy would add it to fill the pot).
"""

import random
from collections import Counter

import pytest
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.fractions import frac
from pabutools.rules import (
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule

from citypocket.participation import counting

ELECTIONS = 300


def random_election(rng: random.Random) -> tuple[dict[int, int], list[frozenset[int]], int]:
    projects = rng.randint(1, 7)
    costs = {p: rng.choice([rng.randint(1, 30), rng.randint(1, 200)]) for p in range(1, projects + 1)}
    kinds = [frozenset(rng.sample(sorted(costs), rng.randint(1, projects))) for _ in range(rng.randint(1, 5))]
    ballots = [rng.choice(kinds) for _ in range(rng.randint(1, 14))]
    amount = rng.randint(1, max(2, sum(costs.values())))
    return costs, ballots, amount


def pabutools_election(costs, ballots, amount):
    votes = counting.tally(ballots)
    projects = {p: Project(str(p), cost) for p, cost in costs.items() if votes.get(p)}
    instance = Instance(projects.values(), budget_limit=amount)
    profile = ApprovalProfile([ApprovalBallot(projects[p] for p in ballot) for ballot in ballots], instance=instance)
    by_name = {str(p): p for p in projects}
    ties = TieBreakingRule(
        lambda _inst, _prof, project: (-votes[by_name[project.name]], project.cost, by_name[project.name])
    )
    return instance, profile, ties, by_name


def step(amount: int, voters: int):
    """The add-one step of counting.py, 1 € per voter or 1 % of the first share when more."""
    return frac(max(100 * voters, amount), 100 * voters)


def reference_greedy(costs, ballots, amount):
    instance, profile, ties, by_name = pabutools_election(costs, ballots, amount)
    outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=ties)
    return [by_name[p.name] for p in outcome]


def reference_equal_shares(costs, ballots, amount):
    """equalshares.net's MES with add-one completion then utilitarian greedy, as pabutools documents it."""
    instance, profile, ties, by_name = pabutools_election(costs, ballots, amount)
    outcome = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [
            {"sat_class": Cost_Sat, "tie_breaking": ties, "voter_budget_increment": step(amount, len(ballots))},
            {"sat_class": Cost_Sat, "tie_breaking": ties},
        ],
    )
    return [by_name[p.name] for p in outcome]


def reference_equal_shares_raised(costs, ballots, amount):
    """MES rerun with a growing budget until it overspends (no stop at an exhaustive outcome), then greedy."""
    instance, profile, ties, by_name = pabutools_election(costs, ballots, amount)
    voters = len(ballots)
    dearest = max(p.cost for p in instance)
    raised = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": Cost_Sat, "tie_breaking": ties},
        exhaustive_stop=False,
        budget_step=step(amount, voters) * voters,
        budget_bound=max(amount, (dearest + step(amount, voters)) * voters),
    )
    outcome = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, tie_breaking=ties, initial_budget_allocation=raised
    )
    return [by_name[p.name] for p in outcome]


REFERENCES = {
    "greedy": reference_greedy,
    "equal_shares": reference_equal_shares,
    "equal_shares_raised": reference_equal_shares_raised,
}


def test_every_counting_method_has_a_reference():
    """A new counting method cannot be added without its pabutools oracle."""
    assert set(REFERENCES) == set(counting.COUNTERS)


@pytest.mark.parametrize("method", sorted(counting.COUNTERS))
def test_counting_agrees_with_pabutools_on_300_random_elections(method):
    """Same projects funded, in the same order, on every one of 300 seeded random elections."""
    rng = random.Random(20261130)
    disagreements = []
    methods_differ = Counter()
    for _ in range(ELECTIONS):
        costs, ballots, amount = random_election(rng)
        ours = counting.COUNTERS[method](costs, ballots, amount).selected
        if ours != REFERENCES[method](costs, ballots, amount):
            disagreements.append((costs, ballots, amount))
        methods_differ[tuple(sorted(ours))] += 1
    assert disagreements == []
    assert len(methods_differ) > 20  # the elections are varied, not 300 times the same outcome


def test_equal_shares_stops_at_the_first_exhaustive_outcome():
    """The election where the raising variant and the reference part ways, worked by hand.

    costs 1: 150, 2: 110, 3: 30; amount 128; 7 voters -> 128/7 = 18.29 each.
    MES: project 3 (30) has 4 supporters, 7.5 each, rho 0.25; project 2 (110) has 6 supporters
    holding 109.7 < 110: unaffordable. Buy 3. Then 2: the three {2} voters hold 54.9, the three
    {1,2,3} voters 32.4 -> 87.3 < 110. Outcome [3], 30 spent; 2 (110) does not fit in 98: exhaustive,
    so the reference stops there. Raising the shares further funds 2 alone at some point (110 <= 128).
    """
    costs = {1: 150, 2: 110, 3: 30}
    ballots = [frozenset({3})] + [frozenset({2})] * 3 + [frozenset({1, 2, 3})] * 3
    assert counting.count_equal_shares(costs, ballots, 128).selected == [3]
    assert reference_equal_shares(costs, ballots, 128) == [3]
    assert counting.count_equal_shares_raised(costs, ballots, 128).selected == [2]
    assert reference_equal_shares_raised(costs, ballots, 128) == [2]
