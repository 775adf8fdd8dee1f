"""The ``crimegraph`` command line: thin wrappers over the pipeline's functions."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crimegraph import pipeline
from crimegraph.settings import load_settings
from graph import neo4j_server

app = typer.Typer(
    help="crimegraph: entity resolution and a POLE knowledge graph behind a crime map.",
    no_args_is_help=True,
    add_completion=False,
)
neo4j_app = typer.Typer(
    help="Run the local Neo4j + Graph Data Science server.", no_args_is_help=True
)
ingest_app = typer.Typer(
    help="Read source extracts into the DuckDB warehouse.", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")

console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    return typer.Exit(code=1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local server (assembling it from Maven Central on first use)."""
    settings = load_settings()
    started = time.perf_counter()
    try:
        status = neo4j_server.start(settings, log=console.print)
    except neo4j_server.Neo4jServerError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"Neo4j {status.neo4j_version} + GDS {status.gds_version} up in "
        f"{time.perf_counter() - started:.1f}s; logs: {status.logs_dir}"
    )


@neo4j_app.command("provision")
def neo4j_provision() -> None:
    """Assemble the server from Maven Central into the cache (start does this if needed)."""
    settings = load_settings()
    started = time.perf_counter()
    try:
        assembly = neo4j_server.provision(settings, log=console.print)
    except neo4j_server.Neo4jServerError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"Neo4j {assembly.neo4j_version} + GDS {assembly.gds_version} ready in {assembly.home} "
        f"({time.perf_counter() - started:.1f}s)"
    )


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server cleanly."""
    neo4j_server.stop(load_settings(), log=console.print)


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs and answers; exit 1 if it does not answer."""
    settings = load_settings()
    status = neo4j_server.status(settings)
    if status.answering:
        console.print(
            f"running (pid {status.pid or '?'}) on {settings.neo4j_uri}: "
            f"Neo4j {status.neo4j_version}, GDS {status.gds_version}; logs: {status.logs_dir}"
        )
        return
    state = f"process {status.pid} runs but does not answer" if status.running else "not running"
    console.print(f"{state} ({settings.neo4j_uri}); logs: {status.logs_dir}")
    raise typer.Exit(code=1)


@app.command("ingest")
def ingest(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Registry YAML files (sources/*.yaml), or 'police-uk' followed by street-level "
            "CSV files or globs (default: every 2025 file under the source data directory).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Re-read files even if unchanged.")] = False,
) -> None:
    """Read source extracts into the warehouse; broken rows go to quarantine.

    `crimegraph ingest police-uk [FILES...]` reads data.police.uk street-level CSVs;
    `crimegraph ingest SOURCE.yaml [...]` reads any source described by a registry file.
    """
    targets = targets or ["police-uk"]
    if targets[0] == "police-uk":
        ingest_police_uk(targets[1:], force=force)
    else:
        ingest_sources([Path(t) for t in targets], force=force)


def ingest_police_uk(patterns: list[str], *, force: bool = False) -> None:
    settings = load_settings()
    patterns = patterns or [pipeline.default_police_uk_glob(settings)]
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("ingest police.uk", total=None)

        def on_file(report) -> None:
            progress.advance(task)
            if report.error:
                console.print(f"[red]{report.error}[/red]")

        report, counts = pipeline.ingest_police_uk(settings, patterns, force=force, on_file=on_file)
    _print_ingest_report(report)
    console.print(
        "canonical tables: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        + f"  ({time.perf_counter() - started:.1f}s)"
    )
    if report.failed_files:
        raise typer.Exit(code=1)


def ingest_sources(specs: list[Path], *, force: bool = False) -> None:
    from resolver.sources import SourceSpecError

    settings = load_settings()
    started = time.perf_counter()
    table = Table(title="source ingest")
    for column in ("system", "file", "rows in", "loaded", "quarantined", "values dropped", "note"):
        table.add_column(
            column, justify="left" if column in ("system", "file", "note") else "right"
        )
    failed = False
    with _progress() as progress:
        task = progress.add_task("ingest sources", total=len(specs))
        for spec_path in specs:
            try:
                outcomes = pipeline.ingest_source(settings, spec_path, force=force)
            except SourceSpecError as exc:
                console.print(f"[red]{exc}[/red]")
                failed = True
                progress.advance(task)
                continue
            for o in outcomes:
                note = (
                    "unreadable"
                    if o.error
                    else ("unchanged, skipped" if o.skipped_unchanged else "")
                )
                if o.error:
                    failed = True
                    console.print(f"[red]{o.error}[/red]", soft_wrap=True, highlight=False)
                table.add_row(o.system, o.source_file, f"{o.rows_in:,}", f"{o.rows_loaded:,}",
                              f"{o.rows_quarantined:,}", f"{o.fields_dropped:,}", note)  # fmt: skip
            progress.advance(task)
    console.print(table)
    console.print(
        f"({time.perf_counter() - started:.1f}s); `crimegraph quarantine` lists the problems"
    )
    if failed:
        raise typer.Exit(code=1)


@app.command("simulate")
def simulate(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same world.")] = 1,
    people: Annotated[int, typer.Option(help="Population size.")] = 50_000,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory for the extracts, replaced [default: DATA_DIR/simulated]."),
    ] = None,
    broken_rate: Annotated[
        float, typer.Option(help="Share of rows deliberately broken, to exercise quarantine.")
    ] = 0.002,
) -> None:
    """Generate four systems' extracts about a synthetic population, with the truth apart.

    People live at real Welsh postcodes and are attached to the real police.uk incidents
    in the warehouse (run `crimegraph ingest police-uk` first). Writes OUT/<system>.<ext>
    and OUT/<system>.yaml for each system, and OUT/truth/ (never read by the pipeline).
    """
    from resolver.simulate.run import simulate as run_simulation

    settings = load_settings()
    try:
        report = run_simulation(
            seed=seed,
            people=people,
            out=out or settings.data_dir / "simulated",
            warehouse=settings.warehouse_path,
            lsoa_boundaries=settings.source_data_dir / "geo" / "lsoa21-wales.geojson.gz",
            broken_rate=broken_rate,
            log=console.print,
        )
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"{report.people:,} people, {report.events:,} incidents with named parties, "
        f"{report.involvements:,} involvements; rows: "
        + ", ".join(f"{k} {v:,}" for k, v in report.rows_by_system.items())
        + f"; {report.broken_rows} broken on purpose. Extracts in {report.out}"
    )


def _print_ingest_report(report) -> None:
    table = Table(title="police.uk ingest")
    for column in ("file", "rows in", "loaded", "quarantined", "note"):
        table.add_column(column, justify="left" if column in ("file", "note") else "right")
    for f in report.files:
        note = f.error or ("unchanged, skipped" if f.skipped_unchanged else "")
        table.add_row(
            f.source_file, f"{f.rows_in:,}", f"{f.rows_loaded:,}", f"{f.rows_quarantined:,}", note
        )
    table.add_row(
        "total",
        f"{report.rows_in:,}",
        f"{report.rows_loaded:,}",
        f"{report.rows_quarantined:,}",
        "",
        style="bold",
    )
    console.print(table)


@app.command("load")
def load() -> None:
    """Load the warehouse into Neo4j (idempotent: a second load changes nothing)."""
    settings = load_settings()
    started = time.perf_counter()
    with _progress() as progress:
        tasks: dict[str, int] = {}

        def on_progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(f"load {step}", total=total)
            progress.update(tasks[step], completed=done)

        try:
            _written, counts = pipeline.load(settings, on_progress=on_progress)
        except FileNotFoundError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"graph loaded in {time.perf_counter() - started:.1f}s:")
    for key, count in counts.items():
        console.print(f"  {key:<28} {count:>10,}")


@app.command("quarantine")
def quarantine(
    source: Annotated[str | None, typer.Option(help="Only this source system.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 20,
) -> None:
    """Show quarantined rows (whole rows rejected) and dropped values, with counts by reason."""
    from resolver import warehouse

    settings = load_settings()
    with warehouse.connect(settings.warehouse_path) as con:
        by_reason = con.execute(
            "SELECT source, severity, coalesce(field, '(row)'), regexp_replace(reason, ':.*', ''), "
            "count(*) FROM quarantine WHERE $source IS NULL OR source = $source "
            "GROUP BY ALL ORDER BY 5 DESC",
            {"source": source},
        ).fetchall()
        rows = con.execute(
            "SELECT source, source_file, row_number, severity, coalesce(field, '(row)'), reason "
            "FROM quarantine WHERE $source IS NULL OR source = $source "
            "ORDER BY source, source_file, row_number LIMIT $limit",
            {"source": source, "limit": limit},
        ).fetchall()
    if not by_reason:
        console.print("quarantine is empty")
        return
    summary = Table(title="quarantine by reason ('row': rejected; 'field': value dropped)")
    for column in ("source", "severity", "field", "reason", "count"):
        summary.add_column(column, justify="right" if column == "count" else "left")
    for source_name, severity, field, reason, count in by_reason:
        summary.add_row(source_name, severity, field, reason, f"{count:,}")
    console.print(summary)
    detail = Table(title=f"first {len(rows)} entries")
    for column in ("source", "file", "line", "severity", "field", "reason"):
        detail.add_column(column)
    for source_name, source_file, row_number, severity, field, reason in rows:
        detail.add_row(source_name, source_file, str(row_number), severity, field, reason)
    console.print(detail)


sources_app = typer.Typer(help="The source registry: describe new extracts.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("suggest")
def sources_suggest(
    extract: Annotated[
        Path, typer.Argument(help="An unseen extract (.csv, .csv.gz, .jsonl, .parquet).")
    ],
    system: Annotated[
        str | None, typer.Option(help="System name [default: the file's stem].")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the YAML [default: EXTRACT's folder/SYSTEM.yaml]."),
    ] = None,
) -> None:
    """Propose a registry YAML for an extract from its header names and its values.

    Each field gets a confidence; fields under 0.8 are marked for review. A steward
    confirms the YAML, then `crimegraph ingest SYSTEM.yaml` reads the extract.
    """
    from resolver.suggest import suggest_mapping, suggestion_to_spec, write_spec

    if not extract.is_file():
        raise _fail(f"{extract}: no such file")
    name = system or extract.name.split(".")[0]
    target = out or extract.parent / f"{name}.yaml"
    try:
        suggestion = suggest_mapping(extract)
    except ValueError as exc:
        raise _fail(f"{extract}: {exc}") from exc
    # The YAML names its file relative to itself.
    relative = os.path.relpath(extract.resolve(), target.parent.resolve())
    spec = suggestion_to_spec(suggestion, name, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_spec(spec, target)
    table = Table(title=f"suggested mapping for {extract.name}")
    for column in ("column", "field", "confidence", "evidence"):
        table.add_column(column)
    for c in suggestion.columns:
        table.add_row(c.column, c.field or "-", f"{c.confidence:.2f}", c.evidence)
    console.print(table)
    console.print(f"written to {target}; review it, then `crimegraph ingest {target}`")


resolve_app = typer.Typer(
    help="Entity resolution (Splink): who is the same person.", no_args_is_help=True
)
app.add_typer(resolve_app, name="resolve")


@resolve_app.command("people")
def resolve_people(
    input_csv: Annotated[
        Path | None,
        typer.Argument(
            help="CSV with source_system, source_record_id, forename, surname, date_of_birth, "
            "sex, address, postcode (values may be empty; extra columns ignored). "
            "Without it: every person record in the warehouse.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output CSV: source_system, source_record_id, person_id, "
            "match_probability (required with INPUT_CSV).",
        ),
    ] = None,
) -> None:
    """Resolve people: a steward's extract (IN.csv → OUT.csv), or the whole warehouse.

    The warehouse run keeps person ids stable against the previous run, records split and
    merge lineage, and stores the trained model as versioned JSON.
    """
    from resolver.linkage.people import ContractError, resolve_people_file

    started = time.perf_counter()
    if input_csv is None:
        from resolver import warehouse
        from resolver.linkage.warehouse_people import resolve_warehouse_people

        settings = load_settings()
        try:
            with warehouse.connect(settings.warehouse_path) as con:
                run = resolve_warehouse_people(con)
        except ValueError as exc:
            raise _fail(str(exc)) from exc
        console.print(
            f"model v{run.version}: {run.records:,} person records → {run.persons:,} people; "
            f"{run.merged} merged and {run.split} split since the last run; "
            f"{run.decisions_applied} steward decisions applied, {run.queued} pairs to review "
            f"({time.perf_counter() - started:.1f}s)"
        )
        return
    if out is None:
        raise _fail("--out is required with an input file")
    try:
        result = resolve_people_file(input_csv, out)
    except ContractError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"{result.records:,} records → {result.clusters:,} people "
        f"({result.pairs_scored:,} pairs scored) in {time.perf_counter() - started:.1f}s; "
        f"written to {out}"
    )


review_app = typer.Typer(
    help="Review uncertain person matches; decisions bind every later run.", no_args_is_help=True
)
app.add_typer(review_app, name="review")


def _review_connection():
    from resolver import warehouse

    return warehouse.connect(load_settings().warehouse_path)


@review_app.command("list")
def review_list(
    limit: Annotated[int, typer.Option(help="Pairs to show.")] = 20,
    offset: Annotated[int, typer.Option(help="Pairs to skip.")] = 0,
) -> None:
    """Open pairs in the uncertain band, closest to the decision boundary first."""
    from resolver.linkage import review

    with _review_connection() as con:
        items = review.list_queue(con, limit=limit, offset=offset)
        total = con.execute("SELECT count(*) FROM review_queue").fetchall()[0][0]
    table = Table(title=f"review queue ({total:,} open)")
    for column in ("pair", "left", "right", "probability", "strongest evidence"):
        table.add_column(column)
    for item in items:
        top = sorted(item.evidence.items(), key=lambda kv: -abs(kv[1]))[:3]
        table.add_row(
            item.pair_id, "/".join(item.left), "/".join(item.right),
            f"{item.match_probability:.3f}", ", ".join(f"{k} {v:+.1f}" for k, v in top),
        )  # fmt: skip
    console.print(table)


@review_app.command("show")
def review_show(
    pair_id: Annotated[str, typer.Argument(help="A pair id from `review list`.")],
) -> None:
    """Both records side by side, with the match weight each comparison contributed."""
    from resolver.linkage import review

    with _review_connection() as con:
        try:
            item, records = review.show(con, pair_id)
        except review.ReviewError as exc:
            raise _fail(str(exc)) from exc
    table = Table(title=f"pair {item.pair_id}: match probability {item.match_probability:.3f}")
    table.add_column("field")
    table.add_column("/".join(item.left))
    table.add_column("/".join(item.right))
    for field in ("forename", "middle_names", "surname", "date_of_birth", "dob_precision", "sex",
                  "address", "postcode"):  # fmt: skip
        table.add_row(field, *(str(r.get(field) or "") for r in records))
    console.print(table)
    evidence = Table(title="evidence (match weight, log2 Bayes factor)")
    evidence.add_column("comparison")
    evidence.add_column("weight", justify="right")
    for name, weight in item.evidence.items():
        evidence.add_row(name, f"{weight:+.2f}")
    console.print(evidence)


@review_app.command("decide")
def review_decide(
    pair_id: Annotated[str, typer.Argument(help="A pair id from `review list`.")],
    decision: Annotated[str, typer.Argument(help="match, not_a_match or unsure.")],
    reason: Annotated[str | None, typer.Option(help="Why (kept with the decision).")] = None,
    who: Annotated[
        str | None, typer.Option(help="Who decides [default: $USER].", show_default=False)
    ] = None,
) -> None:
    """Decide a pair: it acts as must-link or cannot-link on every later run."""
    from resolver.linkage import review

    with _review_connection() as con:
        try:
            review.decide(
                con, pair_id, decision.replace("-", "_"),
                who=who or os.environ.get("USER", ""), reason=reason,
            )  # fmt: skip
        except review.ReviewError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"recorded: {pair_id} {decision}; run `crimegraph resolve people` to apply it")


@app.command("serve")
def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default CRIMEGRAPH_API_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CRIMEGRAPH_API_PORT).")] = None,
) -> None:
    """Serve the GraphQL API (and later the map) with uvicorn."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level="info",
    )


@app.command("demo")
def demo(
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Keep the API up at the end.")
    ] = True,
) -> None:
    """Everything from nothing: Neo4j up, Welsh 2025 crimes and simulated multi-agency
    extracts ingested, people resolved, the graph loaded, API up."""
    neo4j_start()
    ingest_police_uk([], force=False)
    settings = load_settings()
    simulated = settings.data_dir / "simulated"
    simulate(seed=1, people=50_000, out=simulated, broken_rate=0.002)
    ingest_sources(sorted(simulated.glob("*.yaml")))
    resolve_people(input_csv=None, out=None)
    load()
    if serve_api:
        console.print(
            f"GraphQL API at http://{settings.api_host}:{settings.api_port}/graphql (Ctrl-C stops)"
        )
        serve(host=None, port=None)


if __name__ == "__main__":
    app()
