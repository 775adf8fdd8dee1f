"""Map layers as Mapbox Vector Tiles: ``GET /tiles/{layer}/{z}/{x}/{y}.mvt``.

The same store, arguments and role rules as GraphQL: public gets small counts
suppressed and no incident points.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from typing import Any

import mapbox_vector_tile
from shapely.geometry import MultiPolygon, Point, Polygon
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api import arguments
from api.auth import PUBLIC, Principal
from api.errors import BAD_USER_INPUT, FORBIDDEN, BadInput
from api.heavy import run_heavy
from api.permissions import allowed
from api.resolvers.map import layer_keys
from api.response_cache import CACHE_HEADER, StoreBoundCache
from layers.shapes import Shape
from layers.store import BBox, LayerStore

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 20
TILE_LAYER_FIELDS = {
    "risk": "riskLayer",
    "hotspots": "hotspots",
    "forecast": "forecastLayer",
    "incidents": "incidents",
    "areas": "areas",
}
MVT_TYPE = "application/vnd.mapbox-vector-tile"


def tile_bbox(z: int, x: int, y: int) -> BBox:
    """The WGS84 bounds of a Web Mercator (XYZ) tile."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point (the inverse of ``tile_bbox``)."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _projector(z: int, x: int, y: int):
    """(lon, lat) → tile pixel coordinates, y down."""
    scale = 2**z * EXTENT

    def project(lon: float, lat: float) -> tuple[float, float]:
        px = (lon + 180) / 360 * scale - x * EXTENT
        s = math.sin(math.radians(max(min(lat, 85.0511), -85.0511)))
        py = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale - y * EXTENT
        return px, py

    return project


def _geometry(shape: Shape, project) -> Polygon | MultiPolygon:
    polys = [
        Polygon([project(*p) for p in poly[0]], [[project(*p) for p in ring] for ring in poly[1:]])
        for poly in shape.polygons
    ]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _encode(name: str, features: Iterable[dict[str, Any]]) -> bytes:
    layer = {"name": name, "features": list(features)}
    return mapbox_vector_tile.encode(
        [layer], default_options={"y_coord_down": True, "extents": EXTENT}
    )


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


def render(
    store: LayerStore, who: Principal, layer: str, z: int, x: int, y: int, query: dict[str, str]
) -> bytes:
    """The tile's bytes; raises BadInput or PermissionError like the GraphQL fields."""
    if layer not in TILE_LAYER_FIELDS:
        raise BadInput("layer", f"unknown layer {layer!r}; one of {', '.join(TILE_LAYER_FIELDS)}")
    if not allowed(TILE_LAYER_FIELDS[layer], who.role):
        raise PermissionError(f"the {layer} layer is not available to this role")
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise BadInput("z/x/y", f"no tile {z}/{x}/{y}")
    west, south, east, north = tile_bbox(z, x, y)
    pad_x, pad_y = (east - west) * BUFFER / EXTENT, (north - south) * BUFFER / EXTENT
    box = (west - pad_x, max(south - pad_y, -90), east + pad_x, min(north + pad_y, 90))
    project = _projector(z, x, y)
    public = who.role == PUBLIC
    if layer == "incidents":
        inc = store.incidents
        month = arguments.month(query.get("month"))
        chosen = inc.select(
            box, (month, month), arguments.crime_types(store, _list(query, "types"))
        )
        features = [
            {
                "geometry": Point(project(float(inc.lon[i]), float(inc.lat[i]))),
                "properties": {
                    "id": inc.ids[i],
                    "month": inc.month[i],
                    "crimeType": inc.crime_type[i],
                },
            }
            for i in chosen[:20_000]
        ]
        return _encode(layer, features)
    if layer == "areas":
        areas = store.area_slice()
        pairs = [(areas.shapes[i], areas.properties[i]) for i in areas.within(box)]
    else:
        try:
            resolution = int(query.get("resolution", "9"))
        except ValueError as exc:
            raise BadInput("resolution", "resolution must be an integer") from exc
        level = query.get("areaLevel", "h3").lower()
        if level not in ("h3", "lsoa"):
            raise BadInput("areaLevel", "areaLevel must be h3 or lsoa")
        keys = layer_keys(
            store, layer, query.get("month"), resolution, level, _list(query, "crimeGroups")
        )
        pairs = list(store.shapes_in(layer, keys, box, public))
    return _encode(
        layer, ({"geometry": _geometry(s, project), "properties": _clean(p)} for s, p in pairs)
    )


def _list(query: dict[str, str], name: str) -> list[str] | None:
    value = query.get(name)
    return [v for v in value.split(",") if v] if value else None


# The query parameters each layer's tiles take; anything else is refused, so junk
# parameters cannot make every request a fresh render.
TILE_PARAMETERS = {
    "risk": frozenset({"month", "resolution", "areaLevel", "crimeGroups"}),
    "hotspots": frozenset({"month", "resolution", "crimeGroups"}),
    "forecast": frozenset({"month", "resolution", "crimeGroups"}),
    "incidents": frozenset({"month", "types"}),
    "areas": frozenset(),
}


def normalised_query(layer: str, items: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The tile request's parameters, checked and in one order (the cache key)."""
    allowed_names = TILE_PARAMETERS.get(layer, frozenset())
    seen: dict[str, str] = {}
    for name, value in items:
        if name not in allowed_names:
            known = ", ".join(sorted(allowed_names)) or "none"
            raise BadInput(name, f"unknown parameter {name!r} for {layer} tiles (known: {known})")
        if name in seen:
            raise BadInput(name, f"parameter {name!r} given twice")
        seen[name] = value
    return tuple(sorted(seen.items()))


TILE_CACHE_ENTRIES = 4096
TILE_CACHE_BYTES = 128 * 1024 * 1024


def tile_cache() -> StoreBoundCache:
    """Rendered tiles, per role and tile request, until the layers change where the tile
    is: a low-zoom risk tile over Wales takes over a second to render and map clients ask
    for it again on every pan, while live incidents change a few cells at a time."""
    return StoreBoundCache(TILE_CACHE_ENTRIES, TILE_CACHE_BYTES, area_of=_tile_area)


def _tile_area(key: tuple) -> BBox:
    """The box a cached tile covers: live changes elsewhere leave it cached. A tile draws
    cells whose centre falls in it, so a changed cell over its edge still touches it."""
    _role, _layer, z, x, y, _query = key
    return tile_bbox(int(z), int(x), int(y))


async def tile_endpoint(request: Request) -> Response:
    p = request.path_params
    who: Principal = request.scope["state"]["principal"]
    state = request.app.state
    store = state.layers.store
    answers = state.tile_cache.current(store)
    try:
        query = normalised_query(p["layer"], request.query_params.multi_items())
    except BadInput as exc:
        return JSONResponse({"error": exc.message, **(exc.extensions or {})}, status_code=400)
    key = (who.role, p["layer"], p["z"], p["x"], p["y"], query)
    if (body := answers.get(key)) is not None:
        return _tile_response(body, "HIT")
    # One render per tile and layer version: concurrent asks for it wait for the first.
    flights: dict = state.tile_flights
    flight_key = (id(store), store.version, key)
    if (pending := flights.get(flight_key)) is not None:
        body = await asyncio.shield(pending)
        return _tile_response(body, "HIT") if body is not None else await tile_endpoint(request)
    pending = flights[flight_key] = asyncio.get_running_loop().create_future()
    body = None
    try:
        body = await run_heavy(render, store, who, p["layer"], p["z"], p["x"], p["y"], dict(query))
    except BadInput as exc:
        return JSONResponse({"error": exc.message, **(exc.extensions or {})}, status_code=400)
    except PermissionError as exc:
        return JSONResponse({"error": str(exc), "code": FORBIDDEN}, status_code=403)
    finally:
        flights.pop(flight_key, None)
        pending.set_result(body)  # None: the waiters render (and fail) for themselves
    state.tile_cache.keep(answers, state.layers.store, key, body)
    return _tile_response(body, "MISS")


def _tile_response(body: bytes, cache: str) -> Response:
    headers = {"cache-control": "private, max-age=60", CACHE_HEADER.decode(): cache}
    return Response(body, media_type=MVT_TYPE, headers=headers)


__all__ = ["BAD_USER_INPUT", "render", "tile_bbox", "tile_endpoint", "tile_for"]
