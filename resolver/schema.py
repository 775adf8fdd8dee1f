"""The canonical fields every source extract is mapped onto (the POLE vocabulary).

A source row is one person's involvement in one event as that system records it; a
system that holds only people (or only events) maps only those fields. Source
registry YAML files (``sources/*.yaml``) map each source column to one of these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "name", "date", "code", "text", "postcode", "number"]


@dataclass(frozen=True)
class CanonicalField:
    name: str
    entity: Literal["person", "incident", "involvement"]
    kind: Kind
    description: str


CANONICAL_FIELDS: tuple[CanonicalField, ...] = (
    # Person (the P of POLE)
    CanonicalField("person_id", "person", "id", "the system's own id for the person"),
    CanonicalField("forename", "person", "name", "first given name"),
    CanonicalField("middle_names", "person", "name", "other given names"),
    CanonicalField("surname", "person", "name", "family name"),
    CanonicalField("full_name", "person", "name", "whole name in one field"),
    CanonicalField("date_of_birth", "person", "date", "date of birth, possibly partial"),
    CanonicalField("sex", "person", "code", "sex or gender code"),
    CanonicalField("address", "person", "text", "home address, free text"),
    CanonicalField("postcode", "person", "postcode", "home postcode"),
    CanonicalField("uprn", "person", "id", "Unique Property Reference Number of the home"),
    CanonicalField("phone", "person", "text", "telephone number"),
    CanonicalField("email", "person", "text", "email address"),
    # Event (the E of POLE)
    CanonicalField("incident_id", "incident", "id", "the system's own id for the event/case"),
    CanonicalField("incident_date", "incident", "date", "when the event happened"),
    CanonicalField("crime_type", "incident", "code", "offence, ASB or concern category"),
    CanonicalField("description", "incident", "text", "free-text account"),
    CanonicalField("incident_address", "incident", "text", "where it happened, free text"),
    CanonicalField("incident_postcode", "incident", "postcode", "postcode where it happened"),
    CanonicalField("latitude", "incident", "number", "WGS84 latitude where it happened"),
    CanonicalField("longitude", "incident", "number", "WGS84 longitude where it happened"),
    CanonicalField("police_reference", "incident", "id", "a police crime reference, if known"),
    # The link between them
    CanonicalField("record_id", "involvement", "id", "the id of this row in the source"),
    CanonicalField("role", "involvement", "code", "suspect, victim, witness, subject, ..."),
)

FIELD_NAMES: frozenset[str] = frozenset(f.name for f in CANONICAL_FIELDS)
ROLES = ("suspect", "victim", "witness", "subject", "reporter", "other")
SEXES = ("M", "F", "U")
