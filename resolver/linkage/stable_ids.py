"""Person ids that survive reruns, and the lineage of those that cannot.

A new cluster keeps the id of the previous person most of its records belonged to (an id
goes to the one cluster holding most of its records); a cluster with no such claim gets
a fresh id. When records of one previous person end up in several clusters, that is a
split; when one cluster takes records of several previous people, a merge. Both are
written as lineage so that an investigator following an old id finds where it went.

A fresh id is keyed (HMAC-SHA256 under the server's id key, ``settings.id_secret``): the
same cluster gets the same id on every run, but no one who knows a source record id can
compute the id of its person, home or incident and ask the API for it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

Record = tuple[str, str]  # (source_system, source_record_id)


@dataclass(frozen=True)
class LineageEvent:
    kind: str  # "merged" | "split"
    from_person_id: str
    to_person_id: str
    records: int


def id_for_key(member_key: str, key: bytes, prefix: str = "P") -> str:
    """The id derived from a cluster's smallest member key ("system|record id") under the
    id key. The prefix names the kind of entity (P person, L place, I incident)."""
    return prefix + hmac.new(key, member_key.encode(), hashlib.sha256).hexdigest()[:12]


def fresh_id(cluster: list[Record], key: bytes, prefix: str = "P") -> str:
    """A new id derived from the cluster's smallest member: the same cluster, the same id."""
    return id_for_key(min(f"{s}|{r}" for s, r in cluster), key, prefix)


def assign(
    clusters: list[list[Record]], previous: dict[Record, str], key: bytes, prefix: str = "P"
) -> tuple[list[str], list[LineageEvent]]:
    """An id per cluster (same order) and the lineage events against `previous`."""
    overlaps: list[tuple[int, str, int]] = []  # (records shared, old id, cluster index)
    for index, members in enumerate(clusters):
        counts = Counter(previous[m] for m in members if m in previous)
        overlaps += [(n, old, index) for old, n in counts.items()]
    overlaps.sort(key=lambda o: (-o[0], o[1], o[2]))
    ids: list[str | None] = [None] * len(clusters)
    claimed: set[str] = set()
    for _shared, old, index in overlaps:
        if ids[index] is None and old not in claimed:
            ids[index] = old
            claimed.add(old)
    taken = set(previous.values())
    for index, members in enumerate(clusters):
        if ids[index] is None:
            candidate = fresh_id(members, key, prefix)
            suffix = 1
            while candidate in taken or candidate in claimed:
                candidate = f"{fresh_id(members, key, prefix)}-{suffix}"
                suffix += 1
            ids[index] = candidate
            claimed.add(candidate)
    lineage: list[LineageEvent] = []
    for index, members in enumerate(clusters):
        counts = Counter(previous[m] for m in members if m in previous)
        for old, n in sorted(counts.items()):
            if old == ids[index]:
                continue
            kind = "split" if old in claimed else "merged"
            lineage.append(LineageEvent(kind, old, ids[index], n))
    return [i for i in ids if i is not None], lineage
