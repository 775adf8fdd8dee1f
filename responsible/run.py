"""The responsible-use stages against the warehouse, for the CLI, the API and the
benchmarks: estimate a registered intervention (``estimate_intervention``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from responsible import impact, impact_report, interventions
from responsible.counts import group_counts
from risk import events


def estimate_intervention(
    con: duckdb.DuckDBPyConnection, intervention_id: str, out: Path, seed: int = 0
) -> tuple[interventions.Intervention, impact.ImpactResult, dict[str, Path]]:
    """Estimate, write the report into ``out/<id>/`` and store the result in the warehouse."""
    item = interventions.get(con, intervention_id)
    counts = group_counts(events.from_warehouse(con), item.crime_groups)
    result = impact.estimate(counts, item.cells, item.start_month, item.end_month, seed)
    paths = impact_report.write(item, result, out / item.intervention_id)
    interventions.save_result(con, item.intervention_id, result.to_dict(), paths["markdown"])
    return item, result, paths
