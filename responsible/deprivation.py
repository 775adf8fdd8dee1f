"""Deprivation and population per LSOA 2021 in Wales, for the fairness audit.

The Welsh Index of Multiple Deprivation 2019 and the ONS mid-2020 populations are by
LSOA 2011; risk scores are by LSOA 2021. Through ONS's exact-fit lookup, an LSOA 2011
split into several 2021 ones gives each an equal part of its population and its rank; a
2021 LSOA merged from several takes their summed population and population-weighted mean
rank. Deciles are then recounted over the 2021 LSOAs (1 = most deprived tenth).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

WIMD_FILE = "wimd2019-lsoa11.csv"
LOOKUP_FILE = "lsoa11-to-lsoa21-wales.csv"
POPULATION_FILE = "population-lsoa-wales.csv"


class DeprivationDataError(ValueError):
    """A missing or malformed geography file, named with its row and field."""


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise DeprivationDataError(f"{path}: no such file (see ../shared/data/README.md)")
    with path.open(newline="") as handle:
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
    old = wimd.merge(
        population.rename(columns={"lsoa_code": "lsoa11cd"}), on="lsoa11cd", how="left"
    )
    if old["population"].isna().any():
        code = old.loc[old["population"].isna(), "lsoa11cd"].iloc[0]
        raise DeprivationDataError(f"{pop_path}: no population for LSOA {code}")
    pairs = lookup.merge(old[["lsoa11cd", "rank", "population"]], on="lsoa11cd", how="inner")
    pairs["parts"] = pairs.groupby("lsoa11cd")["lsoa21cd"].transform("count")
    pairs["population"] = pairs["population"] / pairs["parts"]
    pairs["weighted_rank"] = pairs["rank"] * pairs["population"]
    new = pairs.groupby("lsoa21cd", as_index=False)[["population", "weighted_rank"]].sum()
    new["wimd_rank"] = new["weighted_rank"] / new["population"]
    order = new["wimd_rank"].rank(method="first")
    new["decile"] = np.ceil(order / len(new) * 10).astype(int)
    return new.rename(columns={"lsoa21cd": "lsoa_code"})[
        ["lsoa_code", "population", "wimd_rank", "decile"]
    ]
