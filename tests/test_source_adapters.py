"""Every source behind one adapter protocol: the registry finds them by name, and one
adapter's batch ingest and live intake standardise a row the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core import warehouse
from core.rejections import RejectedRow
from live.records import sources, standardise
from resolver import police_uk
from resolver.adapters.base import StandardRecord
from resolver.adapters.police_uk import PoliceUkAdapter
from resolver.adapters.registered import RegisteredAdapter
from resolver.adapters.registry import adapters, live_adapters
from resolver.readers import read_csv
from tests.conftest import BROKEN_POLICE_UK

AGENCY = {
    "system": "agency",
    "format": "csv",
    "file": "agency.csv",
    "entity_types": ["person", "incident"],
    "fields": {"Ref": "person_id", "Surname": "surname", "Forenames": "forename",
               "DOB": "date_of_birth", "Case": "incident_id", "When": "incident_date",
               "Type": "crime_type"},
    "date_formats": {"date_of_birth": ["%d/%m/%Y"], "incident_date": ["%d/%m/%Y"]},
}  # fmt: skip
ROW = {"Ref": "N1", "Surname": "Smith", "Forenames": "Siân", "DOB": "03/04/1990",
       "Case": "C1", "When": "14/03/2025", "Type": "Burglary"}  # fmt: skip


@pytest.fixture()
def registry(tmp_path: Path) -> Path:
    (tmp_path / "agency.csv").write_text(",".join(AGENCY["fields"]) + "\n" + ",".join(ROW.values()))
    (tmp_path / "agency.yaml").write_text(yaml.safe_dump(AGENCY))
    places = {**AGENCY, "system": "places_only", "entity_types": ["incident"]}
    (tmp_path / "places_only.yaml").write_text(yaml.safe_dump(places))
    (tmp_path / "broken.yaml").write_text("system: broken\n")  # no format: left out
    return tmp_path


def test_the_registry_names_every_source_and_which_take_live_records(registry) -> None:
    found = adapters(registry)
    assert sorted(found) == ["agency", "places_only", "police.uk"]
    assert isinstance(found["police.uk"], PoliceUkAdapter)
    assert isinstance(found["agency"], RegisteredAdapter)
    assert sorted(live_adapters(registry)) == ["agency", "police.uk"]
    assert sources(found) == ["police.uk", "agency"]
    with pytest.raises(ValueError, match=r"'places_only'; live ingest takes: police\.uk, agency"):
        standardise(found, "places_only", [ROW])


def test_a_registered_row_is_the_same_person_in_batch_and_live(registry, tmp_path) -> None:
    adapter = adapters(registry)["agency"]
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        (report,) = adapter.ingest(con)
        batch = con.execute(
            "SELECT person_record_id, forename, surname, CAST(date_of_birth AS VARCHAR) "
            "FROM person_records"
        ).fetchall()
    assert (report.source, report.rows_in, report.rows_loaded) == ("agency", 1, 1)
    (live,) = adapter.standardise([ROW], [1])
    assert isinstance(live, StandardRecord)
    p = live.payload
    assert [(p["record_id"], p["forename"], p["surname"], p["date_of_birth"])] == batch


def test_a_police_uk_row_is_the_same_incident_in_batch_and_live(tmp_path) -> None:
    adapter = PoliceUkAdapter((BROKEN_POLICE_UK,))
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        (report,) = adapter.ingest(con)
        loaded = dict(
            con.execute(
                "SELECT incident_id, lsoa_code FROM police_uk_records WHERE crime_id IS NOT NULL"
            ).fetchall()
        )
    assert report.rows_in == report.rows_loaded + report.rows_quarantined
    rows = [r for r in read_csv(BROKEN_POLICE_UK) if r.values and r.values["Crime ID"]]
    checked = adapter.standardise([r.values for r in rows], [r.row_number for r in rows])
    taken = [c for c in checked if isinstance(c, StandardRecord)]
    refused = [c for c in checked if isinstance(c, RejectedRow)]
    assert taken and refused  # the broken file has both
    assert {c.payload["incident_id"]: c.payload["lsoa_code"] for c in taken} == loaded
    assert all(c.source == police_uk.SOURCE for c in taken)
