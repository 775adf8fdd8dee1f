"""The field-mapping suggester: header names and values, alone and together, and the spec
it writes loading and ingesting."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from resolver.registered_ingest import ingest_file
from resolver.sources import load_spec
from resolver.suggest import (
    detect_format,
    header_tokens,
    infer_date_formats,
    standardise_role,
    suggest_mapping,
    suggestion_to_spec,
    write_spec,
)
from simulate.names import NamePool

TODAY = date(2026, 1, 15)
POSTCODES = ("CF10 1AA", "CF24 3DF", "SA1 5HF", "NP20 4AB", "LL57 2DG", "SY23 3BY",
             "CF83 1AB", "SA31 1AA", "LD1 5AB", "CH5 3ZL", "CF37 1DL", "NP7 5EW")  # fmt: skip
STREETS = ("Church", "High", "Station", "Park", "Heol Y Nant", "Victoria", "Mill")
STREET_TYPES = ("Road", "Street", "Close", "Avenue", "Lane", "Crescent")
CRIMES = ("Burglary", "Criminal damage", "Common assault", "Shoplifting", "Anti-social behaviour")


def world(incidents: int = 45, seed: int = 3) -> list[dict]:
    """Rows of one person's involvement in one incident: people recur across incidents."""
    rng = random.Random(seed)
    names = NamePool(rng)
    people = []
    for i in range(70):
        sex = rng.choice("MF")
        postcode = rng.choice(POSTCODES)
        people.append({
            "person_id": f"P{i + 1:05d}",
            "forename": names.forename(sex),
            "surname": names.surname(),
            "sex": sex,
            "dob": date(1948, 1, 1) + timedelta(days=rng.randint(0, 365 * 60)),
            "postcode": postcode,
            "address": f"{rng.randint(1, 200)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}",
        })  # fmt: skip
    rows = []
    for k in range(incidents):
        day = date(2025, 1, 1) + timedelta(days=rng.randint(0, 360))
        crime = rng.choice(CRIMES)
        where = f"On or near {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
        for role, person in zip(
            ("SUSPECT", "VICTIM", "WITNESS"), rng.sample(people, 3), strict=False
        ):
            if role == "WITNESS" and rng.random() < 0.5:
                continue
            rows.append({**person, "incident_id": f"INC/{day:%y}/{k + 1:05d}", "day": day,
                         "crime": crime, "where": where, "role": role})  # fmt: skip
    return rows


def write(path: Path, columns: list[str], rows: list[list]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
    elif path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(dict(zip(columns, row, strict=True))) + "\n")
    else:
        table = pa.table({c: [None if r[i] == "" else r[i] for r in rows]
                          for i, c in enumerate(columns)})  # fmt: skip
        pq.write_table(table, path)
    return path


def police_file(path: Path, headers: dict[str, str] | None = None) -> tuple[Path, dict]:
    """A police-style extract; ``headers`` renames its columns. Returns (path, truth)."""
    truth = {
        "Occurrence Ref": "incident_id", "Nominal Ref": "person_id", "Involvement": "role",
        "Surname": "surname", "Forename": "forename", "DOB": "date_of_birth", "Sex": "sex",
        "Home Address": "address", "Home Postcode": "postcode", "Offence": "crime_type",
        "Date Committed": "incident_date", "Location": "incident_address",
    }  # fmt: skip
    values = [
        [r["incident_id"], r["person_id"], r["role"], r["surname"].upper(), r["forename"],
         r["dob"].strftime("%d/%m/%Y"), r["sex"], r["address"], r["postcode"], r["crime"],
         r["day"].strftime("%d/%m/%Y"), r["where"]]
        for r in world()
    ]  # fmt: skip
    headers = headers or {}
    columns = [headers.get(c, c) for c in truth]
    write(path, columns, values)
    return path, {headers.get(c, c): f for c, f in truth.items()}


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("header", "tokens"),
    [
        ("DOB", ("date", "birth")),
        ("d.o.b", ("date", "birth")),
        ("Client_DOB", ("client", "date", "birth")),
        ("lastName", ("last", "name")),
        ("LASTNAME", ("last", "name")),
        ("Forename(s)", ("forename",)),
        ("CaseRef", ("case", "reference")),
        ("address_line_1", ("address", "line", "1")),
        ("pcode", ("postcode",)),
        ("Tel No", ("phone", "number")),
    ],
)
def test_header_normalisation(header, tokens):
    assert header_tokens(header) == tokens


def test_format_from_extension(tmp_path):
    assert detect_format(Path("a.csv")) == "csv"
    assert detect_format(Path("a.csv.gz")) == "csv"
    assert detect_format(Path("a.ndjson")) == "jsonl"
    assert detect_format(Path("a.jsonl")) == "jsonl"
    assert detect_format(Path("a.parquet")) == "parquet"
    with pytest.raises(ValueError, match="cannot tell the format"):
        detect_format(Path("a.xlsx"))


# --------------------------------------------------------------------------- headers vs values


def test_headers_decide_when_values_are_ambiguous(tmp_path):
    """Both id columns are unique per row, both postcode columns random per row and both
    forename columns full: the values cannot tell them apart, the headers can."""
    rng = random.Random(5)
    names = NamePool(rng)
    rows = [
        [f"X{rng.randint(10**6, 10**7):07d}", f"X{rng.randint(10**6, 10**7):07d}",
         names.forename("F"), names.forename("M"), names.surname(),
         rng.choice(POSTCODES), rng.choice(POSTCODES)]
        for _ in range(60)
    ]  # fmt: skip
    columns = ["Person Ref", "Case Ref", "Forename", "Middle name", "Surname",
               "Incident Postcode", "Home Postcode"]  # fmt: skip
    path = write(tmp_path / "ambiguous.csv", columns, rows)
    assert suggest_mapping(path, today=TODAY).mapping == {
        "Person Ref": "person_id",
        "Case Ref": "incident_id",
        "Forename": "forename",
        "Middle name": "middle_names",
        "Surname": "surname",
        "Incident Postcode": "incident_postcode",
        "Home Postcode": "postcode",
    }


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_values_decide_when_headers_are_meaningless(tmp_path, suffix):
    fields = ["incident_id", "person_id", "surname", "forename", "date_of_birth", "sex",
              "postcode", "incident_date", "crime_type", "role", "address"]  # fmt: skip
    rows = [
        [r["incident_id"], r["person_id"], r["surname"], r["forename"], r["dob"].isoformat(),
         r["sex"], r["postcode"], r["day"].isoformat(), r["crime"], r["role"][0], r["address"]]
        for r in world()
    ]  # fmt: skip
    order = list(range(len(fields)))
    random.Random(1).shuffle(order)
    columns = [f"col{i + 1}" for i in range(len(fields))]
    path = write(tmp_path / f"opaque{suffix}", columns, [[row[j] for j in order] for row in rows])
    suggestion = suggest_mapping(path, today=TODAY)
    assert suggestion.file_format == suffix.removeprefix(".")
    assert suggestion.mapping == {columns[i]: fields[j] for i, j in enumerate(order)}
    # values alone are never certain enough to skip the steward
    assert all(c.confidence < 0.9 for c in suggestion.columns)


def test_dates_of_birth_and_incident_dates_by_their_spread(tmp_path):
    rng = random.Random(2)
    births = [date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 70)) for _ in range(50)]
    events = [date(2025, 3, 1) + timedelta(days=rng.randint(0, 500)) for _ in range(50)]
    for order in ((0, 1), (1, 0)):
        cols = [births, events]
        rows = [[cols[order[0]][i].strftime("%d/%m/%Y"), cols[order[1]][i].strftime("%d/%m/%Y")]
                for i in range(50)]  # fmt: skip
        path = write(tmp_path / f"dates{order[0]}.csv", ["Date 1", "Date 2"], rows)
        mapping = suggest_mapping(path, today=TODAY).mapping
        expected = ["date_of_birth", "incident_date"]
        assert mapping == {"Date 1": expected[order[0]], "Date 2": expected[order[1]]}


def test_postcodes_in_any_layout_and_not_lookalikes(tmp_path):
    rng = random.Random(4)
    rows = []
    for _ in range(40):
        pc = rng.choice(POSTCODES)
        pc = rng.choice((pc, pc.replace(" ", ""), pc.lower()))
        rows.append([pc, rng.choice(("B12", "C07", "D3", "A11"))])
    suggestion = suggest_mapping(write(tmp_path / "pc.csv", ["Zone", "Beat"], rows), today=TODAY)
    assert suggestion.get("Zone").field == "postcode"
    assert "UK postcodes" in suggestion.get("Zone").evidence
    assert suggestion.get("Beat").field not in ("postcode", "incident_postcode")


def test_one_postcode_column_is_home_unless_the_header_says_otherwise(tmp_path):
    rows = [[pc] for pc in POSTCODES * 3]
    assert suggest_mapping(write(tmp_path / "a.csv", ["PC"], rows)).mapping == {"PC": "postcode"}
    path = write(tmp_path / "b.csv", ["Location postcode"], rows)
    assert suggest_mapping(path).mapping == {"Location postcode": "incident_postcode"}


@pytest.mark.parametrize(
    "codes", [("M", "F", "U"), ("Male", "Female", "Unknown"), ("1", "2", "9"), ("m", "f")]
)
def test_sex_codes(tmp_path, codes):
    rng = random.Random(6)
    rows = [[rng.choice(codes), rng.choice(("1", "2", "3", "4"))] for _ in range(40)]
    path = write(tmp_path / "sex.csv", ["Code A", "Code B"], rows)
    mapping = suggest_mapping(path, today=TODAY).mapping
    assert mapping["Code A"] == "sex"
    assert mapping["Code B"] != "sex"  # 1-4 is not a sex coding


def test_full_names_and_titles(tmp_path):
    rng = random.Random(8)
    names = NamePool(rng)
    rows = []
    for _ in range(50):
        forename, surname = names.forename("F"), names.surname()
        full = rng.choice((f"{forename} {surname}", f"{surname.upper()}, {forename}"))
        rows.append([rng.choice(("Mr", "Mrs", "Ms", "Miss")), full])
    suggestion = suggest_mapping(write(tmp_path / "n.csv", ["Col A", "Col B"], rows))
    assert suggestion.mapping == {"Col A": None, "Col B": "full_name"}
    assert "title" in suggestion.get("Col A").evidence


def test_reordered_and_recased_file_gives_the_same_mapping(tmp_path):
    path, truth = police_file(tmp_path / "police.csv")
    assert suggest_mapping(path, today=TODAY).mapping == truth
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header, body = rows[0], rows[1:]
    order = list(range(len(header)))
    random.Random(9).shuffle(order)
    for style in (str.upper, str.lower, lambda h: h.lower().replace(" ", "_"),
                  lambda h: "".join(w.title() for w in h.split())):  # fmt: skip
        new_header = [style(header[i]) for i in order]
        other = write(tmp_path / "other.jsonl", new_header, [[r[i] for i in order] for r in body])
        mapping = suggest_mapping(other, today=TODAY).mapping
        assert {header[i]: mapping[new_header[k]] for k, i in enumerate(order)} == truth


# --------------------------------------------------------------------------- the registry entry


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_spec_loads_and_the_file_ingests(tmp_path, suffix):
    path, truth = police_file(tmp_path / f"police{suffix}")
    suggestion = suggest_mapping(path, today=TODAY)
    assert suggestion.mapping == truth
    spec = suggestion_to_spec(suggestion, "police_x", path.name)
    assert spec["format"] == suffix.removeprefix(".")
    assert spec["entity_types"] == ["person", "incident"]
    assert spec["date_formats"] == {"date_of_birth": ["%d/%m/%Y"], "incident_date": ["%d/%m/%Y"]}
    assert spec["codes"]["role"] == {"SUSPECT": "suspect", "VICTIM": "victim",
                                     "WITNESS": "witness"}  # fmt: skip
    yaml_path = tmp_path / "police_x.yaml"
    write_spec(spec, yaml_path)
    text = yaml_path.read_text()
    assert text.startswith("# Suggested by `crimegraph sources suggest`")
    assert '"Nominal Ref" -> person_id' in text
    assert "_confidence" not in yaml.safe_load(text)
    loaded = load_spec(yaml_path)
    assert loaded.fields == truth
    outcome = ingest_file(loaded, loaded.files[0])
    assert outcome.rows_in == len(world())
    assert outcome.rows_loaded == outcome.rows_in
    assert outcome.rows_quarantined == 0
    assert set(outcome.links["role"]) == {"suspect", "victim", "witness"}


def test_low_confidence_columns_are_flagged_for_review(tmp_path):
    rows = [[r["surname"], r["dob"].isoformat(), "Mr"] for r in world()]
    path = write(tmp_path / "x.csv", ["c1", "c2", "c3"], rows)
    spec = suggestion_to_spec(suggest_mapping(path, today=TODAY), "x", path.name)
    write_spec(spec, tmp_path / "x.yaml")
    text = (tmp_path / "x.yaml").read_text()
    assert '# review: "c1" -> surname' in text
    assert '# unmapped: "c3"' in text
    assert load_spec(tmp_path / "x.yaml").fields == {"c1": "surname", "c2": "date_of_birth"}


def test_date_formats_from_the_sample():
    assert infer_date_formats(["03/04/1990", "25/12/2001", None, ""]) == ["%d/%m/%Y"]
    assert infer_date_formats(["1990-04-03", "2001-12-25"]) == ["%Y-%m-%d"]
    assert infer_date_formats(["04/23/1990", "12/25/2001"]) == ["%m/%d/%Y"]
    mixed = ["3 Apr 1990"] * 6 + ["03/04/1990"] * 4
    assert infer_date_formats(mixed) == ["%d %b %Y", "%d/%m/%Y"]
    partial = ["03/04/1990"] * 8 + ["04/1990", "1990"]
    assert infer_date_formats(partial) == ["%d/%m/%Y", "%m/%Y", "%Y"]
    assert infer_date_formats(["soon", "later"]) == []


def test_role_words():
    assert standardise_role("SUSPECT") == "suspect"
    assert standardise_role("Perpetrator") == "suspect"
    assert standardise_role("Complainant") == "reporter"
    assert standardise_role("V") == "victim"
    assert standardise_role("bystander") is None
