"""`crimegraph retention plan|apply`: remove source records whose retention has run out."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.settings import load_settings
from crimegraph import pipeline
from crimegraph.cli.common import app, console, fail

retention_app = typer.Typer(
    help="Retention (MoPI-style): which source records have run out, and their removal.",
    no_args_is_help=True,
)
app.add_typer(retention_app, name="retention")

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day to judge on, YYYY-MM-DD (default: today). A later day shows what the "
        "policy will remove by then.",
        show_default=False,
    ),
]
PolicyPath = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Policy YAML (default: CRIMEGRAPH_RETENTION_POLICY, else "
        "responsible/retention/policy.yaml).",
        show_default=False,
    ),
]

_KEPT = ("retained", "indefinite", "undated", "no rule", "hold", "linked")


def _as_of(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"--as-of: expected a date YYYY-MM-DD, got {text!r}") from exc


def _show(plan) -> None:
    table = Table(title=f"retention on {plan.as_of} (policy {plan.policy.version})")
    for column in ("system", "type", "records", "expire", "stay (why)", "expire by group"):
        table.add_column(column, justify="right" if column in ("records", "expire") else "left")
    for row in plan.summary():
        stay = ", ".join(f"{reason} {row[reason]:,}" for reason in _KEPT if row[reason])
        groups = ", ".join(f"{g}: {n:,}" for g, n in row["expired_by_group"].items())
        table.add_row(
            row["system"], row["record_type"], f"{row['records']:,}", f"{row['expired']:,}",
            stay, groups,
        )  # fmt: skip
    console.print(table)
    console.print(
        f"quarantined rows: {len(plan.quarantine_expired):,} of {plan.quarantine_total:,} "
        f"past the quarantine period ({plan.policy.quarantine or 'none set: kept'})"
    )


@retention_app.command("plan")
def plan(
    as_of: AsOf = None,
    policy: PolicyPath = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print the summary as JSON on stdout.")
    ] = False,
) -> None:
    """Dry run: per source system and record type, how many records the policy would
    remove, and why the others stay (period running, indefinite, undated, no rule, a
    hold, or linked to a retained person record)."""
    from responsible.retention.policy import RetentionPolicyError

    settings = load_settings()
    try:
        result = pipeline.retention_plan(settings, _as_of(as_of), policy)
    except (RetentionPolicyError, FileNotFoundError) as exc:
        raise fail(str(exc)) from exc
    _show(result)
    if as_json:
        summary = {
            "as_of": result.as_of.isoformat(),
            "policy": {"path": str(result.policy.path), "version": result.policy.version},
            "records": result.summary(),
            "quarantine": {"expired": len(result.quarantine_expired),
                           "rows": result.quarantine_total},
        }  # fmt: skip
        typer.echo(json.dumps(summary, indent=2))


@retention_app.command("apply")
def apply(
    as_of: AsOf = None,
    policy: PolicyPath = None,
    graph: Annotated[
        bool,
        typer.Option(
            "--graph/--no-graph",
            help="Bring Neo4j in line afterwards (load, then the GDS analyses). With "
            "--no-graph the next `crimegraph load` removes the records from the graph.",
        ),
    ] = True,
) -> None:
    """Remove expired source records from the warehouse and everything derived from them,
    re-resolve people, places and incidents, reload the graph, and log the run
    (warehouse tables retention_runs/retention_removed and var/logs/retention.jsonl,
    record ids hashed). Running it again on the same day removes nothing."""
    from neo4j.exceptions import ServiceUnavailable

    from responsible.retention.policy import RetentionPolicyError

    settings = load_settings()
    started = time.perf_counter()
    try:
        with console.status("retention") as status:
            report = pipeline.retention_apply(
                settings,
                _as_of(as_of),
                policy,
                graph=graph,
                on_step=lambda name: status.update(f"retention: {name}"),
            )
    except (RetentionPolicyError, FileNotFoundError) as exc:
        raise fail(str(exc)) from exc
    except ServiceUnavailable as exc:
        raise fail(
            f"Neo4j is not reachable at {settings.neo4j.uri} ({exc}): start it with "
            "`crimegraph neo4j start` or use --no-graph. Whether anything was removed before "
            f"it failed is in {settings.retention_log_path}."
        ) from exc
    _show(report.plan)
    removal = report.removal
    if not removal.records:
        console.print("nothing has expired: nothing removed")
    for row in removal.removed:
        console.print(
            f"removed {row['count']:,} {row['system']} {row['record_type']} records "
            f"({row['group']})"
        )
    touched = ", ".join(f"{k} {v:,}" for k, v in removal.derived.items() if v)
    if touched:
        console.print(f"rows removed or redacted: {touched}")
    for name, run in report.resolution.items():
        console.print(f"re-resolved {name}: {run}")
    for name, counts in report.graph.items():
        console.print(f"graph {name}: {counts}")
    console.print(
        f"logged as run {removal.run_id} in {settings.retention_log_path} "
        f"({time.perf_counter() - started:.1f}s)"
    )
