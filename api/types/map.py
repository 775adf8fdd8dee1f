"""Types for map layers and map clicks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.permissions import roles_for
from api.types.people import PlacePerson


@strawberry.type(description="A police force area of England and Wales.")
class Force:
    code: str = strawberry.field(description="police.uk force id, e.g. `south-wales`.")
    name: str
    pfa_code: str | None = strawberry.field(description="ONS police force area code (PFA20CD).")
    incident_count: int | None = strawberry.field(
        description="Incidents this force reported; null for the public under 5."
    )


@strawberry.enum(description="Where a layer reload stands.")
class ReloadStatus(Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@strawberry.type(
    description="A re-read of the map layers from the warehouse (after a risk or ingest run), "
    "run in the background: `reloadLayers` starts it, `layerReload` follows it."
)
class LayerReload:
    id: strawberry.ID
    status: ReloadStatus
    started_at: datetime
    finished_at: datetime | None
    layers: list[str] = strawberry.field(description="The layers the fresh store holds, when done.")
    error: str | None


@strawberry.enum(description="The unit a layer aggregates to.")
class AreaLevel(Enum):
    H3 = "h3"
    LSOA = "lsoa"


@strawberry.enum(description="How a layer's cells are sent.")
class LayerGeometry(Enum):
    POLYGON = strawberry.enum_value(
        "polygon", description="Each feature's Polygon or MultiPolygon (GeoJSON as it is)."
    )
    NONE = strawberry.enum_value(
        "none",
        description="`geometry: null`: the client draws each H3 cell from its id "
        "(h3-js cellToBoundary); about a third of the bytes of POLYGON.",
    )


@strawberry.input(description="A WGS84 bounding box in degrees.")
class BBox:
    west: float
    south: float
    east: float
    north: float


@strawberry.type(description="An incident as a point on the map (no people).")
class IncidentSummary:
    id: str
    month: str
    crime_type: str
    crime_group: str


@strawberry.type(description="What is behind one cell or area on the map.")
class CellDetails:
    id: str
    month: str | None
    scores: list[JSON] = strawberry.field(
        description="The risk feature properties per crime group, as on the map."
    )
    incident_count: str = strawberry.field(
        description="Incidents in the cell that month; 'fewer than 5' for public under 5."
    )
    location_ids: strawberry.Private[list[str]]
    incident_rows: strawberry.Private[list[IncidentSummary]]
    # Set by the resolver that builds the cell (api.resolvers), so types import no resolver.
    people_at_cell: strawberry.Private[Callable[[Info, str], Awaitable[list[PlacePerson]]]]

    @strawberry.field(
        permission_classes=[roles_for("CellDetails.incidents")],
        description="The incidents behind the score (up to 200); not for public.",
    )
    def incidents(self) -> list[IncidentSummary]:
        return self.incident_rows

    @strawberry.field(
        permission_classes=[roles_for("CellDetails.people")],
        description="People linked to places in the cell (investigator; audited with purpose).",
    )
    async def people(self, info: Info, purpose: str) -> list[PlacePerson]:
        return await self.people_at_cell(info, purpose)
