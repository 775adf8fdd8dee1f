"""Investigators' reads from the graph: person, linked cases, network, place, search.

The one path for these questions: the API serves them and the graph benchmark measures
them. Async (a neo4j AsyncDriver in), plain dicts out, every fact with its provenance;
each statement is a named file under ``cypher/investigate/``.
"""

from __future__ import annotations

from typing import Any

import jellyfish
from neo4j import AsyncDriver

from graph.cypher import read_data

MAX_DEPTH = 3  # person→incident→person hops a linked-cases read may follow
LINKED_INCIDENT_CAP = 500
NETWORK_CAP = 200
PLACE_PEOPLE_CAP = 200
SEARCH_CANDIDATES = 2000


async def person_profile(driver: AsyncDriver, person_id: str) -> dict[str, Any] | None:
    rows = await read_data(driver, "investigate/person_profile", person_id=person_id)
    if not rows:
        return None
    row = rows[0]
    return {**row["person"], **{k: row[k] for k in ("records", "incidents", "addresses")}}


async def linked_cases(driver: AsyncDriver, person_id: str, depth: int) -> dict[str, Any] | None:
    """Incidents reachable in ``depth`` person→incident→person hops, with their parties.

    Whether the person exists is asked only when the first hop finds nothing: one round
    trip fewer for everyone with a case."""
    seen_people = {person_id}
    frontier = [person_id]
    incidents: dict[str, dict[str, Any]] = {}
    for hop in range(1, depth + 1):
        if not frontier or len(incidents) >= LINKED_INCIDENT_CAP:
            break
        rows = await read_data(
            driver,
            "investigate/linked_step",
            person_ids=frontier,
            limit=LINKED_INCIDENT_CAP - len(incidents),
        )
        next_frontier: list[str] = []
        for row in rows:
            incident_id = row["incident"]["incident_id"]
            if incident_id in incidents:
                continue
            incidents[incident_id] = {
                **row["incident"],
                "hops": hop,
                "location": row["location"],
                "parties": row["parties"],
            }
            for party in row["parties"]:
                if party["person_id"] not in seen_people:
                    seen_people.add(party["person_id"])
                    next_frontier.append(party["person_id"])
        frontier = next_frontier
        if (
            hop == 1
            and not rows
            and not await read_data(driver, "investigate/network_members", person_id=person_id)
        ):
            return None
    return {
        "person_id": person_id,
        "depth": depth,
        "incidents": list(incidents.values()),
        "people": sorted(seen_people),
    }


async def network(driver: AsyncDriver, person_id: str) -> dict[str, Any] | None:
    rows = await read_data(driver, "investigate/network", person_id=person_id, limit=NETWORK_CAP)
    if not rows:
        rows = await read_data(driver, "investigate/network_members", person_id=person_id)
    return rows[0] if rows else None


async def place_profile(
    driver: AsyncDriver, location_id: str, with_people: bool
) -> dict[str, Any] | None:
    rows = await read_data(driver, "investigate/place_profile", location_id=location_id)
    if not rows:
        return None
    row = rows[0]
    place = {
        **row["place"],
        **{k: row[k] for k in ("lsoa", "force", "incident_count", "incidents", "residents")},
    }
    place["people"] = await people_at(driver, [location_id]) if with_people else None
    return place


async def people_at(driver: AsyncDriver, location_ids: list[str]) -> list[dict[str, Any]]:
    """People party to incidents at the places, then people living there."""
    parties = await read_data(
        driver, "investigate/place_people", location_ids=location_ids, limit=PLACE_PEOPLE_CAP
    )
    residents = await read_data(
        driver, "investigate/place_residents", location_ids=location_ids, limit=PLACE_PEOPLE_CAP
    )
    return (parties + residents)[:PLACE_PEOPLE_CAP]


async def locations_in_cells(driver: AsyncDriver, cells: list[str]) -> list[str]:
    return [
        r["location_id"] for r in await read_data(driver, "investigate/cell_locations", cells=cells)
    ]


def _similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return jellyfish.jaro_winkler_similarity(a, b)


async def search_people(
    driver: AsyncDriver,
    forename: str | None,
    surname: str | None,
    dob: str | None,
    postcode: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """People whose records resemble the (standardised) query, best first.

    Candidates share a surname's first two letters, a date-of-birth prefix or the
    postcode; each is scored by Jaro-Winkler on names and exact date and postcode.
    """
    rows = await read_data(
        driver,
        "investigate/search_candidates",
        surname_prefix=surname[:2] if surname else None,
        dob_prefix=dob,
        postcode=postcode,
        limit=SEARCH_CANDIDATES,
    )
    best: dict[str, dict[str, Any]] = {}
    for row in rows:
        score, matched = 0.0, []
        weights = 0.0
        if surname:
            weights += 2
            s = _similarity(surname, row["surname"])
            score += 2 * s
            if s >= 0.9:
                matched.append("surname")
        if forename:
            weights += 1
            s = _similarity(forename, row["forename"])
            score += s
            if s >= 0.9:
                matched.append("forename")
        if dob:
            weights += 1.5
            if row["date_of_birth"] and row["date_of_birth"].startswith(dob):
                score += 1.5
                matched.append("dateOfBirth")
        if postcode:
            weights += 1
            if row["postcode"] == postcode:
                score += 1
                matched.append("postcode")
        score = score / weights if weights else 0.0
        current = best.get(row["person_id"])
        if current is None or score > current["score"]:
            best[row["person_id"]] = {
                "person_id": row["person_id"],
                "name": row["name"],
                "score": round(score, 4),
                "matched_on": matched,
                "provenance": {
                    "system": row["system"],
                    "record_id": row["record_id"],
                    "match_probability": row["match_probability"],
                },
            }
    ranked = sorted(best.values(), key=lambda m: (-m["score"], m["person_id"]))
    return [m for m in ranked if m["score"] >= 0.5][:limit]
