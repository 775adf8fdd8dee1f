"""The crime categories of data.police.uk street-level data, and their groups."""

from __future__ import annotations

ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"

# Current police.uk categories, with the broad group the map filters on.
POLICE_UK_CRIME_TYPES: dict[str, str] = {
    ANTI_SOCIAL_BEHAVIOUR: "anti-social behaviour",
    "Bicycle theft": "theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "damage",
    "Drugs": "drugs",
    "Other crime": "other",
    "Other theft": "theft",
    "Possession of weapons": "weapons",
    "Public order": "public order",
    "Robbery": "robbery",
    "Shoplifting": "theft",
    "Theft from the person": "theft",
    "Vehicle crime": "vehicle",
    "Violence and sexual offences": "violence",
    # Categories police.uk used before 2013-2014, still found in its archive.
    "Violent crime": "violence",
    "Public disorder and weapons": "public order",
}


def crime_group(crime_type: str) -> str:
    """The map's broad group for a police.uk category (``KeyError`` if unknown)."""
    return POLICE_UK_CRIME_TYPES[crime_type]
