"""Reference geography: police force areas and LSOA centres (ONS, OGL v3.0).

Areas are tied to the force whose boundary holds their centre, which is how a
crime a force reported outside its own area still lands in the right place.
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape

from resolver.forces import force_code

# How far outside a simplified boundary a point may fall and still belong to it.
COAST_TOLERANCE_DEGREES = 0.05


@dataclass(frozen=True)
class ForceArea:
    code: str
    name: str
    pfa_code: str
    geometry: shapely.Geometry


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def read_force_areas(path: Path) -> list[ForceArea]:
    """The 43 force areas of England and Wales from the ONS GeoJSON."""
    with _open_text(path) as handle:
        collection = json.load(handle)
    areas = []
    for feature in collection["features"]:
        props = feature["properties"]
        areas.append(
            ForceArea(
                code=force_code(props["PFA20NM"]),
                name=props["PFA20NM"],
                pfa_code=props["PFA20CD"],
                geometry=shape(feature["geometry"]),
            )
        )
    return areas


def read_lsoa_centroids(path: Path) -> dict[str, tuple[float, float]]:
    """LSOA code → (latitude, longitude) for 2011 and 2021 codes."""
    centroids: dict[str, tuple[float, float]] = {}
    with _open_text(path) as handle:
        for row in csv.DictReader(handle):
            try:
                point = (float(row["latitude"]), float(row["longitude"]))
            except (TypeError, ValueError):
                continue  # reference rows without a usable centre give no point
            centroids[row["LSOACD"]] = point
            centroids.setdefault(row.get("lsoa11cd") or row["LSOACD"], point)
    return centroids


def force_of_points(areas: list[ForceArea], points: list[tuple[float, float]]) -> list[str | None]:
    """For each (lat, lon), the code of the force area containing it (None if none)."""
    if not points:
        return []
    tree = shapely.STRtree([area.geometry for area in areas])
    geoms = shapely.points([(lon, lat) for lat, lon in points])
    result: list[str | None] = [None] * len(points)
    point_idx, area_idx = tree.query(geoms, predicate="within")
    for p, a in zip(point_idx.tolist(), area_idx.tolist(), strict=True):
        if result[p] is None:
            result[p] = areas[a].code
    # Simplified boundaries leave slivers along the coast: take the nearest area there.
    missing = [i for i, code in enumerate(result) if code is None]
    if missing:
        nearest = tree.query_nearest(
            geoms[missing], max_distance=COAST_TOLERANCE_DEGREES, all_matches=False
        )
        for p, a in zip(nearest[0].tolist(), nearest[1].tolist(), strict=True):
            result[missing[p]] = areas[a].code
    return result
