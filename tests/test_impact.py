"""Intervention impact on simulated interventions injected into real Gwent 2025 crimes:
the interval covers the injected effect, covers 0 when nothing was injected, and the ring
finds displaced crime; the registry and `crimegraph impact` end to end."""

from __future__ import annotations

import json

import h3
import numpy as np
import pytest
from typer.testing import CliRunner

from crimegraph.cli import app
from responsible import impact, interventions
from responsible.counts import group_counts
from responsible.inject import busy_centres, inject, patch
from tests.responsible_world import crimes, gwent_warehouse

START, END = "2025-07", "2025-12"
AREA_CELLS = 19  # a cell and its two rings' worth of cells with crime
runner = CliRunner()


@pytest.fixture(scope="module")
def gwent(tmp_path_factory):
    return gwent_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def counts(gwent):
    return group_counts(crimes(gwent))


def _areas(counts, n: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    centres = busy_centres(counts, counts.months[:6], 5.0, rng)
    assert len(centres) >= n, "Gwent has enough busy cells for the test areas"
    return [patch(counts, c, AREA_CELLS) for c in centres[:n]]


def test_injected_reduction_is_covered(counts):
    fell = 0
    for i, cells in enumerate(_areas(counts, 3, seed=11)):
        injected = inject(counts, cells, START, END, reduction=0.3, seed=i)
        assert -0.36 < injected.true_effect < -0.24
        result = impact.estimate(injected.counts, cells, START, END, seed=i)
        assert result.placebos >= impact.MIN_PLACEBO
        assert result.did.covers(injected.true_effect), (result.did, injected.true_effect)
        assert result.synthetic.covers(injected.true_effect), result.synthetic
        assert result.did.estimate < 0
        fell += result.verdict == "crime fell"
    assert fell >= 2  # a 30% cut in a busy area is usually detected


def test_no_effect_interval_covers_zero(counts):
    for i, cells in enumerate(_areas(counts, 3, seed=12)):
        result = impact.estimate(counts, cells, START, END, seed=i)
        assert result.did.covers(0.0), result.did
        assert result.synthetic.covers(0.0), result.synthetic
        assert result.ring.covers(0.0), result.ring


def test_displacement_to_the_ring_is_found(counts):
    (cells,) = _areas(counts, 1, seed=13)
    injected = inject(counts, cells, START, END, reduction=0.4, displaced=1.0, seed=3)
    assert injected.true_ring_effect > 0.1
    result = impact.estimate(injected.counts, cells, START, END, seed=3)
    assert result.ring.covers(injected.true_ring_effect), (result.ring, injected)
    assert result.ring.estimate > 0
    assert result.wdq is not None and result.wdq < 0  # displacement, in WDQ's sign
    assert result.did.covers(injected.true_effect)


def test_estimate_rejects_what_it_cannot_estimate(counts):
    cells = _areas(counts, 1, seed=14)[0]
    with pytest.raises(impact.ImpactError, match="at least 3 months"):
        impact.estimate(counts, cells, "2025-02", "2025-04")
    with pytest.raises(impact.ImpactError, match="no data in the intervention's period"):
        impact.estimate(counts, cells, "2026-03", "2026-04")
    sea = h3.latlng_to_cell(51.0, -5.5, 9)  # the Celtic Sea
    with pytest.raises(impact.ImpactError, match="no crime was ever recorded"):
        impact.estimate(counts, [sea], START, END)


def test_registry_checks_input(tmp_path):
    import duckdb

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    cell = h3.latlng_to_cell(51.59, -2.99, 9)
    with pytest.raises(interventions.InterventionError, match="start: month must be YYYY-MM"):
        interventions.register(con, "x", "cells", [cell], [cell], "2025-13", "2025-12", [])
    with pytest.raises(interventions.InterventionError, match="end: 2025-01 is before"):
        interventions.register(con, "x", "cells", [cell], [cell], "2025-06", "2025-01", [])
    with pytest.raises(interventions.InterventionError, match="unknown crime group 'burglarly'"):
        interventions.register(con, "x", "cells", [cell], [cell], "2025-06", "2025-07",
                               ["burglarly"])  # fmt: skip
    with pytest.raises(interventions.InterventionError, match="not an H3 cell id"):
        interventions.cells_from_h3(["nonsense"])
    with pytest.raises(interventions.InterventionError, match="resolution 10"):
        interventions.cells_from_h3([h3.latlng_to_cell(51.59, -2.99, 10)])
    assert len(interventions.cells_from_h3([h3.cell_to_parent(cell, 8)])) == 7
    item = interventions.register(con, "x", "cells", [cell], [cell], "2025-06", "2025-07", [])
    assert interventions.get(con, item.intervention_id).crime_groups == ["All crime"]
    with pytest.raises(interventions.InterventionError, match="no intervention iv-00000000"):
        interventions.get(con, "iv-00000000")


def test_geojson_and_lsoa_areas(tmp_path):
    from core.settings import load_settings

    square = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-3.0, 51.58], [-2.98, 51.58], [-2.98, 51.60], [-3.0, 51.60],
                             [-3.0, 51.58]]],
        },
    }  # fmt: skip
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps(square))
    cells = interventions.cells_from_geojson(path)
    assert cells and all(h3.get_resolution(c) == 9 for c in cells)
    lat, lon = h3.cell_to_latlng(cells[0])
    assert 51.58 <= lat <= 51.60 and -3.0 <= lon <= -2.98
    (tmp_path / "bad.geojson").write_text("{not json")
    with pytest.raises(interventions.InterventionError, match=r"bad\.geojson: not valid JSON"):
        interventions.cells_from_geojson(tmp_path / "bad.geojson")
    boundaries = load_settings().source_data_dir / "geo" / "lsoa21-wales.geojson.gz"
    assert interventions.cells_from_lsoas(["W01001958"], boundaries)
    with pytest.raises(interventions.InterventionError, match="W01999999 is not an LSOA"):
        interventions.cells_from_lsoas(["W01999999"], boundaries)


def test_impact_commands_end_to_end(gwent, counts, tmp_path, monkeypatch):
    monkeypatch.setenv("CRIMEGRAPH_DATA_DIR", str(gwent.parent))
    cells = _areas(counts, 1, seed=15)[0]
    registered = runner.invoke(
        app,
        ["impact", "register", "--cells", ",".join(cells), "--start", START, "--end", END,
         "--name", "test patrols", "--groups", "violence,public order"],
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    intervention_id = registered.stdout.strip().splitlines()[-1]
    listed = runner.invoke(app, ["impact", "list"])
    assert intervention_id in listed.stdout and "not estimated" in listed.stdout
    out = tmp_path / "reports"
    estimated = runner.invoke(app, ["impact", intervention_id, "--out", str(out)])
    assert estimated.exit_code == 0, estimated.output
    report = (out / intervention_id / "impact.md").read_text()
    assert "Difference-in-differences" in report and "Synthetic control" in report
    assert (out / intervention_id / "impact.png").stat().st_size > 10_000
    figures = json.loads((out / intervention_id / "impact.json").read_text())
    assert figures["treated_cells"] == len(cells)
    assert "DiD" in runner.invoke(app, ["impact", "list"]).stdout
    missing = runner.invoke(app, ["impact", "iv-00000000"])
    assert missing.exit_code == 1 and "no intervention iv-00000000" in missing.output
    both = runner.invoke(app, ["impact", "register", "--cells", cells[0], "--lsoas", "W01001958",
                               "--start", START, "--end", END, "--name", "x"])  # fmt: skip
    assert both.exit_code == 1 and "exactly one of" in both.output
