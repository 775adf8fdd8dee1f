"""Deprivation and population per LSOA 2021, nation by nation, for the fairness audit.

England's and Wales's indices (IMD 2019, WIMD 2019) rank areas within their own nation
and are not comparable, so each nation is audited on its own. Both indices, and their
populations (ONS mid-2020 for Wales, mid-2015 for England as the IoD2019 denominators),
are by LSOA 2011; risk scores are by LSOA 2021. An LSOA 2011 split into several 2021 ones
gives each an equal part of its population and its rank; a 2021 LSOA merged from several
takes their summed population and population-weighted mean rank. Wales's lookup is ONS's
exact fit; England's is approximate (the ONS centroids file holds both years' codes but
not their links): a code in both years is itself, and a 2021 LSOA new since 2011 takes
the 2011 LSOA with the nearest centre (a retired 2011 code stays as an area without
crimes). Deciles are recounted over the nation's LSOAs (1 = most deprived tenth).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

WIMD_FILE = "wimd2019-lsoa11.csv"
LOOKUP_FILE = "lsoa11-to-lsoa21-wales.csv"
POPULATION_FILE = "population-lsoa-wales.csv"
IMD_FILE = "imd2019-lsoa11-england.csv.gz"
ENGLAND_POPULATION_FILE = "population-lsoa11-england-2015.csv.gz"
CENTROIDS_FILE = "lsoa-centroids.csv.gz"


@dataclass(frozen=True)
class Nation:
    """A nation audited on its own index: its name, LSOA code prefix and sources."""

    code: str  # "wales" | "england"
    name: str
    lsoa_prefix: str
    index: str  # the deprivation index, as the report names it
    population: str  # the population source, as the report names it


WALES = Nation("wales", "Wales", "W01", "WIMD 2019", "ONS mid-2020")
ENGLAND = Nation("england", "England", "E01", "IMD 2019", "ONS mid-2015 (IoD2019)")
NATIONS = {n.code: n for n in (WALES, ENGLAND)}


class DeprivationDataError(ValueError):
    """A missing or malformed geography file, named with its row and field."""


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise DeprivationDataError(f"{path}: no such file (see ../shared/data/README.md)")
    with (
        gzip.open(path, "rt", newline="") if path.suffix == ".gz" else path.open(newline="")
    ) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DeprivationDataError(f"{path}: no column {missing[0]!r}")
        return pd.DataFrame([{c: row[c] for c in columns} for row in reader])


def _numbers(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # the header is line 1
        raise DeprivationDataError(
            f"{path}: line {row}, field {column}: not a number ({frame[column].iloc[row - 2]!r})"
        )
    return values


def load(geo_dir: Path) -> pd.DataFrame:
    """One row per Welsh LSOA 2021: lsoa_code, population, wimd_rank, decile."""
    wimd_path, lookup_path, pop_path = (
        geo_dir / WIMD_FILE,
        geo_dir / LOOKUP_FILE,
        geo_dir / POPULATION_FILE,
    )
    wimd = _read(wimd_path, ["lsoa11cd", "wimd2019_rank"])
    wimd["rank"] = _numbers(wimd, "wimd2019_rank", wimd_path)
    lookup = _read(lookup_path, ["lsoa11cd", "lsoa21cd"])
    population = _read(pop_path, ["lsoa_code", "population"])
    population["population"] = _numbers(population, "population", pop_path)
    new = _to_lsoa21(wimd, population.rename(columns={"lsoa_code": "lsoa11cd"}), lookup, pop_path)
    return new.rename(columns={"rank": "wimd_rank"})


def load_england(geo_dir: Path, centroids: Path | None = None) -> pd.DataFrame:
    """One row per English LSOA 2021: lsoa_code, population, imd_rank, decile."""
    imd_path, pop_path = geo_dir / IMD_FILE, geo_dir / ENGLAND_POPULATION_FILE
    centroids = centroids or geo_dir / CENTROIDS_FILE
    imd = _read(imd_path, ["lsoa11cd", "imd2019_rank"])
    imd["rank"] = _numbers(imd, "imd2019_rank", imd_path)
    population = _read(pop_path, ["lsoa11cd", "population"])
    population["population"] = _numbers(population, "population", pop_path)
    lookup = _england_lookup(_read(centroids, ["LSOACD", "latitude", "longitude"]), imd, centroids)
    return _to_lsoa21(imd, population, lookup, pop_path).rename(columns={"rank": "imd_rank"})


def _england_lookup(points: pd.DataFrame, imd: pd.DataFrame, path: Path) -> pd.DataFrame:
    """LSOA 2011 -> 2021 for England: a code in both is itself; a 2021 code new since 2011
    (a split or a merge; the centroids file holds both years' codes but not their links)
    takes the 2011 LSOA whose centre is nearest its own."""
    points = points[points["LSOACD"].str.startswith(ENGLAND.lsoa_prefix)].copy()
    for column in ("latitude", "longitude"):
        points[column] = _numbers(points, column, path)
    old = points["LSOACD"].isin(set(imd["lsoa11cd"]))
    scale = np.cos(np.radians(points["latitude"].mean()))

    def plane(frame: pd.DataFrame) -> np.ndarray:
        return np.column_stack([frame["latitude"], frame["longitude"] * scale])

    nearest = cKDTree(plane(points[old])).query(plane(points[~old]))[1]
    kept = points.loc[old, "LSOACD"].to_numpy()
    return pd.DataFrame(
        {
            "lsoa11cd": np.concatenate([kept, kept[nearest]]),
            "lsoa21cd": np.concatenate([kept, points.loc[~old, "LSOACD"].to_numpy()]),
        }
    )


def load_nation(nation: Nation, geo_dir: Path, centroids: Path | None = None) -> pd.DataFrame:
    return load(geo_dir) if nation == WALES else load_england(geo_dir, centroids)


def _to_lsoa21(
    index: pd.DataFrame, population: pd.DataFrame, lookup: pd.DataFrame, pop_path: Path
) -> pd.DataFrame:
    """An index's ranks and populations by LSOA 2011 carried to LSOA 2021, with deciles."""
    old = index[["lsoa11cd", "rank"]].merge(population, on="lsoa11cd", how="left")
    if old["population"].isna().any():
        code = old.loc[old["population"].isna(), "lsoa11cd"].iloc[0]
        raise DeprivationDataError(f"{pop_path}: no population for LSOA {code}")
    pairs = lookup.merge(old[["lsoa11cd", "rank", "population"]], on="lsoa11cd", how="inner")
    pairs["parts"] = pairs.groupby("lsoa11cd")["lsoa21cd"].transform("count")
    pairs["population"] = pairs["population"] / pairs["parts"]
    pairs["weighted_rank"] = pairs["rank"] * pairs["population"]
    new = pairs.groupby("lsoa21cd", as_index=False)[["population", "weighted_rank"]].sum()
    new["rank"] = new["weighted_rank"] / new["population"]
    order = new["rank"].rank(method="first")
    new["decile"] = np.ceil(order / len(new) * 10).astype(int)
    return new.rename(columns={"lsoa21cd": "lsoa_code"})[
        ["lsoa_code", "population", "rank", "decile"]
    ]
