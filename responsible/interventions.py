"""The interventions registry (warehouse table ``interventions``) and the stored estimates
(``intervention_impacts``): what was done where and when, for which crime groups.

An area is given as H3 cells (any resolution up to 9; coarser ones stand for their
resolution-9 children), LSOA 2021 codes, or a GeoJSON polygon; it is kept both as given
and as the resolution-9 cells the estimators use (cells whose centre lies inside the
LSOAs or polygon)."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import h3

from core import warehouse
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from risk.areas import BASE_RESOLUTION
from risk.grid import ALL_CRIME

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ID = re.compile(r"^iv-[0-9a-f]{8}$")
KNOWN_GROUPS = frozenset({ALL_CRIME, *POLICE_UK_CRIME_TYPES.values()})

# the warehouse tables this stage writes (defined in core/warehouse_schema.py)
TABLES = ("interventions", "intervention_impacts")


class InterventionError(ValueError):
    """A bad registration or an unknown intervention, naming the field."""


@dataclass(frozen=True)
class Intervention:
    intervention_id: str
    name: str
    area_kind: str
    area_spec: str
    cells: list[str]
    start_month: str
    end_month: str
    crime_groups: list[str]
    registered_at: datetime


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    warehouse.ensure_tables(con, *TABLES)


def check_month(value: str, name: str) -> str:
    if not MONTH.match(value or ""):
        raise InterventionError(f"{name}: month must be YYYY-MM, got {value!r}")
    return value


def check_groups(groups: list[str]) -> list[str]:
    groups = [g.strip() for g in groups if g.strip()] or [ALL_CRIME]
    unknown = [g for g in groups if g not in KNOWN_GROUPS]
    if unknown:
        raise InterventionError(
            f"groups: unknown crime group {unknown[0]!r} (known: {', '.join(sorted(KNOWN_GROUPS))})"
        )
    return groups


def cells_from_h3(cells: list[str]) -> list[str]:
    """Resolution-9 cells for cells of resolution <= 9."""
    out: set[str] = set()
    for cell in cells:
        if not h3.is_valid_cell(cell):
            raise InterventionError(f"cells: {cell!r} is not an H3 cell id")
        res = h3.get_resolution(cell)
        if res > BASE_RESOLUTION:
            raise InterventionError(
                f"cells: {cell} is resolution {res}; use resolution {BASE_RESOLUTION} or coarser"
            )
        out.update([cell] if res == BASE_RESOLUTION else h3.cell_to_children(cell, BASE_RESOLUTION))
    return sorted(out)


def _geometry_cells(geometry: dict, where: str) -> list[str]:
    """Cells whose centre is inside a (Multi)Polygon; a polygon smaller than a cell gets
    the cell holding its first vertex."""
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise InterventionError(f"{where}: geometry must be a Polygon or MultiPolygon, not {kind}")
    cells = set(h3.geo_to_cells(geometry, BASE_RESOLUTION))
    if not cells:
        ring = geometry["coordinates"][0] if kind == "Polygon" else geometry["coordinates"][0][0]
        lon, lat = ring[0][:2]
        cells.add(h3.latlng_to_cell(lat, lon, BASE_RESOLUTION))
    return sorted(cells)


def cells_from_geojson(path: Path) -> list[str]:
    """Cells of every polygon in a GeoJSON file (geometry, Feature or FeatureCollection)."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise InterventionError(f"{path}: no such file") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InterventionError(f"{path}: not valid JSON ({exc})") from exc
    if data.get("type") == "FeatureCollection":
        geometries = [(f.get("geometry") or {}, f"{path} feature {i}")
                      for i, f in enumerate(data.get("features", []))]  # fmt: skip
    elif data.get("type") == "Feature":
        geometries = [(data.get("geometry") or {}, str(path))]
    else:
        geometries = [(data, str(path))]
    if not geometries:
        raise InterventionError(f"{path}: no features")
    return sorted({c for g, where in geometries for c in _geometry_cells(g, where)})


def cells_from_lsoas(codes: list[str], boundaries: Path) -> list[str]:
    """Cells whose centre lies inside the LSOAs (2021 boundaries)."""
    wanted = set(codes)
    opener = gzip.open if boundaries.suffix == ".gz" else open
    with opener(boundaries, "rt") as handle:
        features = json.load(handle)["features"]
    found = {f["properties"]["LSOA21CD"]: f["geometry"] for f in features
             if f["properties"]["LSOA21CD"] in wanted}  # fmt: skip
    missing = sorted(wanted - set(found))
    if missing:
        raise InterventionError(
            f"lsoas: {missing[0]} is not an LSOA 2021 code in {boundaries.name}"
        )
    return sorted({c for code in codes for c in _geometry_cells(found[code], f"lsoas: {code}")})


def register(
    con: duckdb.DuckDBPyConnection,
    name: str,
    area_kind: str,
    area_spec: object,
    cells: list[str],
    start: str,
    end: str,
    groups: list[str],
) -> Intervention:
    """Check and store an intervention; returns it with its new id."""
    check_month(start, "start")
    check_month(end, "end")
    if end < start:
        raise InterventionError(f"end: {end} is before start {start}")
    if not cells:
        raise InterventionError("area: it covers no H3 cell")
    ensure_tables(con)
    item = Intervention(
        intervention_id=f"iv-{uuid.uuid4().hex[:8]}",
        name=name,
        area_kind=area_kind,
        area_spec=json.dumps(area_spec),
        cells=sorted(cells),
        start_month=start,
        end_month=end,
        crime_groups=check_groups(groups),
        registered_at=datetime.now(UTC).replace(tzinfo=None),
    )
    con.execute(
        "INSERT INTO interventions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [item.intervention_id, item.name, item.area_kind, item.area_spec, item.cells,
         item.start_month, item.end_month, item.crime_groups, item.registered_at],
    )  # fmt: skip
    return item


_COLUMNS = (
    "intervention_id, name, area_kind, area_spec, cells, start_month, end_month, "
    "crime_groups, registered_at"
)


def all_interventions(con: duckdb.DuckDBPyConnection) -> list[Intervention]:
    if not warehouse.table_exists(con, "interventions"):
        return []
    rows = con.execute(f"SELECT {_COLUMNS} FROM interventions ORDER BY registered_at").fetchall()
    return [Intervention(*row) for row in rows]


def get(con: duckdb.DuckDBPyConnection, intervention_id: str) -> Intervention:
    if not ID.match(intervention_id or ""):
        raise InterventionError(f"id: {intervention_id!r} is not an intervention id (iv-xxxxxxxx)")
    rows = (
        con.execute(
            f"SELECT {_COLUMNS} FROM interventions WHERE intervention_id = ?", [intervention_id]
        ).fetchall()
        if warehouse.table_exists(con, "interventions")
        else []
    )
    if not rows:
        raise InterventionError(
            f"id: no intervention {intervention_id}; see `crimegraph impact list`"
        )
    return Intervention(*rows[0])


def save_result(
    con: duckdb.DuckDBPyConnection, intervention_id: str, result: dict, report: Path | None
) -> None:
    ensure_tables(con)
    con.execute(
        "INSERT OR REPLACE INTO intervention_impacts VALUES (?, ?, ?, ?)",
        [intervention_id, datetime.now(UTC).replace(tzinfo=None), json.dumps(result),
         str(report) if report else None],
    )  # fmt: skip


def load_result(
    con: duckdb.DuckDBPyConnection, intervention_id: str
) -> tuple[dict, datetime] | None:
    """The last stored estimate of an intervention and when it was made, if any."""
    if not warehouse.table_exists(con, "interventions"):
        return None
    rows = con.execute(
        "SELECT result, estimated_at FROM intervention_impacts WHERE intervention_id = ?",
        [intervention_id],
    ).fetchall()
    return (json.loads(rows[0][0]), rows[0][1]) if rows else None
