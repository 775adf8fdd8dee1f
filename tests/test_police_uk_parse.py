"""Parsing and validation of street-level files: every broken row quarantined with its
line, field and reason; every good row kept; counts add up."""

import gzip
import shutil
from pathlib import Path

import pytest

from resolver.police_uk import SourceFileError, parse_street_file
from tests.conftest import BROKEN_POLICE_UK

EXPECTED_REJECTIONS = {
    9: (None, "expected 12 fields, found 13"),
    10: (None, "expected 12 fields, found 8"),
    11: ("Month", "not a YYYY-MM month"),
    12: ("Crime type", "unknown crime type"),
    13: ("Crime ID", "empty for a crime"),
    14: ("Longitude", "not a number"),
    15: ("Latitude", "outside Great Britain"),
    16: ("Location", "invalid UTF-8"),
    17: ("Crime ID", "duplicate Crime ID in this file, first at line 2"),
    18: ("LSOA code", "not an England or Wales LSOA code"),
    19: (None, "expected 12 fields"),
}
EXPECTED_GOOD_LINES = [2, 3, 4, 5, 6, 7, 20, 21]


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
    assert parsed.records["row_number"] == EXPECTED_GOOD_LINES
    assert parsed.rows_in == parsed.rows_loaded + parsed.rows_quarantined == 19


def test_quoted_comma_newline_and_missing_location_are_parsed_not_rejected() -> None:
    parsed = parse_street_file(BROKEN_POLICE_UK)
    by_line = {line: i for i, line in enumerate(parsed.records["row_number"])}
    rec = parsed.records
    assert rec["lsoa_name"][by_line[5]] == "Bournemouth, Christchurch and Poole 037F"
    assert rec["context"][by_line[7]] == "first line\nsecond line"
    assert rec["location_id"][by_line[6]] is None and rec["longitude"][by_line[6]] is None
    assert rec["h3_cell"][by_line[2]] is not None


def test_identical_asb_rows_get_distinct_ids_stable_across_reads() -> None:
    first = parse_street_file(BROKEN_POLICE_UK).records["incident_id"]
    second = parse_street_file(BROKEN_POLICE_UK).records["incident_id"]
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
