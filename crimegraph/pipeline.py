"""The stages in order: ingest → canonical tables → Neo4j load. Each can run alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from crimegraph.settings import Settings
from graph import connection
from graph.load import LoadReport, graph_counts, load_graph
from resolver import canonical, ingest, warehouse

POLICE_UK_DEFAULT_GLOB = "police-uk/street/*/*-street.csv*"


def ingest_police_uk(
    settings: Settings,
    patterns: list[str],
    *,
    force: bool = False,
    on_file: Callable[[ingest.FileReport], None] | None = None,
    hold_back: str | None = None,
) -> tuple[ingest.IngestReport, dict[str, int]]:
    """Read street-level files into the warehouse and rebuild the canonical tables.

    ``hold_back`` (YYYY-MM): that month's files are left out, and removed if an earlier
    run ingested them, so the live feed can replay them as new (``crimegraph demo``).
    """
    paths = ingest.expand_paths(patterns)
    held = [p.name for p in paths if hold_back and p.name.startswith(f"{hold_back}-")]
    paths = [p for p in paths if p.name not in held]
    with warehouse.connect(settings.warehouse_path) as con:
        if held:
            ingest.forget_files(con, held)
        report = ingest.ingest_police_uk(con, paths, force=force, on_file=on_file)
        counts = canonical.build(
            con, canonical.GeographyFiles.in_source_dir(settings.source_data_dir)
        )
    return report, counts


def ingest_source(settings: Settings, spec_path: Path, *, force: bool = False):
    """Ingest every file of one registered source (see resolver/sources.py)."""
    from resolver.source_ingest import ingest_source as run
    from resolver.sources import load_spec

    spec = load_spec(spec_path)
    with warehouse.connect(settings.warehouse_path) as con:
        return run(con, spec, force=force)


def load(
    settings: Settings, on_progress: Callable[[str, int, int], None] | None = None
) -> tuple[LoadReport, dict[str, int]]:
    """Bring the graph in line with the warehouse; returns (what was written, graph counts)."""
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(
            f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest police-uk` first"
        )
    with (
        warehouse.connect(settings.warehouse_path) as con,
        connection.driver(settings) as driver,
    ):
        report = load_graph(con, driver, on_progress=on_progress)
        return report, graph_counts(driver)


def default_police_uk_glob(settings: Settings) -> str:
    return str(Path(settings.source_data_dir) / POLICE_UK_DEFAULT_GLOB)


def analyse(settings: Settings, on_step: Callable[[str], None] | None = None):
    """GDS networks, key actors, place similarity and network exposure (graph/analyse.py)."""
    from graph.analyse import analyse as run

    with (
        warehouse.connect(settings.warehouse_path) as con,
        connection.driver(settings) as driver,
    ):
        gds = connection.gds_client(settings)
        try:
            gds.set_show_progress(False)
            return run(driver, gds, con, on_step=on_step)
        finally:
            gds.close()
