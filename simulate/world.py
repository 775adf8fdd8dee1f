"""Who did what to whom: offenders, victims and witnesses attached to real incidents.

Offenders offend near their anchors (home, an earlier home, for some a place across a
force border) with journey-to-crime distance decay; some offend in groups; victims live
near where they are harmed (burglary victims at the address itself), some repeatedly;
domestic abuse joins people of one household. Only incidents whose police.uk outcome
implies a suspect was identified get suspects.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import h3
import numpy as np

from simulate.population import REFERENCE_DAY, Address, Person

SUSPECT_OUTCOMES = frozenset(
    {
        "Unable to prosecute suspect",
        "Court result unavailable",
        "Awaiting court outcome",
        "Local resolution",
        "Action to be taken by another organisation",
        "Offender given a caution",
        "Formal action is not in the public interest",
        "Further action is not in the public interest",
        "Suspect charged as part of another case",
        "Offender given a drugs possession warning",
        "Offender given penalty notice",
        "Offender sent to prison",
        "Offender fined",
        "Offender given community sentence",
        "Offender given conditional discharge",
        "Offender given suspended prison sentence",
    }
)
PERSONAL_VICTIM_TYPES = frozenset(
    {
        "Violence and sexual offences",
        "Robbery",
        "Theft from the person",
        "Burglary",
        "Criminal damage and arson",
        "Vehicle crime",
        "Bicycle theft",
        "Other theft",
    }
)
WALES_POPULATION = 3_100_000
DECAY_KM = 2.5  # journey-to-crime distance decay
GRID_RESOLUTION = 6  # H3 cells of ~36 km² to find nearby incidents and residents


@dataclass
class Event:
    """A real police.uk incident (or a council-only case) as it happened."""

    event_uid: str
    police_incident_id: str | None
    crime_id: str | None
    crime_type: str
    day: date
    force_code: str
    latitude: float | None
    longitude: float | None
    location_name: str | None
    lsoa: str | None


@dataclass
class Involvement:
    event_uid: str
    person_uid: str
    role: str  # suspect | victim | witness | subject | reporter


@dataclass
class World:
    people: list[Person]
    addresses: list[Address]
    events: dict[str, Event] = field(default_factory=dict)
    involvements: list[Involvement] = field(default_factory=list)

    def involved(self, event_uid: str) -> list[Involvement]:
        return [i for i in self.involvements if i.event_uid == event_uid]


def _km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Equirectangular distance: accurate to well under 1% at these scales."""
    x = np.radians(lon2 - lon1) * math.cos(math.radians(lat1))
    y = np.radians(lat2 - lat1)
    return 6371.0 * np.hypot(x, y)


class _SpatialPool:
    """Items bucketed by H3 cell, drawn near a point with distance decay."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray):
        self.lat, self.lon = lat, lon
        self.taken = np.zeros(len(lat), dtype=bool)
        buckets: dict[str, list[int]] = defaultdict(list)
        for i, (a, o) in enumerate(zip(lat, lon, strict=True)):
            buckets[h3.latlng_to_cell(float(a), float(o), GRID_RESOLUTION)].append(i)
        self.buckets = {k: np.array(v) for k, v in buckets.items()}

    def draw(
        self,
        rng: np.random.Generator,
        lat: float,
        lon: float,
        k: int,
        *,
        decay_km: float = DECAY_KM,
        reuse: bool = False,
    ) -> list[int]:
        cell = h3.latlng_to_cell(lat, lon, GRID_RESOLUTION)
        candidates = [self.buckets[c] for c in h3.grid_disk(cell, 2) if c in self.buckets]
        if not candidates:
            return []
        idx = np.concatenate(candidates)
        if not reuse:
            idx = idx[~self.taken[idx]]
        if len(idx) == 0:
            return []
        weights = np.exp(-_km(lat, lon, self.lat[idx], self.lon[idx]) / decay_km)
        weights /= weights.sum()
        chosen = rng.choice(idx, size=min(k, len(idx)), replace=False, p=weights)
        if not reuse:
            self.taken[chosen] = True
        return [int(c) for c in chosen]


def read_incidents(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Real incidents with their location, from the warehouse's canonical tables."""
    return con.execute(
        """
        SELECT i.incident_id, i.crime_id, i.crime_type, i.month, i.force_code, i.last_outcome,
               l.latitude, l.longitude, l.name, l.lsoa_code
        FROM incidents i JOIN locations l USING (location_id)
        ORDER BY i.incident_id
        """
    ).fetchall()


def _day_in(month: str, rng: random.Random) -> date:
    year, mon = (int(x) for x in month.split("-"))
    first = date(year, mon, 1)
    following = date(year + mon // 12, mon % 12 + 1, 1)
    return first + timedelta(days=rng.randrange((following - first).days))


def _offending_weight(person: Person) -> float:
    age = person.age_on(REFERENCE_DAY)
    if age < 12 or age > 75:
        return 0.0
    peak = math.exp(-(((age - 21) / 9) ** 2)) + 0.15 * math.exp(-(((age - 40) / 15) ** 2))
    return peak * (3.0 if person.sex == "M" else 1.0)


def build_world(
    people: list[Person],
    addresses: list[Address],
    incidents: list[tuple],
    *,
    seed: int,
    offence_rate: float = 1.0,
) -> World:
    """Attach the population to a share of the real incidents proportional to its size."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    world = World(people, addresses)
    scale = min(1.0, len(people) / WALES_POPULATION) * offence_rate

    events = [
        Event(f"E{n + 1:07d}", row[0], row[1], row[2], _day_in(row[3], rng), row[4],
              row[6], row[7], row[8], row[9])
        for n, row in enumerate(incidents)
    ]  # fmt: skip
    outcomes = [row[5] for row in incidents]
    lat = np.array([e.latitude for e in events])
    lon = np.array([e.longitude for e in events])

    detected = np.array([o in SUSPECT_OUTCOMES for o in outcomes])
    detected_pool = _SpatialPool(lat, lon)
    detected_pool.taken[~detected] = True  # only detected incidents get suspects
    residents = _SpatialPool(
        np.array([p.address.latitude for p in people]),
        np.array([p.address.longitude for p in people]),
    )
    used: set[int] = set()

    def attach(event_index: int, person: Person, role: str) -> None:
        event = events[event_index]
        world.events.setdefault(event.event_uid, event)
        world.involvements.append(Involvement(event.event_uid, person.person_uid, role))
        used.add(event_index)

    # Offenders and their offences.
    weights = np.array([_offending_weight(p) for p in people])
    offences_wanted = int(detected.sum() * scale)
    offender_count = max(1, offences_wanted // 2)
    offender_idx = nprng.choice(
        len(people),
        size=min(offender_count, int((weights > 0).sum())),
        replace=False,
        p=weights / weights.sum(),
    )
    offenders = [people[i] for i in offender_idx]
    far_anchor = {}
    for person in offenders:
        if rng.random() < 0.08:  # offends across a force border too
            e = events[rng.randrange(len(events))]
            far_anchor[person.person_uid] = (e.latitude, e.longitude)

    def anchors(person: Person) -> list[tuple[float, float]]:
        points = [(person.address.latitude, person.address.longitude)]
        if person.previous_address:
            points.append((person.previous_address.latitude, person.previous_address.longitude))
        if person.person_uid in far_anchor:
            points.append(far_anchor[person.person_uid])
        return points

    # Co-offending groups among offenders living near each other.
    by_area: dict[str, list[Person]] = defaultdict(list)
    for person in offenders:
        by_area[person.address.h3_cell[:10]].append(person)  # coarse prefix ~ neighbourhood
    groups: list[list[Person]] = []
    for members in by_area.values():
        rng.shuffle(members)
        while len(members) >= 2 and rng.random() < 0.35:
            size = min(len(members), rng.choice((2, 2, 3, 4)))
            groups.append([members.pop() for _ in range(size)])
    for group in groups:
        home = group[0].address
        for index in detected_pool.draw(nprng, home.latitude, home.longitude, rng.randint(1, 5)):
            for member in group:
                attach(index, member, "suspect")

    for person in offenders:
        count = min(40, 1 + int(nprng.pareto(1.6)))
        spots = anchors(person)
        for _ in range(count):
            a_lat, a_lon = spots[0] if rng.random() < 0.7 else rng.choice(spots)
            for index in detected_pool.draw(nprng, a_lat, a_lon, 1):
                attach(index, person, "suspect")

    # Victims: of offences with suspects, and of a share of the undetected ones.
    by_uid = {p.person_uid: p for p in people}
    household: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        household[p.household].append(p)
    personal = [i for i, e in enumerate(events) if e.crime_type in PERSONAL_VICTIM_TYPES]
    undetected = [i for i in personal if not detected[i] and rng.random() < scale]
    victims_so_far: list[Person] = []
    suspects_of: dict[int, list[str]] = defaultdict(list)
    for inv in world.involvements:
        suspects_of[int(inv.event_uid[1:]) - 1].append(inv.person_uid)
    for index in sorted(
        set(i for i in used if events[i].crime_type in PERSONAL_VICTIM_TYPES) | set(undetected)
    ):
        event = events[index]
        victim = None
        suspects = suspects_of.get(index, [])
        if suspects and event.crime_type == "Violence and sexual offences" and rng.random() < 0.3:
            housemates = [
                p
                for p in household[by_uid[suspects[0]].household]
                if p.person_uid not in suspects and p.age_on(event.day) >= 16
            ]
            victim = rng.choice(housemates) if housemates else None  # domestic abuse
        if victim is None and victims_so_far and rng.random() < 0.15:
            victim = rng.choice(victims_so_far)  # repeat victimisation
        if victim is None:
            decay = 0.3 if event.crime_type == "Burglary" else 1.5
            found = residents.draw(
                nprng, event.latitude, event.longitude, 1, decay_km=decay, reuse=True
            )
            victim = people[found[0]] if found else None
        if victim is None or victim.person_uid in suspects:
            continue
        attach(index, victim, "victim")
        victims_so_far.append(victim)
        if rng.random() < 0.2:
            found = residents.draw(
                nprng, event.latitude, event.longitude, 1, decay_km=1.0, reuse=True
            )
            if found and people[found[0]].person_uid not in suspects:
                attach(index, people[found[0]], "witness")

    # Anti-social behaviour: named perpetrators and complainants for a share of it.
    asb = [i for i, e in enumerate(events) if e.crime_type == "Anti-social behaviour"]
    for index in asb:
        if rng.random() >= scale * 1.5:
            continue
        event = events[index]
        near = residents.draw(nprng, event.latitude, event.longitude, 3, decay_km=1.0, reuse=True)
        candidates = [people[i] for i in near]
        young = [p for p in candidates if 12 <= p.age_on(event.day) <= 30] or candidates
        if not young:
            continue
        perpetrator = rng.choice(young)
        attach(index, perpetrator, "suspect")
        others = [p for p in candidates if p is not perpetrator and p.age_on(event.day) >= 18]
        if others:
            attach(index, others[0], "reporter")
    return world
