"""Investigator fields. Every person-level read states a purpose and is audited once."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from api import arguments, audit
from api.context import driver, principal
from api.limits import check_page
from api.types.people import (
    Address,
    LinkedCases,
    LinkedIncident,
    Network,
    NetworkLink,
    NetworkMember,
    Party,
    Person,
    PersonIncident,
    PersonMatch,
    Place,
    PlaceIncident,
    PlacePerson,
    Point,
    Provenance,
    SourceRecord,
)
from graph import investigator_reads


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def provenance(p: dict[str, Any]) -> Provenance:
    return Provenance(
        system=p["system"], record_id=p["record_id"], match_probability=p.get("match_probability")
    )


def source_record(r: dict[str, Any]) -> SourceRecord:
    return SourceRecord(
        system=r["system"],
        record_id=r["record_id"],
        forename=r.get("forename"),
        surname=r.get("surname"),
        date_of_birth=_s(r.get("date_of_birth")),
        sex=r.get("sex"),
        address=r.get("address"),
        postcode=r.get("postcode"),
        match_probability=r.get("match_probability"),
    )


async def _audit(info: Info, what: str, purpose: str, records: int, args: dict) -> None:
    await audit.record(driver(info), principal(info), what, purpose, records, args)


async def person(info: Info, id: strawberry.ID, purpose: str) -> Person | None:
    why = arguments.purpose(purpose)
    person_id = arguments.identifier(id, "id")
    found = await investigator_reads.person_profile(driver(info), person_id)
    await _audit(info, "person", why, 1 if found else 0, {"id": person_id})
    if found is None:
        return None
    return Person(
        id=found["person_id"],
        name=found.get("name"),
        date_of_birth=_s(found.get("date_of_birth")),
        sex=found.get("sex"),
        network_id=_s(found.get("network_id")),
        records=[source_record(r) for r in found["records"]],
        incidents=[
            PersonIncident(
                incident_id=i["incident_id"],
                month=i.get("month"),
                crime_type=i.get("crime_type"),
                crime_group=i.get("crime_group"),
                role=i.get("role"),
                provenance=[provenance(p) for p in i["provenance"]],
            )
            for i in found["incidents"]
        ],
        addresses=[
            Address(
                location_id=a["location_id"],
                name=a.get("name"),
                latitude=a.get("latitude"),
                longitude=a.get("longitude"),
                sources=a.get("sources") or [],
            )
            for a in found["addresses"]
        ],
    )


async def search_people(
    info: Info,
    purpose: str,
    name: str | None = None,
    date_of_birth: str | None = None,
    postcode: str | None = None,
    first: int = 20,
) -> list[PersonMatch]:
    why = arguments.purpose(purpose)
    limit = check_page("searchPeople", first)
    forename, surname = arguments.person_name(name)
    dob, _precision = arguments.date_of_birth(date_of_birth)
    pc = arguments.postcode(postcode)
    if not (surname or dob or pc):
        raise arguments.BadInput("name", "give at least one of name, dateOfBirth or postcode")
    hits = await investigator_reads.search_people(driver(info), forename, surname, dob, pc, limit)
    args = {"name": name, "dateOfBirth": date_of_birth, "postcode": postcode, "first": first}
    await _audit(info, "searchPeople", why, len(hits), args)
    return [
        PersonMatch(
            person_id=h["person_id"],
            name=h["name"],
            score=h["score"],
            matched_on=h["matched_on"],
            provenance=provenance(h["provenance"]),
        )
        for h in hits
    ]


def _party(p: dict[str, Any]) -> Party:
    return Party(
        person_id=p["person_id"],
        name=p.get("name"),
        role=p.get("role"),
        provenance=[provenance(x) for x in p["provenance"]],
    )


async def linked_cases(
    info: Info, person_id: strawberry.ID, purpose: str, depth: int = 2
) -> LinkedCases | None:
    why = arguments.purpose(purpose)
    pid = arguments.identifier(person_id, "personId")
    if not 1 <= depth <= investigator_reads.MAX_DEPTH:
        raise arguments.BadInput(
            "depth", f"depth must be between 1 and {investigator_reads.MAX_DEPTH}, got {depth}"
        )
    found = await investigator_reads.linked_cases(driver(info), pid, depth)
    shown = found["people"] if found else []  # everyone whose name the answer carries
    await _audit(
        info, "linkedCases", why, len(shown), {"personId": pid, "depth": depth, "people": shown}
    )
    if found is None:
        return None
    return LinkedCases(
        person_id=pid,
        depth=depth,
        people=found["people"],
        incidents=[
            LinkedIncident(
                incident_id=i["incident_id"],
                month=i.get("month"),
                crime_type=i.get("crime_type"),
                crime_group=i.get("crime_group"),
                hops=i["hops"],
                location=Point(
                    location_id=i["location"]["location_id"],
                    name=i["location"].get("name"),
                    latitude=i["location"].get("latitude"),
                    longitude=i["location"].get("longitude"),
                )
                if i.get("location")
                else None,
                parties=[_party(p) for p in i["parties"]],
            )
            for i in found["incidents"]
        ],
    )


async def network(info: Info, person_id: strawberry.ID, purpose: str) -> Network | None:
    why = arguments.purpose(purpose)
    pid = arguments.identifier(person_id, "personId")
    found = await investigator_reads.network(driver(info), pid)
    await _audit(info, "network", why, len(found["members"]) if found else 0, {"personId": pid})
    if found is None:
        return None
    return Network(
        person_id=pid,
        network_id=_s(found.get("network_id")),
        members=[
            NetworkMember(
                person_id=m["person_id"],
                name=m.get("name"),
                pagerank=m.get("pagerank"),
                betweenness=m.get("betweenness"),
                key_actor=m.get("key_actor"),
                community_id=_s(m.get("community_id")),
            )
            for m in found["members"]
        ],
        links=[
            NetworkLink(
                source=link["source"],
                target=link["target"],
                weight=link.get("weight"),
                incidents=link.get("incidents"),
            )
            for link in found["links"]
        ],
    )


def place_person(p: dict[str, Any]) -> PlacePerson:
    return PlacePerson(
        person_id=p["person_id"],
        name=p.get("name"),
        link=p["link"] or "",
        incident_id=p.get("incident_id"),
        location_id=p["location_id"],
        provenance=[provenance(x) for x in p["provenance"]],
    )


async def place(info: Info, id: strawberry.ID, purpose: str | None = None) -> Place | None:
    """A place; its people only for investigators who give a purpose (then audited).

    A home is person data: a place someone lives at, or an address from an agency's
    records (not a police.uk street point), is shown only to an investigator with a
    purpose, audited with everyone shown; to anyone else it does not exist."""
    location_id = arguments.identifier(id, "id")
    why = arguments.purpose(purpose) if purpose is not None else None
    with_people = why is not None and principal(info).role == "investigator"
    found = await investigator_reads.place_profile(driver(info), location_id, with_people)
    if with_people:
        people = found["people"] if found else []
        shown = sorted({p["person_id"] for p in people})
        await _audit(info, "place", why, len(people), {"id": location_id, "people": shown})
    if found is None:
        return None
    if not with_people and (found.get("residents") or found.get("kind") == "address"):
        return None
    return Place(
        id=found["location_id"],
        name=found.get("name"),
        latitude=found.get("latitude"),
        longitude=found.get("longitude"),
        h3=found.get("h3"),
        lsoa=found.get("lsoa"),
        force=found.get("force"),
        incident_count=found["incident_count"],
        incidents=[
            PlaceIncident(
                id=i["incident_id"],
                month=i.get("month"),
                crime_type=i.get("crime_type"),
                crime_group=i.get("crime_group"),
            )
            for i in found["incidents"]
        ],
        people=[place_person(p) for p in found["people"]] if found["people"] is not None else None,
    )


async def cell_people(
    info: Info, location_ids: list[str], purpose: str, cell_id: str
) -> list[PlacePerson]:
    why = arguments.purpose(purpose)
    people = await investigator_reads.people_at(driver(info), location_ids) if location_ids else []
    shown = sorted({p["person_id"] for p in people})
    await _audit(info, "cell.people", why, len(people), {"id": cell_id, "people": shown})
    return [place_person(p) for p in people]
