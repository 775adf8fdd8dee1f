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


# The canonical list every source maps onto: police.uk's categories, plus concerns that
# other agencies record and that are not offences (kept off public crime layers).
SAFEGUARDING_CONCERN = "Safeguarding concern"
CANONICAL_CRIME_TYPES: dict[str, str] = {
    **POLICE_UK_CRIME_TYPES,
    SAFEGUARDING_CONCERN: "safeguarding",
}


def crime_group(crime_type: str) -> str:
    """The map's broad group for a canonical category (``KeyError`` if unknown)."""
    return CANONICAL_CRIME_TYPES[crime_type]
