"""One ingest path for every registered source: mapping, standardisation, quarantine."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from core import warehouse
from resolver.registered_ingest import ingest_file, ingest_source
from resolver.sources import SourceSpecError, load_spec

HEADER = "Nominal,Family name,Given names,Born,Gender,Home,Post code,Case,Type,When,Part\n"
GOOD = [
    'N1,SMITH,John Paul,03/04/1990,M,"12 Church Rd, Barry",cf62 7ab,C1,Noise nuisance,'
    "14/03/2025,P\n",
    "N2,Jones,Siân,1985-11-30,F,4 High St,CF10 1AA,C1,Noise nuisance,14/03/2025,C\n",
    'N1,SMITH,John Paul,03/04/1990,M,"12 Church Rd, Barry",cf62 7ab,C2,Assault,02/05/2025,P\n',
]
BROKEN = {
    6: "N3,Evans,Rhys,31/02/1990,M,1 Main Rd,SA1 1AA,C3,Burglary,01/06/2025,P\n",  # no such DOB
    7: ",Evans,Rhys,01/02/1990,M,1 Main Rd,SA1 1AA,C3,Burglary,01/06/2025,P\n",  # empty id
    8: "N4,Price,Ann,01/02/1990,F,1 Main Rd,SA1 1AA,C4,Jaywalking,01/06/2025,V\n",  # crime type
    9: "N5,Price,Ann,01/02/2090,F,1 Main Rd,SA1 1AA,C4,Burglary,01/06/2025,V\n",  # future DOB
    10: "N6,Price,Ann,01/02/1990\n",  # wrong column count
    11: "N7,Lloyd,Huw,01/02/1990,M,1 Main Rd,SA1 1AA,C5,Burglary,99/99/2025,P\n",  # bad date
}
# line 12 (line 5 is blank): a bad sex code and a bad postcode
SOFT = "N8,Lloyd,Huw,01/02/1990,Q,1 Main Rd,NOT A PC,C5,Burglary,01/06/2025,W\n"
SPEC = {
    "system": "test_council",
    "format": "csv",
    "file": "extract.csv",
    "entity_types": ["person", "incident"],
    "fields": {
        "Nominal": "person_id", "Family name": "surname", "Given names": "forename",
        "Born": "date_of_birth", "Gender": "sex", "Home": "address", "Post code": "postcode",
        "Case": "incident_id", "Type": "crime_type", "When": "incident_date", "Part": "role",
    },
    "date_formats": {"incident_date": ["%d/%m/%Y"]},
    "codes": {"role": {"P": "suspect", "C": "reporter", "V": "victim", "W": "witness"}},
}  # fmt: skip


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    lines = [HEADER, *GOOD, "\n", *BROKEN.values(), SOFT]
    (tmp_path / "extract.csv").write_text("".join(lines), encoding="utf-8")
    spec_path = tmp_path / "test_council.yaml"
    spec_path.write_text(yaml.safe_dump(SPEC))
    return spec_path


def test_rows_are_mapped_and_standardised(source: Path) -> None:
    outcome = ingest_file(load_spec(source), source.parent / "extract.csv")
    people = outcome.people
    assert people["person_record_id"] == ["N1", "N2", "N8"]  # N1 once, though on two rows
    assert people["forename"][:2] == ["JOHN", "SIAN"]
    assert people["middle_names"][0] == "PAUL"
    assert people["postcode"][:2] == ["CF62 7AB", "CF10 1AA"]
    assert str(people["date_of_birth"][1]) == "1985-11-30"
    assert outcome.incidents["crime_type"][:2] == [
        "Anti-social behaviour",
        "Violence and sexual offences",
    ]
    assert outcome.links["role"][:3] == ["suspect", "reporter", "suspect"]


def test_broken_rows_quarantined_with_line_field_reason(source: Path) -> None:
    outcome = ingest_file(load_spec(source), source.parent / "extract.csv")
    rejected = {q.row: (q.field, q.reason) for q in outcome.quarantine if q.severity == "row"}
    assert set(rejected) == set(BROKEN)
    assert rejected[6][0] == "date_of_birth" and "no such date" in rejected[6][1]
    assert rejected[7] == ("person_id", "empty id")
    assert rejected[8][0] == "crime_type" and "unknown crime type" in rejected[8][1]
    assert rejected[9][0] == "date_of_birth" and "impossible date of birth" in rejected[9][1]
    assert rejected[10][0] is None and "expected 11 fields, found 4" in rejected[10][1]
    assert rejected[11][0] == "incident_date"
    assert outcome.rows_in == outcome.rows_loaded + outcome.rows_quarantined == 10


def test_bad_secondary_values_drop_the_value_not_the_row(source: Path) -> None:
    outcome = ingest_file(load_spec(source), source.parent / "extract.csv")
    dropped = {(q.row, q.field) for q in outcome.quarantine if q.severity == "field"}
    assert dropped == {(12, "sex"), (12, "postcode")}
    assert "N8" in outcome.people["person_record_id"]


def test_reingest_is_idempotent(source: Path, tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        ingest_source(con, load_spec(source))
        snapshot = con.execute("SELECT * FROM person_records ORDER BY ALL").fetchall()
        again = ingest_source(con, load_spec(source))
        assert again[0].skipped_unchanged
        ingest_source(con, load_spec(source), force=True)
        assert con.execute("SELECT * FROM person_records ORDER BY ALL").fetchall() == snapshot
        assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(8,)]


def test_jsonl_and_parquet_read_the_same(tmp_path: Path) -> None:
    rows = [
        {"id": "A1", "last_name": "Morgan", "first_name": "Cerys", "dob": "1999-01-02"},
        {"id": "A2", "last_name": "Owen", "first_name": "Iwan", "dob": None},
    ]
    (tmp_path / "x.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows) + "\n{not json\n", encoding="utf-8"
    )
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "x.parquet")
    fields = {
        "id": "person_id",
        "last_name": "surname",
        "first_name": "forename",
        "dob": "date_of_birth",
    }
    results = {}
    for fmt in ("jsonl", "parquet"):
        spec_path = tmp_path / f"{fmt}.yaml"
        spec_path.write_text(yaml.safe_dump(
            {"system": fmt, "format": fmt, "file": f"x.{fmt}", "entity_types": ["person"],
             "fields": fields}
        ))  # fmt: skip
        outcome = ingest_file(load_spec(spec_path), tmp_path / f"x.{fmt}")
        results[fmt] = (outcome.people["surname"], outcome.people["date_of_birth"])
        if fmt == "jsonl":
            assert [(q.row, q.reason[:14]) for q in outcome.quarantine] == [(3, "not valid JSON")]
    assert results["jsonl"] == results["parquet"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "xlsx"}, "format must be one of"),
        (
            {"fields": {"Surname": "last_name"}},
            "fields.Surname: unknown canonical field 'last_name'",
        ),
        ({"file": "missing.csv"}, "nothing matches"),
        ({"system": None}, "missing 'system'"),
    ],
)
def test_bad_registry_files_name_the_file_and_key(source: Path, change, message) -> None:
    spec = {**SPEC, **change}
    source.write_text(yaml.safe_dump(spec))
    with pytest.raises(SourceSpecError, match=message) as info:
        load_spec(source)
    assert str(source) in str(info.value)


def test_a_mapped_column_missing_from_the_file_is_named_and_other_files_load(
    source: Path, tmp_path: Path
) -> None:
    spec = {**SPEC, "file": "*.csv"}
    source.write_text(yaml.safe_dump(spec))
    renamed = HEADER.replace("Family name", "Last name")
    (tmp_path / "renamed.csv").write_text(renamed + GOOD[1], encoding="utf-8")
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        outcomes = {o.source_file: o for o in ingest_source(con, load_spec(source))}
    assert outcomes["extract.csv"].rows_loaded == 4 and outcomes["extract.csv"].error is None
    error = outcomes["renamed.csv"].error
    assert "renamed.csv: line 1: column(s) Family name" in error and str(source) in error


def test_an_unreadable_parquet_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.parquet").write_bytes(b"not parquet at all")
    spec_path = tmp_path / "p.yaml"
    spec_path.write_text(yaml.safe_dump(
        {"system": "p", "format": "parquet", "file": "x.parquet", "fields": {"id": "person_id"}}
    ))  # fmt: skip
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        (outcome,) = ingest_source(con, load_spec(spec_path))
    assert outcome.error.startswith(f"{tmp_path / 'x.parquet'}: cannot be read as parquet")
    assert outcome.rows_in == 0
