"""`crimegraph impact register|list|ID`: register an intervention, list them, and estimate
one's effect (responsible/, docs/responsible.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from core.settings import PROJECT_ROOT, load_settings
from crimegraph.cli.common import app, console, fail

DEFAULT_IMPACT_DIR = PROJECT_ROOT / "var" / "reports" / "impact"


class _IdOrCommand(TyperGroup):
    """`crimegraph impact ID` is `crimegraph impact estimate ID`."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["estimate", *args]
        return super().resolve_command(ctx, args)


impact_app = typer.Typer(
    cls=_IdOrCommand,
    help="Intervention impact: `register` one, `list` them, `crimegraph impact ID` estimates "
    "its effect (difference-in-differences, synthetic control, displacement).",
    no_args_is_help=True,
)
app.add_typer(impact_app, name="impact")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@impact_app.command("register")
def impact_register(
    start: Annotated[str, typer.Option("--start", help="First month of the intervention.")],
    end: Annotated[str, typer.Option("--end", help="Last month (inclusive), YYYY-MM.")],
    name: Annotated[str, typer.Option("--name", help="What was done, e.g. 'CCTV, Queen St'.")],
    cells: Annotated[
        str | None, typer.Option("--cells", help="Comma-separated H3 cells (resolution <= 9).")
    ] = None,
    lsoas: Annotated[
        str | None, typer.Option("--lsoas", help="Comma-separated LSOA 2021 codes.")
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="GeoJSON file with the area's polygon(s).")
    ] = None,
    groups: Annotated[
        str,
        typer.Option("--groups", help="Comma-separated crime groups, e.g. 'burglary,robbery'."),
    ] = "All crime",
) -> None:
    """Register an intervention; prints its id."""
    from core import warehouse
    from responsible import interventions as registry

    given = [k for k, v in (("cells", cells), ("lsoas", lsoas), ("geojson", geojson)) if v]
    if len(given) != 1:
        raise fail("give the area as exactly one of --cells, --lsoas or --geojson")
    settings = load_settings()
    try:
        if cells:
            kind, spec, area = "cells", _split(cells), registry.cells_from_h3(_split(cells))
        elif lsoas:
            boundaries = settings.sources.lsoa_boundaries
            kind, spec = "lsoas", _split(lsoas)
            area = registry.cells_from_lsoas(spec, boundaries)
        else:
            kind, spec, area = "geojson", str(geojson), registry.cells_from_geojson(geojson)
        with warehouse.connect(settings.warehouse_path) as con:
            item = registry.register(con, name, kind, spec, area, start, end, _split(groups))
    except registry.InterventionError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"registered {item.intervention_id}: {len(item.cells)} cells, "
        f"{item.start_month}..{item.end_month}, {', '.join(item.crime_groups)}",
        highlight=False,
    )
    print(item.intervention_id)


@impact_app.command("list")
def impact_list() -> None:
    """Every registered intervention."""
    from core import warehouse
    from responsible import interventions as registry

    settings = load_settings()
    with warehouse.connect(settings.warehouse_path) as con:
        items = registry.all_interventions(con)
        estimated = {i.intervention_id: registry.load_result(con, i.intervention_id) for i in items}
    if not items:
        console.print("no interventions registered; see `crimegraph impact register --help`")
    for item in items:
        result = estimated[item.intervention_id]
        effect = f"DiD {result[0]['did']['estimate'] * 100:+.1f}%" if result else "not estimated"
        print(
            f"{item.intervention_id}\t{item.start_month}..{item.end_month}\t"
            f"{','.join(item.crime_groups)}\t{len(item.cells)} cells\t{effect}\t{item.name}"
        )


@impact_app.command("estimate", hidden=True)
def impact_estimate(
    intervention_id: Annotated[str, typer.Argument(metavar="ID")],
    out: Annotated[
        Path, typer.Option("--out", help="Directory for the report (a folder per id).")
    ] = DEFAULT_IMPACT_DIR,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap and placebos.")] = 0,
) -> None:
    """Estimate an intervention's effect: report (Markdown, PNG, JSON) into OUT/ID/."""
    from core import warehouse
    from responsible.impact import ImpactError
    from responsible.interventions import InterventionError
    from responsible.run import estimate_intervention

    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise fail(f"no warehouse at {settings.warehouse_path}; run `crimegraph ingest` first")
    try:
        with warehouse.connect(settings.warehouse_path) as con:
            item, result, paths = estimate_intervention(con, intervention_id, out, seed)
    except (ImpactError, InterventionError) as exc:
        raise fail(str(exc)) from exc
    for label, interval in (
        ("difference-in-differences", result.did),
        ("synthetic control", result.synthetic),
        ("ring (displacement +)", result.ring),
    ):
        console.print(
            f"{label:<26} {interval.estimate * 100:+6.1f}%  "
            f"95% {interval.low * 100:+6.1f}% .. {interval.high * 100:+6.1f}%",
            highlight=False,
        )
    console.print(f"{item.intervention_id}: {result.verdict}; around it: {result.ring_verdict}")
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")
