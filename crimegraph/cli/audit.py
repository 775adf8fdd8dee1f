"""`crimegraph audit fairness`: how risk scores fall across deprived and less deprived
places, and the feedback loop of patrolling where the model points (responsible/,
docs/responsible.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.settings import PROJECT_ROOT, load_settings
from crimegraph.cli.common import app, console, fail

DEFAULT_FAIRNESS_DIR = PROJECT_ROOT / "var" / "reports" / "fairness"

audit_app = typer.Typer(help="Audits of the risk scores.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("fairness")
def audit_fairness(
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help="Held-out month to audit, YYYY-MM (default: the last month with data).",
        ),
    ] = None,
    discovered_weight: Annotated[
        float,
        typer.Option(
            "--discovered-weight",
            min=0.0,
            max=1.0,
            help="Weight of police-discovered crime in the corrected arm (as "
            "`crimegraph risk --discovered-weight`).",
        ),
    ] = 0.5,
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the report (Markdown, PNG, JSON).")
    ] = DEFAULT_FAIRNESS_DIR,
) -> None:
    """Risk scores and flagged LSOAs by deprivation decile and population, the share of
    the forecast from police-discovered crime, calibration per decile, the same with
    discovered crime down-weighted, and the feedback-loop simulation."""
    from core import warehouse
    from responsible import deprivation, fairness, fairness_report
    from risk import events

    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise fail(f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest` first")
    try:
        areas = deprivation.load(settings.sources.deprivation_dir)
        with warehouse.connect(settings.warehouse_path) as con:
            crimes = events.from_warehouse(con)
            if crimes.empty:
                raise ValueError("the warehouse has no located crimes to audit")
            chosen = month or crimes["month"].max()
            with console.status(f"auditing {chosen}"):
                result = fairness.audit(con, crimes, areas, chosen, discovered_weight)
    except (ValueError, deprivation.DeprivationDataError) as exc:
        raise fail(str(exc)) from exc
    paths = fairness_report.write(result, out)
    f = result.figures
    console.print(
        f"flagged LSOAs in the most deprived fifth: "
        f"{f['recorded.flagged_share_most_deprived_fifth']:.0%} (population "
        f"{f['recorded.population_share_most_deprived_fifth']:.0%}, recorded crime "
        f"{f['recorded.recorded_crime_share_most_deprived_fifth']:.0%}); police-discovered "
        f"share of the forecast {f['recorded.discovered_share_of_forecast']:.1%} -> "
        f"{f['corrected.discovered_share_of_forecast']:.1%} at weight {discovered_weight:g}",
        highlight=False,
    )
    console.print(
        "feedback loop, drugs + weapons model: predicted/true in patrolled cells "
        f"{f['loop.discovered_only.uncorrected.inflation_final']:.2f} uncorrected, "
        f"{f['loop.discovered_only.corrected.inflation_final']:.2f} corrected",
        highlight=False,
    )
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")
