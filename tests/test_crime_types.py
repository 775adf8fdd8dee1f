"""One data file for crime types: every stage reads its groups, harm weights, the
police-discovered flag and the synonyms from it, and a broken file is named."""

from pathlib import Path

import pytest

from resolver.crime_types import (
    CANONICAL_CRIME_TYPES,
    CRIME_TYPES,
    POLICE_DISCOVERED_GROUPS,
    POLICE_UK_CRIME_TYPES,
    CrimeTypesError,
    load_crime_types,
)
from resolver.standardise import standardise_crime_type
from risk.harm import load_harm_weights


def test_every_police_uk_type_has_a_group_and_a_harm_weight() -> None:
    assert set(POLICE_UK_CRIME_TYPES) < set(CANONICAL_CRIME_TYPES)
    assert all(CRIME_TYPES[t].harm is not None for t in POLICE_UK_CRIME_TYPES)
    assert load_harm_weights() == {t: CRIME_TYPES[t].harm for t in POLICE_UK_CRIME_TYPES}
    assert POLICE_DISCOVERED_GROUPS == ("drugs", "weapons")


def test_synonyms_and_prefixes_come_from_the_file() -> None:
    assert standardise_crime_type("Noise nuisance") == "Anti-social behaviour"
    assert standardise_crime_type("Burglary - residential - attempt") == "Burglary"
    assert standardise_crime_type("County lines") == "Safeguarding concern"


def test_a_broken_file_is_named_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / "crime_types.yaml"
    path.write_text("types:\n  Burglary: {group: burglary, harm: lots}\n")
    with pytest.raises(CrimeTypesError, match=r"crime_types.yaml: types.Burglary.harm"):
        load_crime_types(path)
    path.write_text("types:\n  Burglary: {harm: 3}\n")
    with pytest.raises(CrimeTypesError, match="needs a 'group'"):
        load_crime_types(path)
