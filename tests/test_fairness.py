"""The fairness audit: deprivation carried to LSOA 2021 in each nation, the per-decile
figures on a small known frame, and `crimegraph audit fairness` end to end on real
crimes of a Welsh and an English force, each nation on its own index."""

from __future__ import annotations

import csv
import gzip
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
from tests.responsible_world import gwent_glob

GEO = load_settings().source_data_dir / "geo"
CUMBRIA = str(
    load_settings().source_data_dir / "police-uk" / "england" / "street" / "*"
    / "*-cumbria-street.csv.gz"
)  # fmt: skip


@pytest.fixture(scope="module")
def two_nations(tmp_path_factory):
    """Gwent (Wales) and Cumbria (England), 2025, ingested through the CLI."""
    data_dir = tmp_path_factory.mktemp("two-nations")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CRIMEGRAPH_DATA_DIR", str(data_dir))
        result = CliRunner().invoke(app, ["ingest", "police-uk", gwent_glob(), CUMBRIA])
    assert result.exit_code == 0, result.output
    return data_dir / "warehouse.duckdb"


def test_england_keeps_every_person_and_ten_deciles():
    areas = deprivation.load_england(GEO)
    with gzip.open(GEO / deprivation.ENGLAND_POPULATION_FILE, "rt") as handle:
        total = sum(float(row["population"]) for row in csv.DictReader(handle))
    assert areas["population"].sum() == pytest.approx(total)
    assert areas["lsoa_code"].is_unique and areas["lsoa_code"].str.startswith("E01").all()
    sizes = areas["decile"].value_counts()
    assert sorted(sizes.index) == list(range(1, 11)) and sizes.max() - sizes.min() <= 1
    assert areas.groupby("decile")["imd_rank"].mean().is_monotonic_increasing
    # LSOAs new in 2021 (not in IMD 2019's 2011 list) are covered, by the nearest centre.
    imd = pd.read_csv(GEO / deprivation.IMD_FILE, usecols=["lsoa11cd"])
    assert (~areas["lsoa_code"].isin(imd["lsoa11cd"])).sum() > 1000


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


def test_audit_fairness_command(two_nations, tmp_path, monkeypatch):
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(two_nations.parent))
    out = tmp_path / "fairness"
    result = CliRunner().invoke(app, ["audit", "fairness", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lsoas = {"wales": 1917, "england": 34789}  # each nation's own LSOAs, all of them
    for nation, index in (("wales", "WIMD 2019"), ("england", "IMD 2019")):
        figures = json.loads((out / nation / "fairness.json").read_text())
        assert figures["nation"] == nation and figures["month"] == "2025-12"
        recorded = figures["recorded.discovered_share_of_forecast"]
        assert 0 < figures["corrected.discovered_share_of_forecast"] < recorded < 1
        assert sum(r["flagged"] for r in figures["per_decile"]) > 0
        assert sum(r["population_share"] for r in figures["per_decile"]) == pytest.approx(1.0)
        assert figures["lsoas"] == lsoas[nation] and figures["loop.cells"] > 100
        assert (
            figures["loop.discovered_only.uncorrected.inflation_final"]
            > figures["loop.discovered_only.corrected.inflation_final"]
        )
        report = (out / nation / "fairness.md").read_text()
        assert f"{index} deciles" in report and nation.title() in report
        for name in ("fairness.md", "fairness_flags.png", "fairness_calibration.png",
                     "fairness_discovered.png", "fairness_loop.png"):  # fmt: skip
            assert (out / nation / name).stat().st_size > 1000
    # The other nation's crimes are not in a nation's figures.
    wales = json.loads((out / "wales" / "fairness.json").read_text())
    england = json.loads((out / "england" / "fairness.json").read_text())
    assert wales["crimes_in_month_outside_the_nations_lsoas"] > 0
    assert wales["loop.cells"] + england["loop.cells"] <= 20_000
    bad = CliRunner().invoke(app, ["audit", "fairness", "--month", "2031-01", "--out", str(out)])
    assert bad.exit_code == 1 and "2031-01: no crimes recorded" in bad.output
    unknown = CliRunner().invoke(app, ["audit", "fairness", "--nation", "scotland"])
    assert unknown.exit_code == 1 and "unknown nation 'scotland'" in unknown.output
