"""Analyst fields: registered interventions and their stored impact estimates.

Estimating takes seconds to minutes (hundreds of placebo areas), so the API serves what
`crimegraph impact ID` stored; it reads the warehouse read-only per request and closes it
(CLI commands write to it), never holding it open.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.errors import NOT_FOUND, BadInput
from api.types.impact import Effect, ImpactEstimate, Intervention
from core import warehouse
from responsible import interventions as registry


def _effect(value: dict) -> Effect:
    def finite(x):
        return None if x is None or x != x else x

    return Effect(estimate=value["estimate"], low=finite(value["low"]), high=finite(value["high"]))


def _estimate(stored: tuple[dict, object] | None) -> ImpactEstimate | None:
    if stored is None:
        return None
    r, at = stored
    return ImpactEstimate(
        estimated_at=str(at),
        pre_months=r["pre_months"],
        post_months=r["post_months"],
        treated_cells=r["treated_cells"],
        ring_cells=r["ring_cells"],
        comparison_cells=r["comparison_cells"],
        placebos=r["placebos"],
        treated_pre=r["treated_pre"],
        treated_post=r["treated_post"],
        expected_post=r["expected_post"],
        difference_in_differences=_effect(r["did"]),
        did_bootstrap=_effect(r["did_bootstrap"]),
        synthetic_control=_effect(r["synthetic"]),
        ring=_effect(r["ring"]),
        weighted_displacement_quotient=r["wdq"],
        verdict=r["verdict"],
        ring_verdict=r["ring_verdict"],
    )


def _intervention(con: duckdb.DuckDBPyConnection, item: registry.Intervention) -> Intervention:
    return Intervention(
        id=item.intervention_id,
        name=item.name,
        area_kind=item.area_kind,
        cells=list(item.cells),
        start_month=item.start_month,
        end_month=item.end_month,
        crime_groups=list(item.crime_groups),
        impact=_estimate(registry.load_result(con, item.intervention_id)),
    )


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise GraphQLError("no warehouse yet", extensions={"code": NOT_FOUND})
    return warehouse.connect_read_only(path)


def _read_one(path: Path, intervention_id: str) -> Intervention:
    if not registry.ID.match(intervention_id):
        raise BadInput("id", "id must be an intervention id such as 'iv-1a2b3c4d'")
    with _connect(path) as con:
        try:
            item = registry.get(con, intervention_id)
        except registry.InterventionError as exc:
            raise GraphQLError(
                f"no intervention {intervention_id}", extensions={"code": NOT_FOUND}
            ) from exc
        return _intervention(con, item)


def _read_all(path: Path) -> list[Intervention]:
    if not path.exists():
        return []
    with _connect(path) as con:
        return [_intervention(con, item) for item in registry.all_interventions(con)]


async def intervention_impact(info: Info, id: str) -> Intervention:
    return await run_in_threadpool(_read_one, info.context["warehouse_path"], id)


async def interventions(info: Info) -> list[Intervention]:
    return await run_in_threadpool(_read_all, info.context["warehouse_path"])
