"""The crimes the risk stage works on, from either source: the warehouse's police.uk
records or raw data.police.uk street files (the forecast contract), parsed and validated
by resolver.police_uk_columnar.

Crimes are counted as police.uk counts them, one per published row: a crime published as
several rows in one file (its offences, each at its own place) counts once per row, at
the first month it appears; a crime republished in a later file is not counted again.

Columns: month ('YYYY-MM'), crime_type, crime_group, force_code, latitude, longitude,
location_id, lsoa_code. Crimes without a location cannot be placed and are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from core.rejections import RejectedRow
from resolver.crime_types import POLICE_UK_CRIME_TYPES
from resolver.police_uk_columnar import ColumnarReader
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

# Each incident's rows from the file it was first published in (a crime republished in a
# later month is counted once, in its first month). Only the few incidents with several
# rows need the aggregate, so a national history never holds one state per crime.
WAREHOUSE_QUERY = """
WITH several AS (
    SELECT incident_id FROM police_uk_records
    GROUP BY incident_id HAVING count(*) > 1  -- a count spills; a count(DISTINCT) does not
), first_files AS (
    SELECT incident_id, arg_min(source_file, month || '|' || source_file) AS source_file
    FROM police_uk_records SEMI JOIN several USING (incident_id)
    GROUP BY incident_id
), counted AS (
    SELECT * FROM police_uk_records ANTI JOIN several USING (incident_id)
    UNION ALL
    SELECT r.* FROM police_uk_records r JOIN first_files USING (incident_id, source_file)
)
SELECT month, crime_type, force_code, latitude, longitude, location_id, lsoa_code
FROM counted
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
ORDER BY month, source_file, row_number
"""
# Rows are handed over in batches, so DuckDB never holds the whole result at once.
BATCH_ROWS = 1_000_000


def from_warehouse(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every located crime row in the warehouse, from the file it was first published in."""
    reader = con.sql(WAREHOUSE_QUERY).to_arrow_reader(BATCH_ROWS)
    records = pa.Table.from_batches(list(reader), schema=reader.schema).to_pandas()
    records["crime_group"] = records["crime_type"].map(POLICE_UK_CRIME_TYPES)
    return records[COLUMNS]


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
    A crime republished in a later file (same Crime ID) counts in its first file only.
    """
    if not paths:
        raise SourceFileError("no files given")
    frames = []
    problems = FileProblems()
    reader = ColumnarReader()
    try:
        for path in paths:
            parsed = reader.parse(path)
            problems.rejected.extend((str(path), r) for r in parsed.rejections)
            frames.append(parsed.records.to_pandas())
            if on_file:
                on_file(path)
    finally:
        reader.close()
    records = pd.concat(frames, ignore_index=True)
    if records.empty:
        raise SourceFileError(f"{', '.join(map(str, paths))}: no valid crime rows")
    records = records.sort_values(["month", "source_file", "row_number"], kind="stable")
    first_file = records.groupby("incident_id", sort=False)["source_file"].transform("first")
    records = records[records["source_file"] == first_file]
    located = records["latitude"].notna() & records["longitude"].notna()
    problems.unlocated = int((~located).sum())
    records = records[located].copy()
    records["crime_group"] = records["crime_type"].map(POLICE_UK_CRIME_TYPES)
    return records[COLUMNS].reset_index(drop=True), problems
