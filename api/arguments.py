"""Argument checks shared by resolvers and tiles: each failure names the argument."""

from __future__ import annotations

import re
from datetime import date
from typing import Protocol

import h3

from api.errors import BadInput
from layers.store import ALL_CRIME, BBox, LayerStore
from resolver.standardise import (
    StandardiseError,
    parse_date,
    split_full_name,
    standardise_postcode,
)

MAX_SPAN_DEG = 12.0  # wide enough for England and Wales, small enough to bound a response
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_LSOA = re.compile(r"^[EW]0[12]\d{6}$")
_ID = re.compile(r"^[A-Za-z0-9:._|,@+-]{1,200}$")
PURPOSE_MIN, PURPOSE_MAX = 5, 500


def bbox(west: float, south: float, east: float, north: float, argument: str = "bbox") -> BBox:
    """A WGS84 box: within lon -180..180 / lat -90..90, west < east, south < north, and
    no wider or taller than MAX_SPAN_DEG."""
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise BadInput(argument, f"{argument}: west and east must be longitudes in -180..180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise BadInput(argument, f"{argument}: south and north must be latitudes in -90..90")
    if not west < east:
        raise BadInput(argument, f"{argument}: west ({west}) must be less than east ({east})")
    if not south < north:
        raise BadInput(argument, f"{argument}: south ({south}) must be less than north ({north})")
    if east - west > MAX_SPAN_DEG or north - south > MAX_SPAN_DEG:
        raise BadInput(argument, f"{argument}: spans more than {MAX_SPAN_DEG} degrees")
    return west, south, east, north


class BoxArgument(Protocol):
    """What a GraphQL ``BBox`` input carries."""

    west: float
    south: float
    east: float
    north: float


def bounding_box(value: BoxArgument) -> BBox:
    """A GraphQL ``BBox`` input as (west, south, east, north), checked."""
    return bbox(value.west, value.south, value.east, value.north)


def month(value: str | None, argument: str = "month") -> str | None:
    if value is not None and not _MONTH.match(value):
        raise BadInput(argument, f"{argument} must be YYYY-MM, got {value!r}")
    return value


def crime_groups(store: LayerStore, values: list[str] | None) -> list[str]:
    """The groups asked for (default "All crime"); an unknown one is a BAD_USER_INPUT."""
    if not values:
        return [ALL_CRIME]
    for value in values:
        if value not in store.crime_groups:
            raise BadInput(
                "crimeGroups",
                f"unknown crime type group {value!r}; known: {', '.join(store.crime_groups)}",
            )
    return list(dict.fromkeys(values))


def crime_types(store: LayerStore, values: list[str] | None) -> list[str] | None:
    for value in values or []:
        if value not in store.crime_types:
            raise BadInput(
                "types", f"unknown crime type {value!r}; known: {', '.join(store.crime_types)}"
            )
    return values or None


def resolution(store: LayerStore, layer: str, value: int) -> int:
    available = store.resolutions(layer)
    if not 0 <= value <= 15 or (available and value not in available):
        shown = ", ".join(map(str, available)) or "none loaded"
        raise BadInput("resolution", f"resolution {value} has no {layer} layer; available: {shown}")
    return value


def force(store: LayerStore, value: str | None) -> str | None:
    if value is not None and value not in store.forces:
        raise BadInput("force", f"unknown force {value!r}; use a police.uk force id")
    return value


def cell_id(value: str) -> str:
    """An H3 cell index or an LSOA 2021 code."""
    if _LSOA.match(value) or (len(value) <= 16 and h3.is_valid_cell(value)):
        return value
    raise BadInput("id", "id must be an H3 cell index or an LSOA code")


def identifier(value: str, argument: str) -> str:
    if not _ID.match(value):
        raise BadInput(argument, f"{argument} is not a valid identifier")
    return value


def purpose(value: str) -> str:
    """Why person-level data is being read; kept in the audit log."""
    text = " ".join(value.split())
    if not PURPOSE_MIN <= len(text) <= PURPOSE_MAX:
        raise BadInput(
            "purpose", f"purpose must say why, in {PURPOSE_MIN} to {PURPOSE_MAX} characters"
        )
    return text


def reason(value: str) -> str:
    text = " ".join(value.split())
    if not 3 <= len(text) <= 1000:
        raise BadInput("reason", "reason must be 3 to 1000 characters")
    return text


def person_name(value: str | None) -> tuple[str | None, str | None]:
    """(forename, surname) standardised as the resolver does."""
    if value is None:
        return None, None
    try:
        forename, _middle, surname = split_full_name(value)
    except StandardiseError as exc:
        raise BadInput("name", f"name: {exc}") from exc
    return forename, surname


def date_of_birth(value: str | None) -> tuple[str | None, str]:
    """An ISO date prefix ('1990-04-03', '1990-04' or '1990') for any common UK form."""
    if value is None:
        return None, "none"
    try:
        parsed = parse_date(value, today=date.today())
    except StandardiseError as exc:
        raise BadInput("dateOfBirth", f"dateOfBirth: {exc}") from exc
    if parsed is None:
        return None, "none"
    text = f"{parsed.year:04d}"
    if parsed.month:
        text += f"-{parsed.month:02d}"
    if parsed.day:
        text += f"-{parsed.day:02d}"
    return text, "day" if parsed.day else "month" if parsed.month else "year"


def postcode(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return standardise_postcode(value)
    except StandardiseError as exc:
        raise BadInput("postcode", f"postcode: {exc}") from exc
