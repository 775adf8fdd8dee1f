"""`crimegraph audit fairness`: how risk scores fall across deprived and less deprived
places, and the feedback loop of patrolling where the model points (responsible/,
docs/responsible.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.settings import PROJECT_ROOT, load_settings
from crimegraph.cli.common import app, console, fail

if TYPE_CHECKING:
    from responsible.fairness import Audit

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
        Path,
        typer.Option("--out", help="Directory for the reports: one folder per nation."),
    ] = DEFAULT_FAIRNESS_DIR,
    nation: Annotated[
        list[str] | None,
        typer.Option(
            "--nation",
            help="wales or england (repeatable; default: each nation whose LSOAs hold "
            "crimes in the warehouse). Each is audited on its own deprivation index.",
        ),
    ] = None,
) -> None:
    """Risk scores and flagged LSOAs by deprivation decile and population, the share of
    the forecast from police-discovered crime, calibration per decile, the same with
    discovered crime down-weighted, and the feedback-loop simulation: England (IMD 2019)
    and Wales (WIMD 2019) separately, as the two indices are not comparable."""
    from core import warehouse
    from responsible import deprivation, fairness
    from risk import events

    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise fail(f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest` first")
    unknown = sorted(set(nation or []) - set(deprivation.NATIONS))
    if unknown:
        raise fail(f"unknown nation {unknown[0]!r}; one of {', '.join(deprivation.NATIONS)}")
    try:
        with warehouse.connect(settings.warehouse_path) as con:
            crimes = events.from_warehouse(con)
        if crimes.empty:
            raise ValueError("the warehouse has no located crimes to audit")
        chosen = month or crimes["month"].max()
        codes = crimes["lsoa_code"].dropna()
        nations = [deprivation.NATIONS[n] for n in nation] if nation else [
            n for n in deprivation.NATIONS.values() if codes.str.startswith(n.lsoa_prefix).any()
        ]  # fmt: skip
        for audited in nations:
            areas = deprivation.load_nation(
                audited, settings.sources.deprivation_dir, settings.sources.lsoa_centroids
            )
            with (
                warehouse.connect(settings.warehouse_path) as con,
                console.status(f"auditing {audited.name}, {chosen}"),
            ):
                result = fairness.audit(
                    con, crimes, areas, chosen, discovered_weight, nation=audited
                )
            _report(result, out / audited.code, discovered_weight)
    except (ValueError, deprivation.DeprivationDataError) as exc:
        raise fail(str(exc)) from exc


def _report(result: Audit, out: Path, discovered_weight: float) -> None:
    """Write one nation's report and print its headline."""
    from responsible import fairness_report

    paths = fairness_report.write(result, out)
    f = result.figures
    console.print(f"[bold]{result.nation.name}[/bold] ({result.nation.index})")
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
