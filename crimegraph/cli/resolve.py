"""`crimegraph resolve` and `crimegraph review`: who is the same person, and the steward loop."""

from __future__ import annotations

import enum
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.settings import load_settings
from crimegraph.cli.common import app, console, fail

resolve_app = typer.Typer(
    help="Entity resolution (Splink): the same person, place or incident.", no_args_is_help=True
)
app.add_typer(resolve_app, name="resolve")


class Backend(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


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
    backend: Annotated[
        Backend,
        typer.Option(
            help="Where Splink trains and scores pairs: duckdb (this machine) or spark "
            "(a local Spark session; the same model in Spark SQL, for national volumes).",
        ),
    ] = Backend.duckdb,
) -> None:
    """Resolve people: a steward's extract (IN.csv → OUT.csv), or the whole warehouse.

    The warehouse run keeps person ids stable against the previous run, records split and
    merge lineage, and stores the trained model as versioned JSON.
    """
    from resolver.linkage.people import ResolveInputError, resolve_people_file

    started = time.perf_counter()
    if input_csv is None and backend is Backend.spark:
        raise fail("--backend spark resolves an input file (INPUT_CSV --out OUT_CSV)")
    if input_csv is None:
        from core import warehouse
        from crimegraph.pipeline import take_in_live
        from resolver.linkage.warehouse_people import resolve_warehouse_people

        settings = load_settings()
        try:
            with warehouse.connect(settings.warehouse_path) as con:
                _pull_api_decisions(settings, con)
                take_in_live(con, settings)
                run = resolve_warehouse_people(con, id_key=settings.id_secret)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        console.print(
            f"model v{run.version}: {run.records:,} person records → {run.persons:,} people; "
            f"{run.merged} merged and {run.split} split since the last run; "
            f"{run.decisions_applied} steward decisions applied, {run.queued} pairs to review "
            f"({time.perf_counter() - started:.1f}s)"
        )
        return
    if out is None:
        raise fail("--out is required with an input file")
    settings = load_settings()
    try:
        if backend is Backend.spark:
            from resolver.linkage.backend import SparkBackend
            from resolver.linkage.spark import local_session

            with local_session() as spark:
                result = resolve_people_file(
                    input_csv, out, backend=SparkBackend(spark), id_key=settings.id_secret
                )
        else:
            result = resolve_people_file(input_csv, out, id_key=settings.id_secret)
    except ResolveInputError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"{result.records:,} records → {result.clusters:,} people "
        f"({result.pairs_scored:,} pairs scored) in {time.perf_counter() - started:.1f}s; "
        f"written to {out}"
    )


def _pull_api_decisions(settings, con) -> None:
    """Decisions stewards made in the API (Neo4j) bind this run too; skipped, with a note,
    when the graph is not reachable."""
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    from graph.connection import driver
    from graph.decisions_sync import pull_api_decisions

    try:
        with driver(settings) as drv:
            copied = pull_api_decisions(drv, con)
    except (ServiceUnavailable, Neo4jError, OSError) as exc:
        console.print(f"note: decisions made in the API not read (Neo4j: {exc.__class__.__name__})")
        return
    if copied:
        console.print(f"{copied} decisions made in the API copied to the warehouse")


@resolve_app.command("places")
def resolve_places() -> None:
    """Resolve every person address and incident location in the warehouse into places.

    Writes `places` and `place_links` (ids stable against the last run) and the trained
    model; coordinates come from the postcode when a record has none.
    """
    from core import warehouse
    from crimegraph.pipeline import take_in_live
    from resolver.linkage.warehouse_places import resolve_warehouse_places

    settings = load_settings()
    started = time.perf_counter()
    try:
        with warehouse.connect(settings.warehouse_path) as con:
            take_in_live(con, settings)
            run = resolve_warehouse_places(con, settings.sources, id_key=settings.id_secret)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"model v{run.version}: {run.records:,} address and location records → "
        f"{run.places:,} places ({run.located:,} with a point); {run.merged} merged and "
        f"{run.split} split since the last run ({time.perf_counter() - started:.1f}s)"
    )


@resolve_app.command("incidents")
def resolve_incidents() -> None:
    """Link every incident record to its event: a police.uk incident, or a new one.

    Run after `resolve people` and `resolve places` (shared parties and places are the
    model's best evidence). Writes `incident_links` and `extra_incidents`.
    """
    from core import warehouse
    from crimegraph.pipeline import take_in_live
    from resolver.linkage.warehouse_incidents import resolve_warehouse_incidents

    settings = load_settings()
    started = time.perf_counter()
    try:
        with warehouse.connect(settings.warehouse_path) as con:
            take_in_live(con, settings)
            run = resolve_warehouse_incidents(con, id_key=settings.id_secret)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"model v{run.version}: {run.records:,} incident records → {run.police_uk:,} tied to "
        f"police.uk incidents, {run.extra:,} events police.uk does not hold "
        f"({time.perf_counter() - started:.1f}s)"
    )


review_app = typer.Typer(
    help="Review uncertain person matches; decisions bind every later run.", no_args_is_help=True
)
app.add_typer(review_app, name="review")


def _review_connection():
    from core import warehouse

    return warehouse.connect(load_settings().warehouse_path)


@review_app.command("list")
def review_list(
    limit: Annotated[int, typer.Option(help="Pairs to show.")] = 20,
    offset: Annotated[int, typer.Option(help="Pairs to skip.")] = 0,
) -> None:
    """Open pairs in the uncertain band, closest to the decision boundary first."""
    from resolver.linkage import review_queue

    with _review_connection() as con:
        items = review_queue.list_queue(con, limit=limit, offset=offset)
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
    from resolver.linkage import review_queue

    with _review_connection() as con:
        try:
            item, records = review_queue.show(con, pair_id)
        except review_queue.ReviewError as exc:
            raise fail(str(exc)) from exc
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
    from resolver.linkage import review_queue

    with _review_connection() as con:
        try:
            review_queue.decide(
                con, pair_id, decision.replace("-", "_"),
                who=who or os.environ.get("USER", ""), reason=reason,
            )  # fmt: skip
        except review_queue.ReviewError as exc:
            raise fail(str(exc)) from exc
    console.print(f"recorded: {pair_id} {decision}; run `crimegraph resolve people` to apply it")


def _record_key(text: str) -> tuple[str, str]:
    system, sep, record_id = text.partition(":")
    if not sep or not system or not record_id:
        raise typer.BadParameter(f"{text!r}: expected SYSTEM:RECORD_ID")
    return system, record_id


@review_app.command("unmerge")
def review_unmerge(
    person_id: Annotated[str, typer.Argument(help="The wrongly merged person's id.")],
    records: Annotated[
        list[str],
        typer.Argument(help="Records to split off, as SYSTEM:RECORD_ID (they stay together)."),
    ],
    reason: Annotated[str | None, typer.Option(help="Why (kept with the decisions).")] = None,
    who: Annotated[
        str | None, typer.Option(help="Who decides [default: $USER].", show_default=False)
    ] = None,
) -> None:
    """Split records off a person: cannot-link to the rest of it, on every later run."""
    from resolver.linkage import review_queue

    keys = [_record_key(r) for r in records]
    with _review_connection() as con:
        try:
            pairs = review_queue.unmerge(
                con, person_id, keys, who=who or os.environ.get("USER", ""), reason=reason
            )
        except review_queue.ReviewError as exc:
            raise fail(str(exc)) from exc
    console.print(
        f"recorded: {len(pairs)} not-a-match decisions splitting {len(keys)} record(s) off "
        f"{person_id}; run `crimegraph resolve people` to apply them"
    )
