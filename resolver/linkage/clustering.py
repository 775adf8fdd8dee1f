"""Cluster scored pairs into people, refusing merges that contradict themselves.

Plain connected components chain: a record with no date of birth that matches a
mother and her daughter of the same name (one home, one name) joins all three; a record
with no forename (or a slip in its date) bridges twins. Here links are taken strongest
first and a merge is refused when it would put into one person two full dates of birth
that no clerical slip explains (not equal, not day/month swapped, more than two digits
apart), or two forenames that are different names (not a familiar form, initial, middle
name or slip of each other). Conflicting dates merge when those two records were themselves
scored as a near-certain match (a badly mistyped date) and neither date is held by another
record of the name (a date two records agree on is someone's date: a father's, not his
son's slip); different forenames never do on the score alone (a near-certain match
between two names is what twins look like). A steward's decision joins either. The
record that bridged them then joins whichever of them it matches best.

This is a coherence check on every member, not just on the link being added: Splink's
links are pairwise, and a cluster is only as sound as its least compatible pair. It is
greedy (strongest links first), which keeps it linear in the links and deterministic;
exact correlation clustering is NP-hard and would not fit a national run.

The veto trusts dates of birth. Where the data shows they are not to be trusted (records
that agree on forename, surname and address, near-certainly one person, often carry dates
no slip explains, as FEBRL's corrupted duplicates do) callers cluster without it:
``dates_reliable`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import jellyfish

# Forenames less alike than this (Jaro-Winkler) are different names, not one with a slip:
# the people model's loosest forename similarity level.
SIMILAR_FORENAMES = 0.85


class Forename(NamedTuple):
    """What a record says about its forename, for telling different names from variants."""

    name: str
    aliases: frozenset[str]  # familiar and formal forms (Bob, Robert)
    middle_names: frozenset[str]
    surname: str  # a forename in the surname field is a swap, not a different name

    @classmethod
    def prepared(
        cls, name: str, aliases: list[str], middle_names: str | None, surname: str
    ) -> Forename:
        """From people_prepared's forename, forename_aliases, middle_names and surname."""
        return cls(name, frozenset(aliases), frozenset((middle_names or "").split()), surname)


def forenames_conflict(a: Forename, b: Forename) -> bool:
    """Two forenames that are different names: not equal, not a familiar form (or a slip in
    one), initial or middle name of the other, not swapped with the surname, and less alike
    than any slip."""
    if a.name == b.name or len(a.name) < 2 or len(b.name) < 2:
        return False
    similarity = jellyfish.jaro_winkler_similarity
    if b.name in a.aliases or a.name in b.aliases:
        return False
    # a slip in a familiar form (TTHOMAS for THOMAS, against TOM)
    if any(similarity(b.name, x) >= SIMILAR_FORENAMES for x in a.aliases):
        return False
    if any(similarity(a.name, x) >= SIMILAR_FORENAMES for x in b.aliases):
        return False
    if b.name in a.middle_names or a.name in b.middle_names:
        return False
    if similarity(a.name, b.surname) >= SIMILAR_FORENAMES:
        return False
    if similarity(b.name, a.surname) >= SIMILAR_FORENAMES:
        return False
    return similarity(a.name, b.name) < SIMILAR_FORENAMES


def dates_conflict(a: str, b: str) -> bool:
    """Two yyyymmdd dates that cannot be one person's date of birth mistyped."""
    if a == b:
        return False
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return False  # day and month swapped
    if a[:4] == b[:4] and "0101" in (a[4:], b[4:]):
        return False  # 1 January: the placeholder for a day and month not known
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
    named: list[tuple[int, Forename]] = field(default_factory=list)

    def contradicts(
        self, other: _Group, matched: set[tuple[int, int]], named_matched: set[tuple[int, int]]
    ) -> bool:
        """Whether the two groups hold records that cannot be one person (conflicting dates
        of birth or forenames) not themselves scored a near-certain match."""
        for mine, theirs, conflict, overridden in (
            (self.dated, other.dated, dates_conflict, matched),
            (self.named, other.named, forenames_conflict, named_matched),
        ):
            for x, vx in mine:
                for y, vy in theirs:
                    if conflict(vx, vy) and (min(x, y), max(x, y)) not in overridden:
                        return True
        return False


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
    must_link: list[tuple[int, int]] = (),
    forenames: dict[int, Forename] | None = None,
    confirmed_dates: set[int] = frozenset(),
) -> tuple[dict[int, int], dict[int, float]]:
    """Cluster id and holding-link probability per record (1.0 for a record alone).

    `cannot_link` pairs (a steward's "not a match") never end up in one cluster;
    `must_link` pairs (a steward's "match", also among the edges) override the vetoes.
    With `forenames`, records whose forenames are different names are kept apart as
    records with conflicting dates are (twins and siblings chained through a record
    without them), whatever their own score. `confirmed_dates`: records whose date of birth
    another record of the same name holds too; a conflict with such a date is someone
    else's date, not a slip, and no score overrides it.
    """
    forenames = forenames or {}
    parent = {r: r for r in record_ids}
    groups = {
        r: _Group(
            [r],
            [(r, dates[r])] if dates.get(r) else [],
            [(r, forenames[r])] if r in forenames else [],
        )
        for r in record_ids
    }
    matched = {
        (min(a, b), max(a, b))
        for a, b, p in edges
        if p >= CONFLICT_OVERRIDE and a not in confirmed_dates and b not in confirmed_dates
    } | {(min(a, b), max(a, b)) for a, b in must_link}
    # Different forenames are never overridden by the score: a near-certain match between
    # two names is what twins look like. Only a steward's "match" joins them.
    named_matched = {(min(a, b), max(a, b)) for a, b in must_link}
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
            if ga.contradicts(gb, matched, named_matched):
                continue
            if forbidden and _forbids(ga.members, gb.members, forbidden):
                continue
            if len(ga.members) < len(gb.members):
                a, b, ga, gb = b, a, gb, ga
            parent[b] = a
            ga.members += gb.members
            ga.dated += gb.dated
            ga.named += gb.named
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
