"""Linked-case queries for investigators: a person, their cases, associates, network and
places, each fact with the source records behind it (system, record id, match probability).

Async (the API serves them from one event loop); every statement is a named, parameterised
file under ``cypher/queries/`` and starts from a unique-index lookup.
"""

from __future__ import annotations

import re
from typing import Any

from neo4j import AsyncDriver

from graph.cypher import read_data
from resolver.standardise import parse_date, standardise_name, standardise_postcode

MAX_DEPTH = 2
DEFAULT_LIMIT = 200
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")  # O'BRIEN stays one token


async def _rows(driver: AsyncDriver, name: str, **params: Any) -> list[dict]:
    return await read_data(driver, f"queries/{name}", **params)


async def person_profile(driver: AsyncDriver, person_id: str) -> dict | None:
    """The person and each source record resolved to them (None: no such person)."""
    rows = await _rows(driver, "person", person_id=person_id)
    if not rows:
        return None
    return {**rows[0]["person"], "records": rows[0]["records"]}


async def linked_cases(
    driver: AsyncDriver, person_id: str, depth: int = MAX_DEPTH, limit: int = DEFAULT_LIMIT
) -> dict | None:
    """Everything an investigator needs about one person, with provenance.

    ``incidents``: each with role, place and the person's source records that record it;
    ``places``: where the records say they live; ``associates``: people sharing incidents,
    to ``depth`` (1 or 2); ``network``: their offender network and its key actors.
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, not {depth}")
    person = await person_profile(driver, person_id)
    if person is None:
        return None
    incidents = await _rows(driver, "person_incidents", person_id=person_id, limit=limit)
    places = await _rows(driver, "person_places", person_id=person_id)
    associates = (await _rows(driver, "associates", person_id=person_id, depth=depth,
                              limit=limit))[0]  # fmt: skip
    return {
        "person": person,
        "incidents": incidents,
        "places": places,
        "associates": associates["first"] + associates["second"],
        "network": await network(driver, person_id),
    }


async def network(driver: AsyncDriver, person_id: str) -> dict | None:
    """The person's offender network (members, key actors first, and links), or None."""
    rows = await _rows(driver, "network", person_id=person_id)
    if not rows:
        return None
    row = rows[0]
    row["key_actors"] = [m for m in row["members"] if m.get("key_actor")]
    return row


async def place_profile(
    driver: AsyncDriver, location_id: str, *, with_people: bool, limit: int = 50
) -> dict | None:
    """A place, its recent incidents and, when ``with_people``, the offenders linked to it,
    the networks active there and the places sharing its offenders."""
    rows = await _rows(
        driver, "place", location_id=location_id, with_people=with_people, limit=limit
    )
    if not rows:
        return None
    row = rows[0]
    networks = sorted({o["network_id"] for o in row["offenders"] if o.get("network_id")})
    return {**row, "networks": networks}


def fulltext_query(name: str | None, postcode: str | None) -> str:
    """A Lucene query of fuzzy name tokens and postcode tokens; nothing of the user's text
    reaches Lucene but letters, digits and inner apostrophes, so no query syntax can be
    injected."""
    tokens = _TOKEN.findall(standardise_name(name) or "") if name else []
    # Lower case: Lucene reads upper-case AND, OR and NOT as operators.
    query = [f"{t.lower()}~1" for t in tokens if len(t) > 1]
    if postcode:
        query += [t.lower() for t in _TOKEN.findall(standardise_postcode(postcode) or postcode)]
    return " ".join(query)


async def search_people(
    driver: AsyncDriver,
    name: str | None = None,
    date_of_birth: str | None = None,
    postcode: str | None = None,
    limit: int = 20,
) -> list[dict]:
    """People whose records resemble the name (fuzzy), date of birth and postcode, best
    first. Raises ValueError for a search with nothing to search on or a bad date."""
    query = fulltext_query(name, postcode)
    if not query:
        raise ValueError("give a name or a postcode to search on")
    dob = None
    if date_of_birth:
        parsed = parse_date(date_of_birth)
        if parsed is None or parsed.day is None:
            raise ValueError(f"dateOfBirth {date_of_birth!r} is not a full date")
        dob = parsed.to_date().isoformat()
    return await _rows(
        driver,
        "search_people",
        query=query,
        candidates=max(limit * 10, 100),
        date_of_birth=dob,
        postcode=standardise_postcode(postcode) if postcode else None,
        limit=limit,
    )
