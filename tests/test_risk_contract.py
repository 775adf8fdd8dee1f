"""`crimegraph forecast`: street files in, cell,score out; bad input gets a clear error."""

import csv
import gzip
import shutil
from pathlib import Path

import h3
from typer.testing import CliRunner

from crimegraph.cli import app
from tests.risk_fixtures import HOTSPOT, write_street_files

runner = CliRunner()


def _forecast(*args: str):
    return runner.invoke(app, ["forecast", *args])


def test_forecast_ranks_the_persistent_hotspot_first(tmp_path: Path) -> None:
    paths = write_street_files(tmp_path)
    gz = paths[0].with_suffix(".csv.gz")  # .csv and .csv.gz side by side
    with paths[0].open("rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    paths[0].unlink()
    out = tmp_path / "out" / "forecast.csv"
    result = _forecast("--history", str(tmp_path / "*-street.csv*"), "--month", "2025-07",
                       "--res", "8", "--crime-types", "Burglary", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["cell", "score"]
    assert rows[0]["cell"] == h3.latlng_to_cell(*HOTSPOT, 8)
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(h3.get_resolution(r["cell"]) == 8 for r in rows)


def test_only_months_before_the_forecast_month_are_used(tmp_path: Path) -> None:
    write_street_files(tmp_path)
    out = tmp_path / "f.csv"
    result = _forecast("--history", str(tmp_path / "*.csv"), "--month", "2025-01",
                       "--out", str(out))  # fmt: skip
    assert result.exit_code == 1
    assert "no crimes before 2025-01" in result.output


def test_missing_input_is_named(tmp_path: Path) -> None:
    result = _forecast("--history", str(tmp_path / "nothing-*.csv"), "--month", "2025-07",
                       "--out", str(tmp_path / "f.csv"))  # fmt: skip
    assert result.exit_code == 1
    assert "nothing-*.csv: no such file" in result.output


def test_a_file_without_the_police_uk_header_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "2025-01-x-street.csv"
    bad.write_text("a,b\n1,2\n")
    result = _forecast("--history", str(bad), "--month", "2025-07", "--out", str(tmp_path / "f"))
    assert result.exit_code == 1
    assert "2025-01-x-street.csv: line 1: header lacks required column(s)" in result.output


def test_broken_rows_are_reported_and_the_good_ones_kept(tmp_path: Path) -> None:
    paths = write_street_files(tmp_path)
    with paths[1].open("a") as handle:
        handle.write("x1,2025-02,South Wales Police,,abc,51.5,,,,Burglary,,\n")
    out = tmp_path / "f.csv"
    result = _forecast("--history", str(tmp_path / "*.csv"), "--month", "2025-07",
                       "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2025-02-south-wales-street.csv: line 72, field Longitude: not a number" in (
        result.output.replace("\n", " ")
    )
    assert out.read_text().startswith("cell,score\n")


def test_unknown_crime_type_and_bad_month_are_refused(tmp_path: Path) -> None:
    write_street_files(tmp_path)
    glob = str(tmp_path / "*.csv")
    result = _forecast("--history", glob, "--month", "2025-07", "--crime-types", "Knives",
                       "--out", str(tmp_path / "f"))  # fmt: skip
    assert result.exit_code == 1 and "unknown crime type(s) 'Knives'" in result.output
    result = _forecast("--history", glob, "--month", "July", "--out", str(tmp_path / "f"))
    assert result.exit_code == 1 and "not a YYYY-MM month" in result.output
