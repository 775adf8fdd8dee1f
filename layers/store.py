"""The in-memory layer store: risk, hotspot, forecast, incident and area layers.

The API must not hold the DuckDB warehouse open (CLI commands write to it), so the
layers are read once through a read-only connection, indexed in memory and the
connection closed; ``LayerStore.load`` again to reload. Each (layer, month, level,
resolution, crime group) slice keeps its features pre-serialised with their bounding
boxes in numpy arrays, so a bounding-box query is one vectorised comparison and a join.
Whole answers (the collection for one layer, slices, box, audience and geometry) are kept
too, so the same map view asked again is spliced into the response as it is; ``version``
counts changes and ``invalidate`` drops both caches when cells change (a reload builds a
fresh store).
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import h3
import numpy as np
import pandas as pd

from core import warehouse
from core.warehouse_schema import RISK_WATERMARK
from layers import geojson
from layers.shapes import Shape, h3_shape, load_lsoa_shapes
from responsible import disclosure
from risk.scores import SCORE_WEIGHTS

ALL_CRIME = "All crime"
FEWER_THAN_5 = disclosure.FEWER_THAN_5
SMALL_COUNT = disclosure.SMALL_COUNT
_SLICE_CACHE = 256
_ANSWER_CACHE_BYTES = 256 * 1024 * 1024
_CHANGE_LOG_VERSIONS = 1024  # live changes remembered, for caches catching up

BBox = tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True)
class LayerTable:
    """Where a layer lives in the warehouse and which columns key its slices."""

    table: str
    id_column: str
    level_column: str | None  # None: always H3
    key_columns: tuple[str, ...] = ("month", "area_level", "resolution", "crime_group")


LAYER_TABLES = {
    "risk": LayerTable("risk_scores", "area_id", "area_level"),
    "hotspots": LayerTable("hotspots", "area_id", "area_level"),
    "forecast": LayerTable(
        "forecasts", "cell", None, key_columns=("month", "resolution", "crime_group")
    ),
}
LIVE_RISK_COLUMNS = ("harm", "incidents", "score")
_NOT_PROPERTIES = {"month", "area_level", "resolution", "area_id", "cell", "crime_group"}

SliceKey = tuple[str, str, int, str]  # month, level ('h3'|'lsoa'), resolution (-1: lsoa), group


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as JSON-ready Python values (NaN → None)."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, 6)
    return value


@dataclass
class Slice:
    """One layer slice: ids, shapes, properties, and features serialised for each audience
    (the public's from their public properties, ``responsible.disclosure``)."""

    ids: list[str]
    shapes: list[Shape]
    properties: list[dict[str, Any]]
    public_properties: list[dict[str, Any]]
    full: list[str]
    public: list[str]
    bounds: np.ndarray  # (n, 4): west, south, east, north
    position: dict[str, int] = field(default_factory=dict)
    _unlocated: dict[bool, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        ids: list[str],
        shapes: list[Shape],
        props: list[dict[str, Any]],
        public_props: list[dict[str, Any]] | None = None,
    ) -> Slice:
        """``public_props``: what the public may see of each feature (default: all of it)."""
        full = [_feature(i, s, p) for i, s, p in zip(ids, shapes, props, strict=True)]
        if public_props is None:
            public_props, public = props, full
        else:
            public = [_feature(i, s, q) for i, s, q in zip(ids, shapes, public_props, strict=True)]
        bounds = np.array([s.bounds for s in shapes], dtype=np.float64).reshape(-1, 4)
        position = {k: n for n, k in enumerate(ids)}
        return cls(ids, shapes, props, public_props, full, public, bounds, position)

    def within(self, bbox: BBox) -> np.ndarray:
        """Indices of features whose bounding box meets ``bbox``."""
        west, south, east, north = bbox
        b = self.bounds
        mask = (b[:, 0] <= east) & (b[:, 2] >= west) & (b[:, 1] <= north) & (b[:, 3] >= south)
        return np.flatnonzero(mask)

    def features(self, bbox: BBox, public: bool, geometry: bool = True) -> list[str]:
        chosen = (self.public if public else self.full) if geometry else self.unlocated(public)
        return [chosen[i] for i in self.within(bbox)]

    def replace(
        self,
        area_id: str,
        props: dict[str, Any],
        public_props: dict[str, Any],
        full: str,
        public: str,
    ) -> None:
        """Put one area's rescored feature in place (the live path); no-op if absent."""
        if (at := self.position.get(area_id)) is not None:
            self.properties[at], self.public_properties[at] = props, public_props
            self.full[at], self.public[at] = full, public
            self._unlocated.clear()

    def unlocated(self, public: bool) -> list[str]:
        """The features with ``"geometry": null``, serialised on first use."""
        if (found := self._unlocated.get(public)) is None:
            props = self.public_properties if public else self.properties
            found = [geojson.unlocated_feature(i, p) for i, p in zip(self.ids, props, strict=True)]
            self._unlocated[public] = found
        return found


def _component_means(columns: dict[str, Any]) -> dict[str, float]:
    """Each score component's mean over a slice's rows: the yardstick its scores are
    relative to, the same for a batch slice, a live rescoring and the public open score
    (a component the layer lacks counts as 0)."""
    return {
        c: float(np.asarray(columns[c], dtype=float).mean()) if c in columns else 0.0
        for c in SCORE_WEIGHTS
    }


def _feature(feature_id: str, shape: Shape, properties: dict[str, Any]) -> str:
    if len(shape.polygons) == 1:
        return geojson.polygon_feature(feature_id, shape.polygons[0], properties)
    return geojson.multipolygon_feature(feature_id, shape.polygons, properties)


@dataclass
class Incidents:
    """Incident points as columns: a bbox, month range and type filter is a numpy mask."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    month: np.ndarray  # 'YYYY-MM' strings, comparable in order
    crime_type: np.ndarray
    crime_group: np.ndarray
    h3_cell: np.ndarray
    lsoa: np.ndarray

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Incidents:
        def col(name: str, dtype: Any = object) -> np.ndarray:
            return df[name].to_numpy(dtype=dtype)

        return cls(
            col("incident_id"),
            col("longitude", np.float64),
            col("latitude", np.float64),
            col("month"),
            col("crime_type"),
            col("crime_group"),
            col("h3_cell"),
            col("lsoa_code"),
        )

    def select(
        self,
        bbox: BBox | None = None,
        months: tuple[str | None, str | None] = (None, None),
        types: list[str] | None = None,
        groups: list[str] | None = None,
    ) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        if bbox is not None:
            west, south, east, north = bbox
            mask &= (self.lon >= west) & (self.lon <= east)
            mask &= (self.lat >= south) & (self.lat <= north)
        if months[0]:
            mask &= self.month >= months[0]
        if months[1]:
            mask &= self.month <= months[1]
        if types:
            mask &= np.isin(self.crime_type, types)
        if groups and ALL_CRIME not in groups:
            mask &= np.isin(self.crime_group, groups)
        return np.flatnonzero(mask)

    def holding(self, ids: set[str], months: set[str]) -> set[str]:
        """Which of ``ids`` these incidents hold, looked for only among ``months`` (a
        national map holds millions; live arrivals are of a month or two)."""
        rows = np.flatnonzero(np.isin(self.month, sorted(months)))
        return ids & set(self.ids[rows].tolist())

    def extend(self, df: pd.DataFrame) -> Incidents:
        """These incidents and the rows of ``df`` (live arrivals), as a new object."""
        more = Incidents.from_frame(df)
        return Incidents(
            *(
                np.concatenate([getattr(self, f.name), getattr(more, f.name)])
                for f in dataclasses.fields(self)
            )
        )

    def feature(self, i: int) -> str:
        props = {
            "id": self.ids[i],
            "month": self.month[i],
            "crimeType": self.crime_type[i],
            "crimeGroup": self.crime_group[i],
        }
        return geojson.point_feature(self.ids[i], float(self.lon[i]), float(self.lat[i]), props)


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.sql(sql).to_arrow_table().to_pandas()


class LayerStore:
    """Every map layer in memory; safe to share between requests (slices build once)."""

    def __init__(
        self,
        tables: dict[str, pd.DataFrame],
        incidents: pd.DataFrame,
        areas: pd.DataFrame,
        lsoa_shapes: dict[str, tuple[str, Shape]],
        disclosure_key: bytes | None = None,
        risk_live_through: tuple[str, int] | None = None,
    ) -> None:
        """``disclosure_key``: the secret behind the public counts' cell keys; without
        one a random key is used, which holds for this process only.
        ``risk_live_through``: (journal id, seq) of the last live entry the risk tables
        count (``live_watermarks``); the live overlay rescores only for later ones."""
        self.disclosure_key = disclosure_key or secrets.token_bytes(32)
        self.risk_live_through = risk_live_through
        self._tables = tables
        self._groups: dict[str, dict[SliceKey, np.ndarray]] = {
            name: self._index(name, df) for name, df in tables.items()
        }
        self.incidents = Incidents.from_frame(incidents)
        self._lsoa_shapes = lsoa_shapes
        self._area_force = dict(zip(areas["lsoa_code"], areas["force_code"], strict=True))
        self._area_slice: Slice | None = None
        self._cache: OrderedDict[tuple[str, SliceKey], Slice] = OrderedDict()
        self._answers: OrderedDict[tuple, geojson.RawJSON] = OrderedDict()
        self._answer_bytes = 0
        self._lock = threading.Lock()
        self._area_lock = threading.Lock()
        self.version = 0
        # Where each version's live changes were (version -> boxes; None: anywhere), so a
        # cache of map tiles keeps the tiles no change touched (api/response_cache.py).
        self._changes: OrderedDict[int, tuple[BBox, ...] | None] = OrderedDict()
        self._pending_changes: list[BBox] = []
        self._risk_live: dict[SliceKey, tuple[dict[str, int], dict[str, float]]] = {}
        self._risk_columns: dict[str, np.ndarray] = {}  # risk values, kept current live
        self._risk_value_columns: list[str] = []
        layer_months = {k[0] for groups in self._groups.values() for k in groups}
        self.months = sorted(layer_months | set(np.unique(self.incidents.month).tolist()))
        self.crime_types = sorted(set(np.unique(self.incidents.crime_type).tolist()))
        layer_groups = {k[3] for groups in self._groups.values() for k in groups}
        incident_groups = set(np.unique(self.incidents.crime_group).tolist())
        self.crime_groups = sorted(layer_groups | incident_groups | {ALL_CRIME})
        self.forces = sorted({f for f in self._area_force.values() if isinstance(f, str)})

    @classmethod
    def load(
        cls, warehouse_path: Path, lsoa_boundaries: Path, disclosure_key: bytes | None = None
    ) -> LayerStore:
        """Read the layers through a read-only connection and close it at once."""
        tables: dict[str, pd.DataFrame] = {}
        empty_incidents = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in INCIDENT_COLUMNS}
        ).astype({"longitude": np.float64, "latitude": np.float64})
        incidents, areas = empty_incidents, pd.DataFrame({"lsoa_code": [], "force_code": []})
        risk_live_through = None
        if warehouse_path.exists():
            con = warehouse.connect_read_only(warehouse_path)
            try:
                for name, spec in LAYER_TABLES.items():
                    if warehouse.table_exists(con, spec.table):
                        tables[name] = _frame(con, f"SELECT * FROM {spec.table}")
                if warehouse.has_tables(con, "incidents", "locations"):
                    incidents = _frame(con, _INCIDENTS_SQL)
                if warehouse.table_exists(con, "areas"):
                    areas = _frame(con, "SELECT lsoa_code, force_code FROM areas")
                risk_live_through = warehouse.live_watermark(con, RISK_WATERMARK)
            finally:
                con.close()
        shapes = load_lsoa_shapes(lsoa_boundaries)
        return cls(tables, incidents, areas, shapes, disclosure_key, risk_live_through)

    @staticmethod
    def _index(name: str, df: pd.DataFrame) -> dict[SliceKey, np.ndarray]:
        spec = LAYER_TABLES[name]
        level = df[spec.level_column] if spec.level_column else pd.Series("h3", index=df.index)
        level = level.str.lower()
        res = df["resolution"].where(level == "h3", -1).fillna(-1).astype(int)
        keys = pd.DataFrame(
            {"month": df["month"], "level": level, "res": res, "group": df["crime_group"]}
        )
        return {
            (str(m), str(lv), int(r), str(g)): idx
            for (m, lv, r, g), idx in keys.groupby(
                ["month", "level", "res", "group"]
            ).indices.items()
        }

    # --- what exists -------------------------------------------------------------

    def has_layer(self, layer: str) -> bool:
        return bool(self._groups.get(layer))

    def resolutions(self, layer: str) -> list[int]:
        return sorted({k[2] for k in self._groups.get(layer, {}) if k[1] == "h3"})

    def latest_month(self, layer: str) -> str | None:
        months = [k[0] for k in self._groups.get(layer, {})]
        return max(months) if months else (self.months[-1] if self.months else None)

    # --- slices ------------------------------------------------------------------

    def slice(self, layer: str, key: SliceKey) -> Slice | None:
        """The slice for ``key`` (built on first use, then cached), or None if no rows."""
        rows = self._groups.get(layer, {}).get(key)
        if rows is None:
            return None
        cache_key = (layer, key)
        with self._lock:
            if (found := self._cache.get(cache_key)) is not None:
                self._cache.move_to_end(cache_key)
                return found
            version = self.version
        built = self._build(layer, key, rows)
        with self._lock:
            if version == self.version:  # not built from cells changed meanwhile
                self._cache[cache_key] = built
            while len(self._cache) > _SLICE_CACHE:
                self._cache.popitem(last=False)
        return built

    def _build(self, layer: str, key: SliceKey, rows: np.ndarray) -> Slice:
        spec = LAYER_TABLES[layer]
        df = self._tables[layer].iloc[rows]
        value_columns = [c for c in df.columns if c not in _NOT_PROPERTIES]
        ids, shapes, props = [], [], []
        live = self._risk_columns if layer == "risk" else {}
        for pos, record in zip(rows, df.to_dict("records"), strict=True):
            for c in LIVE_RISK_COLUMNS if live else ():  # values live incidents moved
                record[c] = live[c][pos]
            area_id = str(record[spec.id_column])
            shape = self._shape(key[1], area_id)
            if shape is None:
                continue
            p: dict[str, Any] = {"id": area_id}
            p.update({disclosure.property_name(c): _plain(record[c]) for c in value_columns})
            p["month"], p["crimeGroup"] = key[0], key[3]
            ids.append(area_id)
            shapes.append(shape)
            props.append(p)
        means = None
        if layer == "risk":
            present = [c for c in SCORE_WEIGHTS if c in df.columns]
            means = _component_means({c: live[c][rows] if live else df[c] for c in present})
        public = [self._public(layer, key, p, means) for p in props]
        return Slice.build(ids, shapes, props, public)

    def _public(
        self, layer: str, key: SliceKey, props: dict[str, Any], means: dict[str, float] | None
    ) -> dict[str, Any]:
        return disclosure.public_properties(
            layer, props, self.disclosure_key, means=means, weights=SCORE_WEIGHTS,
            level=key[1], resolution=key[2],
        )  # fmt: skip

    def _shape(self, level: str, area_id: str) -> Shape | None:
        if level == "lsoa":
            found = self._lsoa_shapes.get(area_id)
            return found[1] if found else None
        return h3_shape(area_id) if h3.is_valid_cell(area_id) else None

    def features(
        self, layer: str, keys: list[SliceKey], bbox: BBox, public: bool, geometry: bool = True
    ) -> Iterator[str]:
        for key in keys:
            if (found := self.slice(layer, key)) is not None:
                yield from found.features(bbox, public, geometry)

    def collection(
        self, layer: str, keys: list[SliceKey], bbox: BBox, public: bool, geometry: bool = True
    ) -> geojson.RawJSON:
        """The FeatureCollection for a layer request, built once per store version and
        then served as it is (least recently used answers dropped past a byte budget)."""
        cache_key = (self.version, layer, tuple(keys), bbox, public, geometry)
        with self._lock:
            if (found := self._answers.get(cache_key)) is not None:
                self._answers.move_to_end(cache_key)
                return found
        built = geojson.collection(self.features(layer, keys, bbox, public, geometry))
        with self._lock:
            if cache_key[0] == self.version and cache_key not in self._answers:
                self._answers[cache_key] = built
                self._answer_bytes += len(built.text)
                while self._answer_bytes > _ANSWER_CACHE_BYTES and len(self._answers) > 1:
                    _, dropped = self._answers.popitem(last=False)
                    self._answer_bytes -= len(dropped.text)
        return built

    def answers_changed(self) -> int:
        """Forget the built answers after cells were rescored in place (``bump_risk``
        patches the built slices); returns the new version."""
        with self._lock:
            self.version += 1
            self._answers.clear()
            self._answer_bytes = 0
            self._log_change(tuple(self._pending_changes))
            return self.version

    def _log_change(self, boxes: tuple[BBox, ...] | None) -> None:
        self._pending_changes = []
        self._changes[self.version] = boxes
        while len(self._changes) > _CHANGE_LOG_VERSIONS:
            self._changes.popitem(last=False)

    def changed_since(self, version: int) -> list[BBox] | None:
        """The boxes every change after ``version`` touched; None when that is not known
        (a change anywhere, or too long ago to be in the log)."""
        with self._lock:
            if version == self.version:
                return []
            if version + 1 not in self._changes:
                return None
            boxes: list[BBox] = []
            for v in range(version + 1, self.version + 1):
                found = self._changes.get(v)
                if found is None:
                    return None
                boxes += found
            return boxes

    def invalidate(self) -> int:
        """Forget every built slice and answer; returns the new version. For cells changed in
        place (the live path); a reload builds a fresh store instead."""
        with self._lock:
            self.version += 1
            self._cache.clear()
            self._answers.clear()
            self._answer_bytes = 0
            self._log_change(None)
            return self.version

    def rows(
        self, layer: str, keys: list[SliceKey], area_id: str, public: bool = False
    ) -> list[dict[str, Any]]:
        """The properties of one cell or area in the given slices (for a map click)."""
        out = []
        for key in keys:
            found = self.slice(layer, key)
            if found is not None and (n := found.position.get(area_id)) is not None:
                out.append((found.public_properties if public else found.properties)[n])
        return out

    def shapes_in(
        self, layer: str, keys: list[SliceKey], bbox: BBox, public: bool
    ) -> Iterator[tuple[Shape, dict[str, Any]]]:
        """(shape, properties) pairs meeting ``bbox``, for vector tiles."""
        for key in keys:
            found = self.slice(layer, key)
            if found is None:
                continue
            chosen = found.public_properties if public else found.properties
            for i in found.within(bbox):
                yield found.shapes[i], chosen[i]

    # --- live updates ------------------------------------------------------------

    def add_incidents(self, df: pd.DataFrame) -> None:
        """Append incidents that arrived live (columns as the warehouse query's)."""
        self.incidents = self.incidents.extend(df)
        located = df.dropna(subset=["longitude", "latitude"])
        with self._lock:
            self._pending_changes += [
                (lon, lat, lon, lat)
                for lon, lat in zip(located["longitude"], located["latitude"], strict=True)
            ]
        self.months = sorted(set(self.months) | set(df["month"]))
        self.crime_types = sorted(set(self.crime_types) | set(df["crime_type"]))
        self.crime_groups = sorted(set(self.crime_groups) | set(df["crime_group"]))

    def risk_keys(self) -> list[SliceKey]:
        return list(self._groups.get("risk", {}))

    def bump_risk(
        self, key: SliceKey, area_id: str, harm: float, incidents: int
    ) -> dict[str, Any] | None:
        """Add live incidents to one area's harm and incident count in one risk slice and
        rescore that area alone; None when the slice does not score the area.

        The slice's component means move by the same amounts, so the area's score is
        what a batch run would give it; other areas' scores are left for the next batch
        run (each moves by at most 1/n of the change).
        """
        rows = self._groups.get("risk", {}).get(key)
        if rows is None:
            return None
        with self._lock:
            index, means = self._risk_state(key, rows)
            pos = index.get(area_id)
            shape = self._shape(key[1], area_id)
            if pos is None or shape is None:  # not scored, or no boundary (e.g. England)
                return None
            self._pending_changes.append(shape.bounds)
            values = self._risk_columns  # reads from numpy; pandas' scalar access is slow
            n = len(rows)
            means["harm"] += harm / n
            values["harm"][pos] += harm
            values["incidents"][pos] += incidents
            network = "network_available" not in values or bool(values["network_available"][pos])
            weights = {k: w for k, w in SCORE_WEIGHTS.items() if network or k != "network"}
            parts = [w * values[c][pos] / means[c] for c, w in weights.items() if means[c] > 0]
            values["score"][pos] = sum(parts) / sum(weights.values())
            props = {"id": area_id}
            props.update(
                {
                    disclosure.property_name(c): _plain(values[c][pos])
                    for c in self._risk_value_columns
                }
            )
            props["month"], props["crimeGroup"] = key[0], key[3]
            public_props = self._public("risk", key, props, means)
            full = _feature(area_id, shape, props)
            public = _feature(area_id, shape, public_props)
            if (found := self._cache.get(("risk", key))) is not None:
                found.replace(area_id, props, public_props, full, public)
        return {"key": key, "id": area_id, "bounds": shape.bounds, "full": full, "public": public}

    def _risk_state(self, key: SliceKey, rows: np.ndarray) -> tuple[dict[str, int], dict]:
        """Per risk slice: area id → row, and each score component's mean (cached)."""
        state = self._risk_live.get(key)
        if state is None:
            if not self._risk_columns:
                df = self._tables["risk"]
                self._risk_value_columns = [c for c in df.columns if c not in _NOT_PROPERTIES]
                self._risk_columns["id"] = df[LAYER_TABLES["risk"].id_column].to_numpy()
                for c in self._risk_value_columns:
                    self._risk_columns[c] = df[c].to_numpy(copy=True)
            ids = self._risk_columns["id"][rows]
            index = {str(a): int(p) for a, p in zip(ids, rows, strict=True)}
            means = _component_means({c: self._risk_columns[c][rows] for c in SCORE_WEIGHTS})
            state = self._risk_live[key] = (index, means)
        return state

    # --- areas -------------------------------------------------------------------

    def area_slice(self) -> Slice:
        """The LSOA base layer, built once (concurrent first requests wait for one build)."""
        if self._area_slice is not None:
            return self._area_slice
        with self._area_lock:
            return self._build_area_slice()

    def _build_area_slice(self) -> Slice:
        if self._area_slice is None:
            ids, shapes, props = [], [], []
            for code, (name, shape) in sorted(self._lsoa_shapes.items()):
                ids.append(code)
                shapes.append(shape)
                props.append({"id": code, "name": name, "force": self._area_force.get(code)})
            self._area_slice = Slice.build(ids, shapes, props)
        return self._area_slice

    def area_features(self, bbox: BBox | None, force: str | None) -> list[str]:
        areas = self.area_slice()
        indices = areas.within(bbox) if bbox else range(len(areas.ids))
        return [
            areas.full[i] for i in indices if force is None or areas.properties[i]["force"] == force
        ]

    def warm(self, on_slice: Callable[[str], None] | None = None) -> None:
        """Build the latest month's slices now, so the first map request is fast."""
        for layer, groups in self._groups.items():
            latest = self.latest_month(layer)
            for key in groups:
                if key[0] == latest and key[3] == ALL_CRIME:
                    self.slice(layer, key)
                    if on_slice:
                        on_slice(layer)


INCIDENT_COLUMNS = (
    "incident_id",
    "longitude",
    "latitude",
    "month",
    "crime_type",
    "crime_group",
    "h3_cell",
    "lsoa_code",
)
_INCIDENTS_SQL = """
SELECT i.incident_id, l.longitude, l.latitude, i.month, i.crime_type, i.crime_group,
       l.h3_cell, l.lsoa_code
FROM incidents i JOIN locations l USING (location_id)
ORDER BY i.month, i.incident_id
"""
