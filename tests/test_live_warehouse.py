"""Live records into the warehouse: the batch's own rows, each entry once, a file's row
preferred to the live one, and nothing taken from a journal the warehouse has overtaken."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import h3
import pandas as pd
import pytest
import yaml

from core import warehouse
from layers.store import ALL_CRIME, LayerStore
from live import overlay, warehouse_rows
from live.applier import Applier
from live.broadcast import Broadcaster
from live.journal import Journal
from live.records import standardise
from resolver import readers
from resolver.adapters.base import StandardRecord
from resolver.adapters.registry import live_adapters
from resolver.police_uk_ingest import ingest_police_uk
from resolver.registered_ingest import ingest_source
from resolver.sources import load_spec
from risk.scores import SCORE_WEIGHTS
from tests.conftest import BROKEN_POLICE_UK

SPEC = {
    "system": "agency",
    "format": "csv",
    "file": "agency.csv",
    "entity_types": ["person", "incident"],
    "fields": {
        "Ref": "person_id", "Surname": "surname", "Forenames": "forename", "DOB": "date_of_birth",
        "Sex": "sex", "Postcode": "postcode", "Email": "email", "Case": "incident_id",
        "When": "incident_date", "Type": "crime_type", "Part": "role", "Police ref":
        "police_reference",
    },
    "date_formats": {"date_of_birth": ["%d/%m/%Y"], "incident_date": ["%d/%m/%Y"]},
    "codes": {"role": {"P": "suspect", "V": "victim"}},
}  # fmt: skip
ROWS = [
    {"Ref": "N1", "Surname": "Smith", "Forenames": "John Paul", "DOB": "03/04/1990", "Sex": "M",
     "Postcode": "cf62 7ab", "Email": "J.Smith@Example.org", "Case": "C1", "When": "14/03/2025",
     "Type": "Burglary", "Part": "P", "Police ref": "pr1"},
    {"Ref": "N1", "Surname": "Smith", "Forenames": "John Paul", "DOB": "03/04/1990", "Sex": "M",
     "Postcode": "cf62 7ab", "Email": "", "Case": "C2", "When": "01/05/2025",
     "Type": "Robbery", "Part": "V", "Police ref": ""},
    {"Ref": "N2", "Surname": "Jones", "Forenames": "Ann", "DOB": "", "Sex": "Q",
     "Postcode": "nowhere", "Email": "", "Case": "C2", "When": "01/05/2025",
     "Type": "Robbery", "Part": "P", "Police ref": ""},
]  # fmt: skip
CARDIFF = (-3.18, 51.48)
# every column but where the row came from
_PEOPLE = "source_system, person_record_id, forename, middle_names, surname, date_of_birth, "
_PEOPLE += "dob_precision, sex, address, postcode, uprn, email, phone"
_INCIDENTS = "source_system, incident_record_id, incident_date, date_precision, crime_type, "
_INCIDENTS += "crime_group, crime_type_raw, description, incident_address, incident_postcode, "
_INCIDENTS += "latitude, longitude, police_reference"
_POLICE = "incident_id, crime_id, month, reported_by, force_code, falls_within, longitude, "
_POLICE += "latitude, location_id, h3_cell, location, lsoa_code, lsoa_name, crime_type, "
_POLICE += "last_outcome, context"


def _spec(tmp_path: Path):
    with (tmp_path / "agency.csv").open("w") as out:
        out.write(",".join(SPEC["fields"]) + "\n")
        for row in ROWS:
            out.write(",".join(row[c] for c in SPEC["fields"]) + "\n")
    (tmp_path / "agency.yaml").write_text(yaml.safe_dump(SPEC))
    return load_spec(tmp_path / "agency.yaml")


def _applied(journal: Journal, source: str, records: list, outcome: str | None = None) -> None:
    """Journal the records and mark them applied as the applier would."""
    checked = standardise(live_adapters(journal.path.parent), source, records)
    journal.append([c for c in checked if isinstance(c, StandardRecord)])
    marks = {}
    for entry in journal.pending():
        if entry.kind == "incident":
            marks[entry.seq] = outcome or "new"
        else:
            marks[entry.seq] = outcome or json.dumps({"decision": "new", "person_id": "P1"})
    journal.mark_applied(marks)


def _rows(con: duckdb.DuckDBPyConnection, table: str, columns: str, where: str) -> list:
    return con.execute(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY ALL").fetchall()


def test_live_person_rows_are_the_rows_the_batch_makes_of_the_same_extract(tmp_path) -> None:
    spec = _spec(tmp_path)
    journal = Journal(tmp_path / "journal.sqlite")
    _applied(journal, "agency", ROWS)
    with warehouse.connect(tmp_path / "batch.duckdb") as batch:
        list(ingest_source(batch, spec))
        want = {
            "person_records": _rows(batch, "person_records", _PEOPLE, "true"),
            "incident_records": _rows(batch, "incident_records", _INCIDENTS, "true"),
            "involvements": _rows(
                batch, "involvements", "person_record_id, incident_record_id, role", "true"
            ),
            "quarantine": _rows(
                batch, "quarantine", "source, row_number - 1, field, severity", "true"
            ),
        }
    with warehouse.connect(tmp_path / "live.duckdb") as con:
        taken = warehouse_rows.take(con, journal)
        assert taken.entries == {"stored": 3} and taken.through_seq == 3
        live = f"source_file = 'live:{journal.id}'"
        assert _rows(con, "person_records", _PEOPLE, live) == want["person_records"]
        assert _rows(con, "incident_records", _INCIDENTS, live) == want["incident_records"]
        assert (
            _rows(con, "involvements", "person_record_id, incident_record_id, role", live)
            == want["involvements"]
        )
        assert _rows(con, "quarantine", "source, row_number, field, severity", live) == [
            ("agency", 3, "postcode", "field"), ("agency", 3, "sex", "field"),
        ] == want["quarantine"]  # fmt: skip
        ledger = con.execute(
            "SELECT seq, source, kind, idempotency_key, outcome FROM live_records ORDER BY seq"
        ).fetchall()
        assert ledger == [
            (1, "agency", "person", "agency:N1@C1", "stored"),
            (2, "agency", "person", "agency:N1@C2", "stored"),
            (3, "agency", "person", "agency:N2@C2", "stored"),
        ]
        again = warehouse_rows.take(con, journal)  # nothing twice
        assert again.total == 0
        assert con.execute("SELECT count(*) FROM involvements").fetchone() == (3,)


def test_live_police_uk_rows_match_the_files_and_give_way_to_them(tmp_path) -> None:
    rows = [
        {**r.values, "recordId": f"{BROKEN_POLICE_UK.name}#{r.row_number}"}
        for r in readers.read_csv(BROKEN_POLICE_UK)
        if r.values and r.values.get("Crime ID")
    ][:20]
    journal = Journal(tmp_path / "journal.sqlite")
    _applied(journal, "police.uk", rows)
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        taken = warehouse_rows.take(con, journal)
        assert taken.rows["police_uk_records"] == taken.entries["stored"] > 0
        live = f"source_file = 'live:{journal.id}'"
        refs = _rows(con, "police_uk_records", "record_ref", live)
        assert all(r[0].startswith(f"{BROKEN_POLICE_UK.name}#") for r in refs)
        live_rows = _rows(con, "police_uk_records", _POLICE, live)
        ingest_police_uk(con, [BROKEN_POLICE_UK])
        file_rows = _rows(con, "police_uk_records", _POLICE, f"NOT ({live})")
        assert set(live_rows) <= set(file_rows)  # the batch's values for the same rows
        removed = warehouse_rows.settle(con)
        assert removed["police_uk_records"] == len(live_rows)
        assert _rows(con, "police_uk_records", "count(*)", live) == [(0,)]
        assert warehouse_rows.take(con, journal).total == 0  # not taken again


def test_only_records_new_to_the_graph_are_stored_and_each_entry_once(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    crime = {"Crime ID": "c1", "Month": "2025-03", "Reported by": "Gwent Police",
             "Longitude": "-3.0", "Latitude": "51.6", "Crime type": "Robbery"}  # fmt: skip
    _applied(journal, "police.uk", [crime])
    _applied(journal, "police.uk", [{**crime, "recordId": "again"}], outcome="duplicate")
    journal.append(standardise(live_adapters(None), "police.uk", [{**crime, "recordId": "p"}]))
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        taken = warehouse_rows.take(con, journal, batch=1)
        assert taken.entries == {"stored": 1, "duplicate": 1}
        assert taken.through_seq == 2  # the pending third waits for the applier
        assert con.execute("SELECT count(*) FROM police_uk_records").fetchone() == (1,)
        journal.mark_applied({3: "added"})
        assert warehouse_rows.take(con, journal).entries == {"stored": 1}
        assert con.execute("SELECT count(*) FROM live_records").fetchone() == (3,)


def test_a_journal_behind_the_warehouse_is_refused_and_reset_forgets_live_rows(
    tmp_path,
) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    crime = {"Crime ID": "c1", "Month": "2025-03", "Reported by": "Gwent Police",
             "Longitude": "-3.0", "Latitude": "51.6", "Crime type": "Robbery"}  # fmt: skip
    _applied(journal, "police.uk", [crime, {**crime, "Crime ID": "c2"}])
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse_rows.take(con, journal)
        con.execute("UPDATE live_records SET seq = seq + 10")
        with pytest.raises(warehouse_rows.JournalMismatch, match="up to 12"):
            warehouse_rows.take(con, journal)
        removed = warehouse_rows.forget(con)
        assert removed["police_uk_records"] == 2 and removed["live_records"] == 2
        assert warehouse_rows.take(con, journal).entries == {"stored": 2}


def test_a_held_warehouse_is_waited_for_then_named(tmp_path) -> None:
    path = tmp_path / "w.duckdb"
    holder = warehouse.connect(path)
    try:
        with pytest.raises(warehouse.WarehouseBusy, match=r"w\.duckdb.*within 0s"):
            warehouse.connect_read_only(path, wait_s=0)
    finally:
        holder.close()
    warehouse.connect_read_only(path, wait_s=0).close()


def _map(journal: Journal, held: list[dict], through: tuple[str, int] | None) -> LayerStore:
    """A map loaded from a warehouse whose incidents hold ``held`` and whose risk tables
    count the live entries up to ``through``: one cell, two incidents, harm 20."""
    cell = h3.latlng_to_cell(CARDIFF[1], CARDIFF[0], 9)
    risk = pd.DataFrame({
        "month": "2025-01", "area_level": "h3", "resolution": 9, "crime_group": ALL_CRIME,
        "area_id": [cell], **{component: [1.0] for component in SCORE_WEIGHTS},
        "harm": [20.0], "incidents": [2], "score": [1.0],
    })  # fmt: skip
    areas = pd.DataFrame({"lsoa_code": [], "force_code": []})
    return LayerStore({"risk": risk}, overlay.incident_frame(held), areas, {}, None, through)


def test_a_restored_map_counts_each_live_incident_once(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    lon, lat = CARDIFF
    crimes = [
        {"Crime ID": crime_id, "Month": "2025-01", "Reported by": "South Wales Police",
         "Longitude": str(lon), "Latitude": str(lat), "Crime type": "Burglary"}
        for crime_id in ("held", "counted", "fresh")
    ]  # fmt: skip
    _applied(journal, "police.uk", crimes)
    payloads = [e.payload for e in journal.applied("new", "incident", 0)]
    key = ("2025-01", "h3", 9, ALL_CRIME)
    # The warehouse's map holds the first; its risk tables count the first two.
    for through, harm, count in [((journal.id, 2), 30.0, 3), (("another journal", 2), 50.0, 5)]:
        store = _map(journal, payloads[:1], through)
        applier = Applier(journal, None, lambda s=store: s, Broadcaster(), {"Burglary": 10.0},
                          id_key=b"test")  # fmt: skip
        assert applier.restore(store) == 3
        assert sorted(store.incidents.ids) == sorted(p["incident_id"] for p in payloads)
        (props,) = store.slice("risk", key).properties
        assert (props["harm"], props["incidents"]) == (harm, count), through
