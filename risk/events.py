"""The crimes the risk stage works on, one row per incident, from either source:
the warehouse (``incidents`` joined to ``locations``) or raw data.police.uk street files
(the forecast contract), parsed and validated by resolver.police_uk.

Columns: month ('YYYY-MM'), crime_type, crime_group, force_code, latitude, longitude,
location_id, lsoa_code. Crimes without a location cannot be placed and are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from core.rejections import RejectedRow
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from resolver.police_uk import parse_street_file
from resolver.readers import SourceFileError

COLUMNS = [
    "month",
    "crime_type",
    "crime_group",
    "force_code",
    "latitude",
    "longitude",
    "location_id",
    "lsoa_code",
]

WAREHOUSE_QUERY = """
SELECT i.month, i.crime_type, i.crime_group, i.force_code,
       l.latitude, l.longitude, i.location_id, l.lsoa_code
FROM incidents i JOIN locations l USING (location_id)
WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL
"""


def from_warehouse(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every located incident in the warehouse, at the month it was first reported."""
    return con.sql(WAREHOUSE_QUERY).to_arrow_table().to_pandas()[COLUMNS]


@dataclass
class FileProblems:
    """What reading raw files left out, for the command to report."""

    rejected: list[tuple[str, RejectedRow]] = field(default_factory=list)
    unlocated: int = 0


def from_street_files(
    paths: list[Path], on_file: Callable[[Path], None] | None = None
) -> tuple[pd.DataFrame, FileProblems]:
    """Crimes in data.police.uk street CSVs (.csv or .csv.gz), any forces.

    A file that cannot be read raises ``SourceFileError`` naming it; broken rows are
    returned in ``FileProblems`` with their file and line, and the good rows are kept.
    A crime republished in a later month (same Crime ID) counts once, at its first month.
    """
    if not paths:
        raise SourceFileError("no files given")
    frames = []
    problems = FileProblems()
    for path in paths:
        parsed = parse_street_file(path)
        problems.rejected.extend((str(path), r) for r in parsed.rejections)
        records = pd.DataFrame(parsed.records)
        frames.append(records)
        if on_file:
            on_file(path)
    records = pd.concat(frames, ignore_index=True)
    if records.empty:
        raise SourceFileError(f"{', '.join(map(str, paths))}: no valid crime rows")
    records = records.sort_values(["month", "source_file", "row_number"], kind="stable")
    records = records.drop_duplicates("incident_id", keep="first")
    located = records["latitude"].notna() & records["longitude"].notna()
    problems.unlocated = int((~located).sum())
    records = records[located].copy()
    records["crime_group"] = records["crime_type"].map(POLICE_UK_CRIME_TYPES)
    return records[COLUMNS].reset_index(drop=True), problems
