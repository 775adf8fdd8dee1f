"""The stages in order: ingest → canonical tables → Neo4j load. Each can run alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from core import warehouse
from core.settings import Settings
from graph import connection
from graph.load import LoadReport, graph_counts, load_graph
from resolver import canonical, police_uk_ingest
from resolver.adapters.police_uk import PoliceUkAdapter
from resolver.adapters.registered import RegisteredAdapter
from resolver.ingest_report import FileReport, IngestReport
from resolver.sources import load_spec


def take_in_live(con: duckdb.DuckDBPyConnection, settings: Settings):
    """Bring the live records applied so far into the warehouse (``live.warehouse_rows``),
    so a stage that reads source records sees them; None when there is no journal. A
    record a source file also holds keeps only the file's row."""
    from live import warehouse_rows
    from live.intake import journal_path
    from live.journal import Journal

    path = journal_path(settings.data_dir)
    if not path.exists():
        return None
    journal = Journal(path)
    try:
        taken = warehouse_rows.take(con, journal)
    finally:
        journal.close()
    warehouse_rows.settle(con)
    return taken


def ingest_police_uk(
    settings: Settings,
    patterns: list[str],
    *,
    force: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
    hold_back: str | None = None,
) -> tuple[IngestReport, dict[str, int]]:
    """Read street-level files into the warehouse and rebuild the canonical tables.

    ``hold_back`` (YYYY-MM): that month's files are left out, and removed if an earlier
    run ingested them, so the live feed can replay them as new (``crimegraph demo``).
    """
    paths = police_uk_ingest.expand_paths(patterns)
    held = [p.name for p in paths if hold_back and p.name.startswith(f"{hold_back}-")]
    adapter = PoliceUkAdapter(tuple(p for p in paths if p.name not in held))
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute("SET memory_limit = $limit", {"limit": settings.batch_memory_limit})
        if held:
            police_uk_ingest.forget_files(con, held)
        report = IngestReport(adapter.ingest(con, force=force, on_file=on_file))
        take_in_live(con, settings)
        counts = canonical.build(con, canonical.GeographyFiles.from_settings(settings.sources))
    return report, counts


def ingest_source(settings: Settings, spec_path: Path, *, force: bool = False) -> IngestReport:
    """Ingest every file of one registered source (see resolver/sources.py)."""
    adapter = RegisteredAdapter(load_spec(spec_path))
    with warehouse.connect(settings.warehouse_path) as con:
        report = IngestReport(adapter.ingest(con, force=force))
        take_in_live(con, settings)
        return report


def load(
    settings: Settings,
    on_progress: Callable[[str, int, int], None] | None = None,
    *,
    bulk: bool | None = None,
    log: Callable[[str], None] = print,
) -> tuple[LoadReport, dict[str, int]]:
    """Bring the graph in line with the warehouse; returns (what was written, graph counts).

    ``bulk``: None lets the loader choose Neo4j's bulk importer for a large first load on the
    local server (graph/bulk_load.py); True asks for it, False never uses it.
    """
    from graph import bulk_load

    if not settings.warehouse_path.exists():
        raise FileNotFoundError(
            f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest police-uk` first"
        )
    with warehouse.connect(settings.warehouse_path) as con:
        report = None
        if bulk or (bulk is None and bulk_load.should_bulk_load(con, settings)):
            try:
                report = bulk_load.bulk_load(con, settings, on_progress=on_progress, log=log)
            except bulk_load.BulkLoadUnsupported as exc:
                if bulk or bulk_load.marker(settings).exists():
                    raise
                log(f"loading through Cypher: {exc}")  # raised before the server stops
        with connection.driver(settings) as driver:
            if report is None:
                report = load_graph(con, driver, on_progress=on_progress)
            return report, graph_counts(driver)


def default_police_uk_glob(settings: Settings) -> str:
    return settings.sources.police_uk_files


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


def retention_policy(settings: Settings, path: Path | None = None):
    """The retention policy in force: ``path``, else the settings' (env) policy file."""
    from responsible.retention.policy import load_policy

    return load_policy(path or settings.retention.policy)


def retention_plan(settings: Settings, as_of: date, policy_path: Path | None = None):
    """What `retention apply` would remove on ``as_of`` (nothing is written)."""
    from responsible.retention.plan import make_plan

    policy = retention_policy(settings, policy_path)
    _need_warehouse(settings)
    with warehouse.connect(settings.warehouse_path) as con:
        take_in_live(con, settings)
        return make_plan(con, policy, as_of)


@dataclass
class RetentionReport:
    plan: object
    removal: object
    resolution: dict = field(default_factory=dict)
    graph: dict = field(default_factory=dict)
    log_entry: dict = field(default_factory=dict)


def _forget_live(settings: Settings, entries: dict[str, list[int]]) -> None:
    """Delete the journal entries expired live records came from (a running API keeps
    following the journal; its linking index lets go of them when it next starts)."""
    from live.intake import journal_path
    from live.journal import Journal

    path = journal_path(settings.data_dir)
    if not path.exists():
        return
    journal = Journal(path)
    try:
        journal.forget(entries.get(journal.id, []))
    finally:
        journal.close()


def _remove_live_nodes(driver, plan) -> dict[str, int]:
    """The graph nodes only the live path made for records the policy removed (a batch
    load removes the ones it made itself)."""
    from graph.cypher import statement
    from responsible.retention.plan import POLICE_UK

    gone = [v.candidate for v in plan.expired]
    incidents = [c.record_id for c in gone if c.system == POLICE_UK]
    records = [f"{c.system}:{c.record_id}" for c in gone if c.record_type == "person"]
    with driver.session() as session:
        found = session.run(statement("live/expired_incidents"), incidents=incidents).single()
        people = session.run(statement("live/expired_records"), records=records).single()
    return {"incidents": found["incidents"], "locations": found["locations"],
            "records": people["records"], "people": people["people"]}  # fmt: skip


def retention_apply(
    settings: Settings,
    as_of: date,
    policy_path: Path | None = None,
    *,
    graph: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> RetentionReport:
    """Remove expired records from the warehouse, re-resolve, bring the graph in line
    (graph load, then the GDS analyses, so no co-offending link outlives its incident),
    and append the run to the retention log (warehouse tables and JSON lines)."""
    from responsible.retention import apply as retention
    from responsible.retention.plan import make_plan
    from responsible.retention.reresolve import reresolve

    step = on_step or (lambda _name: None)
    policy = retention_policy(settings, policy_path)
    _need_warehouse(settings)
    key = retention.retention_key(settings.data_dir, settings.retention.key)
    with warehouse.connect(settings.warehouse_path) as con:
        if graph:  # decisions made in the API bind the re-resolution, as in `resolve people`
            from graph.decisions_sync import pull_api_decisions

            with connection.driver(settings) as driver:
                pull_api_decisions(driver, con)
        take_in_live(con, settings)
        step("plan")
        plan = make_plan(con, policy, as_of)
        step("remove")
        removal = retention.remove_expired(
            con, plan, key, forget_live=lambda entries: _forget_live(settings, entries)
        )
        report = RetentionReport(plan, removal)
        entry = {
            "run_id": removal.run_id,
            "applied_at": removal.applied_at.isoformat() + "Z",
            "as_of": as_of.isoformat(),
            "policy": {"path": str(policy.path), "version": policy.version,
                       "sha256": policy.sha256},
            "removed": [
                {**r, "record_hashes": removal.hashes[(r["system"], r["record_type"], r["group"])]}
                for r in removal.removed
            ],
            "derived": removal.derived,
            "status": "removed from the warehouse",
        }  # fmt: skip
        try:
            step("re-resolve")
            report.resolution = reresolve(con, removal, settings.sources, settings.id_secret)
            entry["resolution"] = report.resolution
            if graph:
                step("graph load")
                with connection.driver(settings) as driver:
                    loaded = load_graph(con, driver)
                    report.graph = {
                        name: {"created": s.created, "updated": s.updated, "deleted": s.deleted}
                        for name, s in loaded.steps.items()
                        if s.created or s.updated or s.deleted
                    }
                    if removal.live_entries:
                        report.graph["live"] = _remove_live_nodes(driver, plan)
                entry["graph"] = report.graph
            entry["status"] = "ok" if graph else "ok (graph not loaded: run `crimegraph load`)"
        except Exception as exc:
            entry["status"] = f"failed after removal: {type(exc).__name__}: {exc}"
            raise
        finally:
            retention.write_log_line(settings.retention_log_path, entry)
            report.log_entry = entry
    if graph and removal.records:
        step("analyse")
        analyse(settings)
    return report


def _need_warehouse(settings: Settings) -> None:
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(
            f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest` first"
        )
