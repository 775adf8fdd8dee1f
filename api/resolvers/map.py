"""Map layers: months, crime groups, areas, risk, hotspots, forecasts, incidents, cells."""

from __future__ import annotations

from typing import Annotated

import h3
import numpy as np
import strawberry
from strawberry.types import Info

from api import arguments
from api.context import driver, is_public, store
from api.errors import BadInput
from api.heavy import run_heavy
from api.layer_reload import ReloadJob
from api.limits import check_page
from api.resolvers.people import cell_people
from api.types.map import (
    AreaLevel,
    CellDetails,
    IncidentSummary,
    LayerGeometry,
    LayerReload,
    ReloadStatus,
)
from api.types.map import BBox as BBoxInput
from graph import investigator_reads
from layers import geojson
from layers.store import LayerStore, SliceKey
from responsible.disclosure import published_count

CELL_INCIDENT_CAP = 200
# A map click is on a cell the map draws (res 7 to 9): a coarser cell would make one
# request expand thousands of children (res 1: 40 million at res 9) and stall the server.
COARSEST_CELL = 7
FINEST_CELL = 9


def layer_keys(
    s: LayerStore,
    layer: str,
    month: str | None,
    resolution: int,
    level: str,
    groups: list[str] | None,
) -> list[SliceKey]:
    """The slices a layer request asks for, its arguments checked."""
    month = arguments.month(month) or s.latest_month(layer)
    chosen = arguments.crime_groups(s, groups)
    if level == "h3":
        arguments.resolution(s, layer, resolution)
        return [(month or "", "h3", resolution, g) for g in chosen]
    return [(month or "", "lsoa", -1, g) for g in chosen]


def months(info: Info) -> list[str]:
    return store(info).months


def crime_groups(info: Info) -> list[str]:
    return store(info).crime_groups


async def areas(
    info: Info, bbox: BBoxInput | None = None, force: str | None = None
) -> geojson.RawJSON:
    s = store(info)
    box = arguments.bounding_box(bbox) if bbox else None
    chosen = arguments.force(s, force)
    # Layer answers are built in a worker thread: slow work never blocks the event loop.
    return await run_heavy(lambda: geojson.collection(s.area_features(box, chosen)))


async def _layer(
    info: Info,
    layer: str,
    bbox: BBoxInput,
    month: str | None,
    resolution: int,
    level: str,
    groups: list[str] | None,
    geometry: LayerGeometry,
) -> geojson.RawJSON:
    s = store(info)
    box = arguments.bounding_box(bbox)
    keys = layer_keys(s, layer, month, resolution, level, groups)
    if geometry is LayerGeometry.NONE and level != "h3":
        raise BadInput("geometry", "geometry NONE is for H3 cells; LSOAs need POLYGON")
    polygons = geometry is LayerGeometry.POLYGON
    return await run_heavy(s.collection, layer, keys, box, is_public(info), polygons)


async def risk_layer(
    info: Info,
    bbox: BBoxInput,
    month: str | None = None,
    resolution: int = 9,
    area_level: AreaLevel = AreaLevel.H3,
    crime_groups: list[str] | None = None,
    geometry: LayerGeometry = LayerGeometry.POLYGON,
) -> geojson.RawJSON:
    level = area_level.value
    return await _layer(info, "risk", bbox, month, resolution, level, crime_groups, geometry)


def _h3_layer(layer: str):
    """The resolver of an H3-only layer (hotspots, forecasts): one signature for both."""

    async def resolve(
        info: Info,
        bbox: BBoxInput,
        month: str | None = None,
        resolution: int = 9,
        crime_groups: list[str] | None = None,
        geometry: LayerGeometry = LayerGeometry.POLYGON,
    ) -> geojson.RawJSON:
        return await _layer(info, layer, bbox, month, resolution, "h3", crime_groups, geometry)

    return resolve


hotspots = _h3_layer("hotspots")
forecast_layer = _h3_layer("forecast")


async def incidents(
    info: Info,
    bbox: BBoxInput,
    from_: Annotated[str | None, strawberry.argument(name="from")] = None,
    to: str | None = None,
    types: list[str] | None = None,
    first: int = 500,
) -> geojson.RawJSON:
    s = store(info)
    box = arguments.bounding_box(bbox)
    months = (arguments.month(from_, "from"), arguments.month(to, "to"))
    types_chosen = arguments.crime_types(s, types)
    limit = check_page("incidents", first)

    def build() -> geojson.RawJSON:
        chosen = s.incidents.select(box, months, types_chosen)
        return geojson.collection(s.incidents.feature(int(i)) for i in chosen[:limit])

    return await run_heavy(build)


def _cell_members(s: LayerStore, cell_id: str, month: str | None) -> np.ndarray:
    """Indices of incidents inside an H3 cell (any resolution up to 9) or an LSOA."""
    inc = s.incidents
    chosen = inc.select(months=(month, month))
    if cell_id[0] in "EW" and len(cell_id) == 9:
        return chosen[inc.lsoa[chosen] == cell_id]
    res = h3.get_resolution(cell_id)
    # Only incidents whose location is near the cell can fall in it: filter by bbox first.
    lats, lngs = zip(*h3.cell_to_boundary(cell_id), strict=True)
    box = (min(lngs), min(lats), max(lngs), max(lats))
    near = chosen[np.isin(chosen, inc.select(bbox=box))]
    parents = [
        c is not None and h3.cell_to_parent(c, res) == cell_id if res < 9 else c == cell_id
        for c in inc.h3_cell[near]
    ]
    return near[np.array(parents, dtype=bool)] if len(near) else near


async def cell(
    info: Info, id: str, month: str | None = None, crime_groups: list[str] | None = None
) -> CellDetails | None:
    s = store(info)
    cell_id = arguments.cell_id(id)
    month = arguments.month(month) or s.latest_month("risk")
    level = "lsoa" if cell_id[0] in "EW" and len(cell_id) == 9 else "h3"
    res = -1 if level == "lsoa" else h3.get_resolution(cell_id)
    if level == "h3" and not COARSEST_CELL <= res <= FINEST_CELL:
        raise BadInput(
            "id", f"cells of H3 resolution {COARSEST_CELL} to {FINEST_CELL} are served, got {res}"
        )
    groups = arguments.crime_groups(s, crime_groups)
    keys = [(month or "", level, res, g) for g in groups]
    public = is_public(info)
    scores = s.rows("risk", keys, cell_id, public=public)
    members = await run_heavy(_cell_members, s, cell_id, month)
    inc = s.incidents
    count = len(members)
    locations: list[str] = []
    if not public and level == "h3":
        cells = [cell_id] if res == 9 else list(h3.cell_to_children(cell_id, 9))
        locations = await investigator_reads.locations_in_cells(driver(info), cells[:5000])
    rows = [
        IncidentSummary(
            id=inc.ids[i],
            month=inc.month[i],
            crime_type=inc.crime_type[i],
            crime_group=inc.crime_group[i],
        )
        for i in members[:CELL_INCIDENT_CAP]
    ]
    return CellDetails(
        id=cell_id,
        month=month,
        scores=scores,
        incident_count=(
            str(published_count(count, s.disclosure_key, "cell", month, level, res, cell_id))
            if public
            else str(count)
        ),
        location_ids=locations,
        incident_rows=rows,
        people_at_cell=lambda info, purpose: cell_people(info, locations, purpose, cell_id),
    )


def _reload(job: ReloadJob) -> LayerReload:
    return LayerReload(
        id=strawberry.ID(job.id),
        status=ReloadStatus(job.status),
        started_at=job.started_at,
        finished_at=job.finished_at,
        layers=list(job.layers),
        error=job.error,
    )


async def reload_layers(info: Info) -> LayerReload:
    """Start re-reading the layers (or join the reload already running); answers at once."""
    return _reload(info.context["layer_reloads"].start())


async def layer_reload(info: Info) -> LayerReload | None:
    """The latest layer reload in this server process, or null if none has run."""
    job = info.context["layer_reloads"].latest()
    return _reload(job) if job is not None else None
