"""The fairness audit: deprivation carried to LSOA 2021, the per-decile figures on a
small known frame, and `crimegraph audit fairness` end to end on real Gwent crimes."""

from __future__ import annotations

import csv
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from core.settings import load_settings
from crimegraph.cli import app
from responsible import deprivation
from responsible.fairness import by_decile, summary
from risk.grid import ALL_CRIME
from tests.responsible_world import gwent_warehouse

GEO = load_settings().source_data_dir / "geo"


@pytest.fixture(scope="module")
def gwent(tmp_path_factory):
    return gwent_warehouse(tmp_path_factory)


def test_deprivation_keeps_every_person_and_ten_deciles():
    areas = deprivation.load(GEO)
    with (GEO / deprivation.POPULATION_FILE).open() as handle:
        total = sum(float(row["population"]) for row in csv.DictReader(handle))
    assert areas["population"].sum() == pytest.approx(total)
    assert areas["lsoa_code"].is_unique and areas["lsoa_code"].str.startswith("W01").all()
    sizes = areas["decile"].value_counts()
    assert sorted(sizes.index) == list(range(1, 11))
    assert sizes.max() - sizes.min() <= 1
    # Decile 1 is the most deprived: its mean WIMD rank (1 = most deprived) is the lowest.
    assert areas.groupby("decile")["wimd_rank"].mean().is_monotonic_increasing


def test_deprivation_names_a_bad_row(tmp_path):
    for name in (deprivation.WIMD_FILE, deprivation.LOOKUP_FILE, deprivation.POPULATION_FILE):
        shutil.copy(GEO / name, tmp_path / name)
    path = tmp_path / deprivation.POPULATION_FILE
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 2)[0] + ",many,2020"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(deprivation.DeprivationDataError, match="line 4, field population"):
        deprivation.load(tmp_path)
    (tmp_path / deprivation.WIMD_FILE).unlink()
    with pytest.raises(deprivation.DeprivationDataError, match="no such file"):
        deprivation.load(tmp_path)


def test_by_decile_on_a_known_frame():
    """Twenty LSOAs, two per decile; the most deprived are the riskiest."""
    areas = pd.DataFrame(
        {
            "lsoa_code": [f"W{i:02d}" for i in range(20)],
            "population": [1000.0] * 20,
            "wimd_rank": range(20),
            "decile": [i // 2 + 1 for i in range(20)],
        }
    )
    rows = []
    for i in range(20):
        score = 20.0 - i
        rows.append({"area_id": f"W{i:02d}", "crime_group": ALL_CRIME, "score": score,
                     "forecast": score})  # fmt: skip
        rows.append({"area_id": f"W{i:02d}", "crime_group": "drugs", "score": 1.0,
                     "forecast": 1.0})  # fmt: skip
        rows.append({"area_id": f"W{i:02d}", "crime_group": "burglary", "score": 1.0,
                     "forecast": 3.0})  # fmt: skip
    observed = pd.Series({f"W{i:02d}": 20.0 - i for i in range(20)})
    table = by_decile(pd.DataFrame(rows), observed, areas, flag_share=0.1)
    assert table["flagged"].tolist() == [2] + [0] * 9  # the top tenth: decile 1's two
    assert table.loc[0, "flag_rate_per_100k"] == pytest.approx(100.0)
    assert (table["discovered_share"] == 0.25).all()
    assert (table["calibration"] == 1.0).all()
    figures = summary(table, "x")
    assert figures["x.flagged_share_most_deprived_fifth"] == 1.0
    assert figures["x.population_share_most_deprived_fifth"] == pytest.approx(0.2)
    assert figures["x.flag_rate_ratio_decile1_vs_10"] is None  # nothing flagged in decile 10


def test_audit_fairness_command(gwent, tmp_path, monkeypatch):
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(gwent.parent))
    out = tmp_path / "fairness"
    result = CliRunner().invoke(app, ["audit", "fairness", "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "fairness.json").read_text())
    assert figures["month"] == "2025-12"
    recorded = figures["recorded.discovered_share_of_forecast"]
    assert 0 < figures["corrected.discovered_share_of_forecast"] < recorded < 1
    assert sum(r["flagged"] for r in figures["per_decile"]) > 0
    assert sum(r["population_share"] for r in figures["per_decile"]) == pytest.approx(1.0)
    assert (
        figures["loop.discovered_only.uncorrected.inflation_final"]
        > figures["loop.discovered_only.corrected.inflation_final"]
    )
    for name in ("fairness.md", "fairness_flags.png", "fairness_calibration.png",
                 "fairness_discovered.png", "fairness_loop.png"):  # fmt: skip
        assert (out / name).stat().st_size > 1000
    bad = CliRunner().invoke(app, ["audit", "fairness", "--month", "2031-01", "--out", str(out)])
    assert bad.exit_code == 1 and "2031-01: no crimes recorded" in bad.output
