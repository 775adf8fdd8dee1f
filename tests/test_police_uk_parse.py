"""Parsing and validation of street-level files: every broken row quarantined with its
line, field and reason; every good row kept; counts add up."""

import gzip
import shutil
from pathlib import Path

import pytest

from resolver.police_uk import SourceFileError
from resolver.police_uk_columnar import parse_street_file
from tests.conftest import BROKEN_POLICE_UK

FIXTURES = BROKEN_POLICE_UK.parent

EXPECTED_REJECTIONS = {
    9: (None, "expected 12 fields, found 13"),
    10: (None, "expected 12 fields, found 8"),
    11: ("Month", "not a YYYY-MM month"),
    12: ("Crime type", "unknown crime type"),
    14: ("Longitude", "not a number"),
    15: ("Latitude", "outside Great Britain"),
    16: ("Location", "invalid UTF-8"),
    18: ("LSOA code", "not an England or Wales LSOA code"),
    19: (None, "expected 12 fields"),
}
EXPECTED_GOOD_LINES = [2, 3, 4, 5, 6, 7, 13, 17, 20, 21]


@pytest.fixture(params=["csv", "csv.gz"])
def broken_file(request, tmp_path: Path) -> Path:
    if request.param == "csv":
        return BROKEN_POLICE_UK
    target = tmp_path / (BROKEN_POLICE_UK.name + ".gz")
    with BROKEN_POLICE_UK.open("rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def test_every_broken_row_is_quarantined_with_line_field_and_reason(broken_file: Path) -> None:
    parsed = parse_street_file(broken_file)
    got = {r.row: r for r in parsed.rejections}
    assert set(got) == set(EXPECTED_REJECTIONS)
    for line, (field, reason) in EXPECTED_REJECTIONS.items():
        assert got[line].field == field, line
        assert reason in got[line].reason, (line, got[line].reason)
        assert got[line].raw, line


def test_good_rows_all_kept_and_counts_add_up(broken_file: Path) -> None:
    parsed = parse_street_file(broken_file)
    assert parsed.records["row_number"].to_pylist() == EXPECTED_GOOD_LINES
    assert parsed.rows_in == parsed.rows_loaded + parsed.rows_quarantined == 19


def test_quoted_comma_newline_and_missing_location_are_parsed_not_rejected() -> None:
    parsed = parse_street_file(BROKEN_POLICE_UK)
    rec = parsed.records.to_pydict()
    by_line = {line: i for i, line in enumerate(rec["row_number"])}
    assert rec["lsoa_name"][by_line[5]] == "Bournemouth, Christchurch and Poole 037F"
    assert rec["context"][by_line[7]] == "first line\nsecond line"
    assert rec["location_id"][by_line[6]] is None and rec["longitude"][by_line[6]] is None
    assert rec["h3_cell"][by_line[2]] is not None


def test_identical_asb_rows_get_distinct_ids_stable_across_reads() -> None:
    first = parse_street_file(BROKEN_POLICE_UK).records["incident_id"].to_pylist()
    second = parse_street_file(BROKEN_POLICE_UK).records["incident_id"].to_pylist()
    assert first == second
    asb = [i for i in first if i.startswith("asb:")]
    assert len(asb) == len(set(asb)) == 2


def test_missing_required_column_names_the_file_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "no-month.csv"
    bad.write_text("Crime ID,Reported by,Longitude,Latitude,Crime type\nx,A Police,1,51,Drugs\n")
    with pytest.raises(SourceFileError, match=r"no-month\.csv: line 1: .*Month"):
        parse_street_file(bad)


def test_empty_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceFileError, match="empty file"):
        parse_street_file(empty)
    with pytest.raises(SourceFileError, match="no such file"):
        parse_street_file(tmp_path / "absent.csv")


def test_a_crime_without_a_crime_id_loads_with_a_stable_derived_id() -> None:
    """British Transport Police publishes every crime without a Crime ID; such a row is
    kept with an id derived from its fields, as anti-social behaviour is."""
    parsed = parse_street_file(FIXTURES / "2025-01-btp-cut-street.csv")
    assert parsed.rows_quarantined == 0 and parsed.rows_loaded == parsed.rows_in == 40
    ids = parsed.records["incident_id"].to_pylist()
    assert all(i.startswith("crime:") for i in ids) and len(set(ids)) == len(ids)
    assert parsed.records["force_code"].unique().to_pylist() == ["btp"]
    assert (
        ids
        == parse_street_file(FIXTURES / "2025-01-btp-cut-street.csv")
        .records["incident_id"]
        .to_pylist()
    )


def test_rows_repeating_a_crime_id_are_all_kept_as_one_incident() -> None:
    """A Crime ID on several rows of a file is one crime published as several offences,
    each with its own place and outcome: every row is a record of the one incident."""
    parsed = parse_street_file(FIXTURES / "2025-03-derbyshire-cut-street.csv")
    assert parsed.rows_quarantined == 0 and parsed.rows_loaded == 85
    records = parsed.records.to_pandas()
    repeated = records[records["crime_id"].duplicated(keep=False) & records["crime_id"].notna()]
    assert repeated["crime_id"].nunique() == 12
    assert (repeated["incident_id"] == repeated["crime_id"]).all()
    places = repeated.groupby("crime_id")["location_id"].nunique()
    assert (places > 1).any()  # not the same row twice: the offences sit apart
