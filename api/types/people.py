"""Types for investigators: people, linked cases, networks and places, with provenance."""

from __future__ import annotations

import strawberry

from api.permissions import roles_for


@strawberry.type(description="Where a fact came from.")
class Provenance:
    system: str = strawberry.field(description="The source system.")
    record_id: str = strawberry.field(description="The record's id in that system.")
    match_probability: float | None = strawberry.field(
        description="How strongly the record is linked to the person (1: alone)."
    )


@strawberry.type(description="A source record as its system held it (standardised).")
class SourceRecord:
    system: str
    record_id: str
    forename: str | None
    surname: str | None
    date_of_birth: str | None
    sex: str | None
    address: str | None
    postcode: str | None
    match_probability: float | None = None


@strawberry.type(description="A person's part in an incident, and the records that say so.")
class PersonIncident:
    incident_id: str
    month: str | None
    crime_type: str | None
    crime_group: str | None
    role: str | None
    provenance: list[Provenance]


@strawberry.type(description="Where a person lives, with the systems that say so.")
class Address:
    location_id: str
    name: str | None
    latitude: float | None
    longitude: float | None
    sources: list[str]


@strawberry.type(description="A resolved person: every record, incident and address.")
class Person:
    id: strawberry.ID
    name: str | None
    date_of_birth: str | None
    sex: str | None
    network_id: str | None
    records: list[SourceRecord]
    incidents: list[PersonIncident]
    addresses: list[Address]


@strawberry.type(description="A search hit: the person, its score and what matched.")
class PersonMatch:
    person_id: strawberry.ID
    name: str | None
    score: float
    matched_on: list[str]
    provenance: Provenance


@strawberry.type(description="A party to a linked incident.")
class Party:
    person_id: strawberry.ID
    name: str | None
    role: str | None
    provenance: list[Provenance]


@strawberry.type(description="A point location.")
class Point:
    location_id: str
    name: str | None
    latitude: float | None
    longitude: float | None


@strawberry.type(description="An incident linked to the person within the asked depth.")
class LinkedIncident:
    incident_id: str
    month: str | None
    crime_type: str | None
    crime_group: str | None
    hops: int = strawberry.field(description="Person→incident hops from the person.")
    location: Point | None
    parties: list[Party]


@strawberry.type(description="A person's linked cases.")
class LinkedCases:
    person_id: strawberry.ID
    depth: int
    incidents: list[LinkedIncident]
    people: list[strawberry.ID]


@strawberry.type(description="A member of a co-offending network.")
class NetworkMember:
    person_id: strawberry.ID
    name: str | None
    pagerank: float | None
    betweenness: float | None
    key_actor: bool | None
    community_id: str | None


@strawberry.type(description="A co-offending link.")
class NetworkLink:
    source: strawberry.ID
    target: strawberry.ID
    weight: float | None
    incidents: int | None


@strawberry.type(description="A person's co-offending network (up to two hops).")
class Network:
    person_id: strawberry.ID
    network_id: str | None
    members: list[NetworkMember]
    links: list[NetworkLink]


@strawberry.type(description="A person linked to a place, and how.")
class PlacePerson:
    person_id: strawberry.ID
    name: str | None
    link: str = strawberry.field(description="The role in an incident there, or 'lives at'.")
    incident_id: str | None
    location_id: str
    provenance: list[Provenance]


@strawberry.type(
    description="A place: where it is, its area, incidents, and (for investigators) people."
)
class Place:
    id: strawberry.ID
    name: str | None
    latitude: float | None
    longitude: float | None
    h3: str | None
    lsoa: str | None
    force: str | None
    incident_count: int
    incidents: list[PlaceIncident]
    people: list[PlacePerson] | None = strawberry.field(
        permission_classes=[roles_for("Place.people")],
        description="People linked to the place: investigators, when a purpose is given.",
    )


@strawberry.type(description="An incident at a place.")
class PlaceIncident:
    id: str
    month: str | None
    crime_type: str | None
    crime_group: str | None
