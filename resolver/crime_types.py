"""Every crime type crimegraph knows, read from one data file (``crime_types.yaml``): its
group, whether police.uk publishes it, its harm weight, whether the police mostly find it
themselves, and the wording sources use for it. Adding a crime group or a synonym is an
edit to that file, not to code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.errors import InvalidInput

CRIME_TYPES_FILE = Path(__file__).with_name("crime_types.yaml")
ANTI_SOCIAL_BEHAVIOUR = "Anti-social behaviour"
SAFEGUARDING_CONCERN = "Safeguarding concern"


class CrimeTypesError(InvalidInput):
    """A crime types file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class CrimeType:
    name: str
    group: str
    police_uk: bool
    harm: float | None
    police_discovered: bool
    synonyms: tuple[str, ...]
    prefixes: tuple[str, ...]


def _crime_type(path: Path, name: str, entry: Any) -> CrimeType:
    where = f"{path}: types.{name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("group"), str):
        raise CrimeTypesError(f"{where}: needs a 'group'")
    harm = entry.get("harm")
    if harm is not None and (isinstance(harm, bool) or not isinstance(harm, int | float)):
        raise CrimeTypesError(f"{where}.harm: not a number: {harm!r}")
    words = {key: entry.get(key) or [] for key in ("synonyms", "prefixes")}
    for key, values in words.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise CrimeTypesError(f"{where}.{key}: not a list of text")
    return CrimeType(
        name=name,
        group=entry["group"],
        police_uk=bool(entry.get("police_uk", False)),
        harm=None if harm is None else float(harm),
        police_discovered=bool(entry.get("police_discovered", False)),
        synonyms=tuple(words["synonyms"]),
        prefixes=tuple(words["prefixes"]),
    )


def load_crime_types(path: Path = CRIME_TYPES_FILE) -> dict[str, CrimeType]:
    """Every type in the file, by canonical name, in the file's order."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CrimeTypesError(f"{path}: cannot be read as YAML: {exc}") from exc
    types = document.get("types") if isinstance(document, dict) else None
    if not isinstance(types, dict) or not types:
        raise CrimeTypesError(f"{path}: no 'types' mapping of crime type to its fields")
    return {name: _crime_type(path, name, entry) for name, entry in types.items()}


CRIME_TYPES: dict[str, CrimeType] = load_crime_types()

# The canonical list every source maps onto, with the group the map filters on.
CANONICAL_CRIME_TYPES: dict[str, str] = {t.name: t.group for t in CRIME_TYPES.values()}
# The categories data.police.uk publishes (current and archive), with their groups.
POLICE_UK_CRIME_TYPES: dict[str, str] = {
    t.name: t.group for t in CRIME_TYPES.values() if t.police_uk
}
# Crimes the police mostly find themselves (drugs, possession of weapons), and their groups.
POLICE_DISCOVERED_TYPES: tuple[str, ...] = tuple(
    t.name for t in CRIME_TYPES.values() if t.police_discovered
)
POLICE_DISCOVERED_GROUPS: tuple[str, ...] = tuple(
    dict.fromkeys(CANONICAL_CRIME_TYPES[name] for name in POLICE_DISCOVERED_TYPES)
)


def crime_group(crime_type: str) -> str:
    """The map's broad group for a canonical category (``KeyError`` if unknown)."""
    return CANONICAL_CRIME_TYPES[crime_type]
