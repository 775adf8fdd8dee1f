"""Geometry for map features: H3 cell polygons and LSOA 2021 boundaries, with bounds."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import h3

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Shape:
    """Polygons as lists of (lon, lat) rings, outer first, and the bounding box."""

    polygons: tuple[tuple[Ring, ...], ...]
    bounds: tuple[float, float, float, float]  # west, south, east, north


def _bounds(polygons: tuple[tuple[Ring, ...], ...]) -> tuple[float, float, float, float]:
    lons = [p[0] for poly in polygons for p in poly[0]]
    lats = [p[1] for poly in polygons for p in poly[0]]
    return min(lons), min(lats), max(lons), max(lats)


@lru_cache(maxsize=500_000)
def h3_shape(cell: str) -> Shape:
    """The hexagon of an H3 cell, closed, in GeoJSON (lon, lat) order."""
    ring = [(round(lng, 6), round(lat, 6)) for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    polygons = ((tuple(ring),),)
    return Shape(polygons, _bounds(polygons))


def _rings(coords: list) -> tuple[Ring, ...]:
    return tuple(tuple((round(x, 6), round(y, 6)) for x, y, *_ in ring) for ring in coords)


def load_lsoa_shapes(path: Path) -> dict[str, tuple[str, Shape]]:
    """LSOA code → (name, shape) from the ONS boundary file (GeoJSON, optionally gzipped)."""
    if not path.exists():
        return {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        data = json.load(handle)
    shapes: dict[str, tuple[str, Shape]] = {}
    for feature in data["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        if geometry["type"] == "Polygon":
            polygons = (_rings(geometry["coordinates"]),)
        else:
            polygons = tuple(_rings(poly) for poly in geometry["coordinates"])
        shapes[props["LSOA21CD"]] = (
            props.get("LSOA21NM") or "",
            Shape(polygons, _bounds(polygons)),
        )
    return shapes
