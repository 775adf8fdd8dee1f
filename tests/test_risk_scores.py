"""`compute_risk` on a real DuckDB warehouse ingested from street files: every table and
component is written, the forecast month is scored, and network exposure is used when
the analyse step's table exists (and flagged absent when it does not)."""

from pathlib import Path

import duckdb
import h3
import pytest

from core import warehouse
from core.settings import Settings
from crimegraph import pipeline
from risk.areas import Level
from risk.run import compute_risk, default_months
from tests.risk_fixtures import HOTSPOT, write_street_files

LEVELS = (Level("h3", 9), Level("h3", 7), Level("lsoa", None))


@pytest.fixture()
def risk_warehouse(warehouse_settings: Settings, tmp_path: Path) -> Path:
    files = write_street_files(tmp_path)
    pipeline.ingest_police_uk(warehouse_settings, [str(f) for f in files])
    return warehouse_settings.warehouse_path


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_scores_cover_recent_months_and_the_forecast_month(risk_warehouse: Path) -> None:
    with warehouse.connect(risk_warehouse) as con:
        assert default_months(con) == ["2025-04", "2025-05", "2025-06", "2025-07"]
        counts, network_available = compute_risk(con, levels=LEVELS)
        assert not network_available
        assert all(counts[t] > 0 for t in ("risk_scores", "hotspots", "forecasts"))
        hot9 = h3.latlng_to_cell(*HOTSPOT, 9)
        top = _rows(
            con,
            "SELECT area_id, harm, near_repeat, forecast, incidents, network_available "
            "FROM risk_scores WHERE month = '2025-07' AND area_level = 'h3' AND resolution = 9 "
            "AND crime_group = 'burglary' ORDER BY score DESC LIMIT 1",
        )[0]
        assert top[0] == hot9
        assert top[1] == 30 * 300.0  # 10 burglaries a month at the hotspot, 3 months, weight 300
        assert top[2] > 0 and top[3] > 0 and top[4] == 30 and top[5] is False
        levels = _rows(con, "SELECT DISTINCT area_level, resolution FROM risk_scores ORDER BY ALL")
        assert levels == [("h3", 7), ("h3", 9), ("lsoa", None)]
        gi = _rows(
            con,
            "SELECT area_id, basis FROM hotspots WHERE month = '2025-06' AND resolution = 9 "
            "AND crime_group = 'All crime' ORDER BY gi_z DESC LIMIT 1",
        )[0]
        assert gi == (hot9, "observed")
        forecast_basis = _rows(con, "SELECT DISTINCT basis FROM hotspots WHERE month = '2025-07'")
        assert forecast_basis == [("forecast",)]
        expected = _rows(
            con,
            "SELECT cell FROM forecasts WHERE month = '2025-07' AND resolution = 9 "
            "AND crime_group = 'All crime' ORDER BY expected DESC LIMIT 1",
        )
        assert expected == [(hot9,)]


def test_network_exposure_is_used_when_the_table_exists(risk_warehouse: Path) -> None:
    with warehouse.connect(risk_warehouse) as con:
        location = _rows(
            con,
            "SELECT location_id FROM locations ORDER BY abs(latitude - ?) + abs(longitude - ?) "
            "LIMIT 1",
            *HOTSPOT,
        )[0][0]
        con.execute(
            "CREATE TABLE location_network_exposure "
            "(location_id VARCHAR, networks INTEGER, exposure DOUBLE)"
        )
        con.execute("INSERT INTO location_network_exposure VALUES (?, 2, 0.8)", [location])
        _counts, network_available = compute_risk(con, months=["2025-07"], levels=LEVELS)
        assert network_available
        rows = _rows(
            con,
            "SELECT area_level, network, networks FROM risk_scores WHERE network > 0 "
            "AND crime_group = 'All crime' ORDER BY area_level, resolution",
        )
        assert rows == [("h3", 0.8, 2), ("h3", 0.8, 2), ("lsoa", 0.8, 2)]
        assert _rows(con, "SELECT bool_and(network_available) FROM risk_scores") == [(True,)]


def test_backtest_writes_its_report_and_stores_the_choice(
    risk_warehouse: Path, tmp_path: Path
) -> None:
    from risk import choices
    from risk.run import run_backtest

    out = tmp_path / "reports"
    with warehouse.connect(risk_warehouse) as con:
        run = run_backtest(
            con, out, months=["2025-05", "2025-06"], tuning_forces=["south-wales"],
            groups=["All crime", "burglary"],
        )  # fmt: skip
        stored = choices.load(con)
    assert {p.name for p in out.iterdir()} == {
        "backtest_results.csv", "backtest_summary.csv", "backtest_summary.md",
        "backtest_pai.png",
    }  # fmt: skip
    assert (out / "backtest_pai.png").read_bytes().startswith(b"\x89PNG")
    assert set(stored) == {"All crime", "burglary"}
    shares = set(run.summary["share"])
    assert shares == {0.01, 0.05, 0.10}
    hotspot_month = run.summary[(run.summary["crime_group"] == "burglary")]
    assert (hotspot_month["pai"] > 1).all()  # the hotspot is found every month
