"""Cluster scored pairs into people, refusing merges that contradict themselves.

Plain connected components chain: a record with no date of birth that matches a
mother and her daughter of the same name (one home, one name) joins all three. Here
links are taken strongest first and a merge is refused when it would put two full dates
of birth into one person that no clerical slip explains (not equal, not day/month
swapped, more than two digits apart) unless those two records were themselves scored as
a near-certain match (the rest of their evidence overwhelmed the dates). The record without a date
then joins whichever of them it matches best.

The veto trusts dates of birth. Where the data shows they are not to be trusted (records
that agree on forename, surname and address, near-certainly one person, often carry dates
no slip explains, as FEBRL's corrupted duplicates do) callers cluster without it:
``dates_reliable`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jellyfish


def dates_conflict(a: str, b: str) -> bool:
    """Two yyyymmdd dates that cannot be one person's date of birth mistyped."""
    if a == b:
        return False
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return False  # day and month swapped
    return jellyfish.damerau_levenshtein_distance(a, b) > 2


# A direct match this strong overrides conflicting dates of birth (a badly mistyped date).
CONFLICT_OVERRIDE = 0.95
# Dates are a veto while fewer than this share of one person's record pairs conflict.
UNRELIABLE_SHARE = 0.1
MIN_DATED_PAIRS = 30


def dates_reliable(same_person_dates: list[tuple[str, str]]) -> bool:
    """Whether dates of birth may veto merges, from the yyyymmdd date pairs of records that
    are near-certainly one person (too few pairs to tell: yes, the safer side)."""
    if len(same_person_dates) < MIN_DATED_PAIRS:
        return True
    conflicts = sum(dates_conflict(a, b) for a, b in same_person_dates)
    return conflicts < UNRELIABLE_SHARE * len(same_person_dates)


@dataclass
class _Group:
    members: list[int]
    dated: list[tuple[int, str]] = field(default_factory=list)


def _forbids(a: list[int], b: list[int], forbidden: dict[int, set[int]]) -> bool:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    others = set(large)
    return any(forbidden.get(x, set()) & others for x in small)


def cluster(
    record_ids: list[int],
    dates: dict[int, str | None],
    edges: list[tuple[int, int, float]],
    threshold: float,
    *,
    cannot_link: list[tuple[int, int]] = (),
) -> tuple[dict[int, int], dict[int, float]]:
    """Cluster id and holding-link probability per record (1.0 for a record alone).

    `cannot_link` pairs (a steward's "not a match") never end up in one cluster.
    """
    parent = {r: r for r in record_ids}
    groups = {r: _Group([r], [(r, dates[r])] if dates.get(r) else []) for r in record_ids}
    matched = {(min(a, b), max(a, b)) for a, b, p in edges if p >= CONFLICT_OVERRIDE}
    forbidden: dict[int, set[int]] = {}
    for a, b in cannot_link:
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)
    best: dict[int, float] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right, probability in sorted(edges, key=lambda e: -e[2]):
        if probability < threshold:
            break
        a, b = find(left), find(right)
        if a != b:
            ga, gb = groups[a], groups[b]
            if any(
                dates_conflict(dx, dy) and (min(x, y), max(x, y)) not in matched
                for x, dx in ga.dated
                for y, dy in gb.dated
            ):
                continue
            if forbidden and _forbids(ga.members, gb.members, forbidden):
                continue
            if len(ga.members) < len(gb.members):
                a, b, ga, gb = b, a, gb, ga
            parent[b] = a
            ga.members += gb.members
            ga.dated += gb.dated
            del groups[b]
        for r in (left, right):
            if find(r) == find(left):
                best[r] = max(best.get(r, 0.0), probability)
    cluster_of = {r: find(r) for r in record_ids}
    sizes: dict[int, int] = {}
    for c in cluster_of.values():
        sizes[c] = sizes.get(c, 0) + 1
    holding = {r: (best.get(r, 1.0) if sizes[cluster_of[r]] > 1 else 1.0) for r in record_ids}
    return cluster_of, holding
