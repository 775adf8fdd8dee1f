"""Types for interventions and their estimated impact."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A relative effect (-0.3 = 30% fewer crimes) and its 95% interval.")
class Effect:
    estimate: float
    low: float | None
    high: float | None


@strawberry.type(description="The stored estimate of an intervention's effect.")
class ImpactEstimate:
    estimated_at: str = strawberry.field(description="When `crimegraph impact ID` ran (UTC).")
    pre_months: list[str]
    post_months: list[str]
    treated_cells: int
    ring_cells: int
    comparison_cells: int
    placebos: int
    treated_pre: float = strawberry.field(description="Crimes in the area before it began.")
    treated_post: float = strawberry.field(description="Crimes in the area during it.")
    expected_post: float = strawberry.field(
        description="Crimes the comparison cells imply there would have been during it."
    )
    difference_in_differences: Effect = strawberry.field(
        description="Matched comparison cells; interval from placebo areas."
    )
    did_bootstrap: Effect = strawberry.field(description="The same, cell-bootstrap interval.")
    synthetic_control: Effect
    ring: Effect = strawberry.field(
        description="Cells 1-2 steps out: above 0 displacement, below 0 diffusion of benefit."
    )
    weighted_displacement_quotient: float | None
    verdict: str
    ring_verdict: str


@strawberry.type(description="A registered intervention (`crimegraph impact register`).")
class Intervention:
    id: str
    name: str
    area_kind: str = strawberry.field(description="cells, lsoas or geojson.")
    cells: list[str] = strawberry.field(description="Resolution-9 H3 cells of the area.")
    start_month: str
    end_month: str
    crime_groups: list[str]
    impact: ImpactEstimate | None = strawberry.field(
        description="Null until `crimegraph impact ID` has estimated it."
    )
