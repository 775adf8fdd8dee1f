"""The map and review pages (built by `make web` into web/dist/) and the force-area base
layer they draw, served beside the GraphQL API so one server answers everything."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from shapely.geometry import mapping
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from core.settings import WEB_DIR, Settings
from resolver.geography import read_force_areas

FORCE_AREAS = Path("geo") / "police-force-areas.geojson.gz"
NOT_BUILT = "The web pages are not built: run `make web` (npm ci && npm run build in web/)."


@functools.lru_cache(maxsize=4)
def force_areas_geojson(path: Path) -> bytes:
    """The 43 force areas as one FeatureCollection, props {code, name, pfaCode}: the map's
    base layer, read once from the ONS boundaries in the source data."""
    features = [
        {
            "type": "Feature",
            "id": area.code,
            "properties": {"code": area.code, "name": area.name, "pfaCode": area.pfa_code},
            "geometry": mapping(area.geometry),
        }
        for area in read_force_areas(path)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def web_routes(settings: Settings, dist: Path = WEB_DIR / "dist") -> list[BaseRoute]:
    """Routes for `/` (map), `/review`, `/assets/*` and `/web/forces.geojson`."""

    def page(name: str):
        async def endpoint(request: Request) -> Response:
            path = dist / name
            if not path.is_file():
                return PlainTextResponse(NOT_BUILT, status_code=503)
            return FileResponse(path, media_type="text/html", headers={"cache-control": "no-cache"})

        return endpoint

    async def forces(request: Request) -> Response:
        path = settings.sources.force_areas
        if not path.is_file():
            return JSONResponse({"error": f"force areas not found at {path}"}, status_code=404)
        return Response(
            force_areas_geojson(path),
            media_type="application/geo+json",
            headers={"cache-control": "max-age=3600"},
        )

    return [
        Route("/", page("index.html")),
        Route("/review", page("review.html")),
        Route("/web/forces.geojson", forces),
        Mount("/assets", app=StaticFiles(directory=dist / "assets", check_dir=False)),
    ]
