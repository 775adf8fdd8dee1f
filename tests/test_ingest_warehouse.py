"""Ingest into a real DuckDB warehouse: quarantine table, run report, idempotency."""

import shutil
from pathlib import Path

from core import warehouse
from crimegraph import pipeline
from tests.conftest import BROKEN_POLICE_UK


def _table_snapshot(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_ingest_reports_counts_and_fills_quarantine(warehouse_settings) -> None:
    report, counts = pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (19, 10, 9)
    # line 17 repeats line 2's Crime ID: two source records of one incident
    assert counts["incidents"] == 9
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        quarantined = con.execute(
            "SELECT source_file, row_number, field, reason FROM quarantine ORDER BY row_number"
        ).fetchall()
        assert len(quarantined) == 9
        assert all(row[0] == BROKEN_POLICE_UK.name for row in quarantined)
        run = con.execute(
            "SELECT rows_in, rows_loaded, rows_quarantined FROM ingest_runs"
        ).fetchall()
        assert run == [(19, 10, 9)]
        # the crime reported by South Wales but located in Bournemouth sits in Dorset's area
        area_force = con.execute(
            "SELECT force_code FROM areas WHERE lsoa_code = 'E01034275'"
        ).fetchall()
        assert area_force == [("dorset",)]
        assert con.execute(
            "SELECT force_code FROM incidents WHERE location_id LIKE 'pu:50.72%'"
        ).fetchall() == [("south-wales",)]


def test_reingesting_the_same_file_changes_nothing(warehouse_settings, tmp_path: Path) -> None:
    pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        before = {
            t: _table_snapshot(con, t) for t in ("police_uk_records", "quarantine", "incidents")
        }
    report, _ = pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    assert report.files[0].skipped_unchanged
    forced, _ = pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)], force=True)
    assert not forced.files[0].skipped_unchanged
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        after = {
            t: _table_snapshot(con, t) for t in ("police_uk_records", "quarantine", "incidents")
        }
    assert after == before


def test_an_unreadable_file_is_reported_and_the_others_still_load(
    warehouse_settings, tmp_path: Path
) -> None:
    headerless = tmp_path / "2025-02-headerless-street.csv"
    headerless.write_text("just,some,text\n")
    good = tmp_path / BROKEN_POLICE_UK.name
    shutil.copy(BROKEN_POLICE_UK, good)
    report, _ = pipeline.ingest_police_uk(
        warehouse_settings, [str(headerless), str(good), str(tmp_path / "missing.csv")]
    )
    errors = {f.source_file: f.error for f in report.files if f.error}
    assert set(errors) == {headerless.name, "missing.csv"}
    assert "line 1" in errors[headerless.name]
    assert report.rows_loaded == 10
