"""Counting participatory-budget ballots: greedy and the Method of Equal Shares (MES).

Pure functions on plain data (no ORM), so that fixture elections can be checked by hand.

Ballots are approval sets (the projects a voter ticked). Ties are broken the same way everywhere:
more votes first, then the cheaper project, then the smaller id.

Method of Equal Shares (Peters & Skowron; equalshares.net), with cost utilities: the amount is
split equally between the voters; a project is bought when its supporters can pay for it, and
the project chosen next is the one whose cost can be covered with the lowest maximum payment per
supporter relative to its cost (the highest "effective vote count" = cost / max payment). Exact
rational arithmetic (Fraction) avoids float ties. Voters with the same ballot always hold the
same money, so they are grouped; and supporters of a project are handled as a few classes of
equal money (see `_mes_once`), which keeps 100 000 ballots cheap.

MES alone may leave money unspent. `equal_shares` completes it as equalshares.net and pabutools
(`method_of_equal_shares(..., voter_budget_increment=…)` then `greedy_utilitarian_welfare`) do:
1. add-one: rerun MES with each voter's share raised step by step (1 €, or 1 % of the first
   share when that is more, to bound the runs) and stop at the FIRST outcome that is exhaustive
   (no supported project left out still fits in the real amount); when a raised share gives an
   outcome that no longer fits, the previous outcome is kept;
2. greedy: fill what is left with the most-voted projects that still fit.

`equal_shares_raised` is a non-standard variant a city may choose explicitly: it does not stop at
the first exhaustive outcome but keeps raising the shares as long as the outcome fits (until a
share alone exceeds the dearest supported project) and keeps the last outcome that fits; it is
pabutools' `exhaustion_by_budget_increase(..., exhaustive_stop=False)`. It can fund a different
set of projects (e.g. costs {1: 150, 2: 110, 3: 30}, amount 128, ballots {3}, {2} x 3, {1,2,3} x 3:
`equal_shares` funds [3], `equal_shares_raised` funds [2]).

Projects nobody voted for are never funded, by any method.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Outcome:
    selected: list[int]  # project ids, in the order they were chosen
    votes: dict[int, int]
    spent: int


def tally(ballots: Iterable[Iterable[int]]) -> dict[int, int]:
    """Votes per project."""
    counts: Counter = Counter()
    for ballot in ballots:
        counts.update(set(ballot))
    return dict(counts)


def _order(costs: Mapping[int, int], votes: Mapping[int, int]) -> list[int]:
    return sorted(costs, key=lambda p: (-votes.get(p, 0), costs[p], p))


def greedy(costs: Mapping[int, int], votes: Mapping[int, int], amount: int, *,
           already: Iterable[int] = ()) -> list[int]:
    """Most votes first; a project that does not fit in what is left is skipped, not a stop."""
    chosen = list(already)
    left = amount - sum(costs[p] for p in chosen)
    for project in _order(costs, votes):
        if project in chosen or votes.get(project, 0) == 0:
            continue
        if costs[project] <= left:
            chosen.append(project)
            left -= costs[project]
    return chosen


def count_greedy(costs: Mapping[int, int], ballots: list[frozenset[int]], amount: int) -> Outcome:
    votes = tally(ballots)
    selected = greedy(costs, votes, amount)
    return Outcome(selected=selected, votes=votes, spent=sum(costs[p] for p in selected))


def _mes_once(costs: Mapping[int, int], groups: Mapping[frozenset[int], int], share: Fraction,
              votes: Mapping[int, int]) -> list[int]:
    """One run of MES where every voter starts with `share`; returns the projects bought, in order.

    A voter's money depends only on which bought projects they approved (their "signature"), so
    supporters of a project are kept as a few classes {signature: heads} with one amount of money
    per signature; computing a payment touches a handful of classes, not every voter.
    """
    empty: frozenset[int] = frozenset()
    money: dict[frozenset[int], Fraction] = {empty: share}
    classes: dict[int, Counter] = {p: Counter() for p in costs}
    supporters: dict[int, list[frozenset[int]]] = {p: [] for p in costs}
    for ballot, heads in groups.items():
        for project in ballot:
            if project in classes:
                classes[project][empty] += heads
                supporters[project].append(ballot)
    signature = dict.fromkeys(groups, empty)
    remaining = {p for p in costs if costs[p] > 0 and classes[p]}
    chosen: list[int] = []
    while remaining:
        best, best_rho = None, None
        for project in sorted(remaining, key=lambda p: (-votes.get(p, 0), costs[p], p)):
            cost = Fraction(costs[project])
            levels = sorted(classes[project].items(), key=lambda item: money[item[0]])
            if sum(money[sig] * heads for sig, heads in levels) < cost:
                continue
            # Smallest cap `payment` such that the sum of min(money, payment) over supporters == cost.
            paid, heads_left = Fraction(0), sum(heads for _sig, heads in levels)
            payment = None
            for sig, heads in levels:
                candidate = (cost - paid) / heads_left
                if candidate <= money[sig]:
                    payment = candidate
                    break
                paid += money[sig] * heads
                heads_left -= heads
            if payment is None:
                continue
            # Cost utilities: compare the payment per euro of the project (lower is better).
            rho = payment / cost
            if best is None or rho < best_rho:
                best, best_rho = project, rho
        if best is None:
            break
        cap = best_rho * costs[best]
        for ballot in supporters[best]:
            old = signature[ballot]
            new = old | {best}
            if new not in money:
                money[new] = money[old] - min(money[old], cap)
            heads = groups[ballot]
            for project in ballot:
                if project in classes:
                    classes[project][old] -= heads
                    if not classes[project][old]:
                        del classes[project][old]
                    classes[project][new] += heads
            signature[ballot] = new
        chosen.append(best)
        remaining.discard(best)
    return chosen


def _is_exhaustive(costs: Mapping[int, int], votes: Mapping[int, int], selection: list[int], amount: int) -> bool:
    """No supported project of positive cost left out still fits in what `selection` leaves."""
    left = amount - sum(costs[p] for p in selection)
    return not any(costs[p] <= left for p in costs if votes.get(p) and costs[p] > 0 and p not in selection)


def _equal_shares(costs: Mapping[int, int], ballots: list[frozenset[int]], amount: int, *,
                  stop_when_exhaustive: bool) -> Outcome:
    votes = tally(ballots)
    groups: dict[frozenset[int], int] = Counter(frozenset(b) for b in ballots if b)
    voters = sum(groups.values())
    if not voters:
        return Outcome(selected=[], votes=votes, spent=0)

    def spend(selection: list[int]) -> int:
        return sum(costs[p] for p in selection)

    share = Fraction(amount, voters)
    step = max(Fraction(1), share / 100)
    selected = _mes_once(costs, groups, share, votes)
    if stop_when_exhaustive:
        # add-one completion (equalshares.net): raise every voter's share by `step` until the outcome
        # is exhaustive; an outcome that no longer fits ends the search with the previous one. When
        # a share pays for every supported project, MES buys them all: the loop always ends.
        while not _is_exhaustive(costs, votes, selected, amount):
            share += step
            attempt = _mes_once(costs, groups, share, votes)
            if spend(attempt) > amount:
                break
            selected = attempt
    else:
        # non-standard: keep raising while the outcome fits, up to a share above the dearest project.
        dearest = max((costs[p] for p in votes if votes[p]), default=0)
        while share <= dearest:
            share += step
            attempt = _mes_once(costs, groups, share, votes)
            if spend(attempt) > amount:
                break
            selected = attempt
    selected = greedy(costs, votes, amount, already=selected)
    return Outcome(selected=selected, votes=votes, spent=spend(selected))


def count_equal_shares(costs: Mapping[int, int], ballots: list[frozenset[int]], amount: int) -> Outcome:
    """MES, add-one completion stopped at the first exhaustive outcome, then greedy (the reference)."""
    return _equal_shares(costs, ballots, amount, stop_when_exhaustive=True)


def count_equal_shares_raised(costs: Mapping[int, int], ballots: list[frozenset[int]], amount: int) -> Outcome:
    """MES, shares raised as long as the outcome fits, then greedy (non-standard; see the module docstring)."""
    return _equal_shares(costs, ballots, amount, stop_when_exhaustive=False)


COUNTERS = {
    "greedy": count_greedy,
    "equal_shares": count_equal_shares,
    "equal_shares_raised": count_equal_shares_raised,
}
