"""Small synthetic police.uk street files with a known hotspot, for the risk tests."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from resolver.police_uk import HEADER

HOTSPOT = (51.4816, -3.1791)  # Cardiff city centre
MONTHS = [f"2025-{m:02d}" for m in range(1, 7)]


def street_rows(month: str, rng: random.Random) -> list[list[str]]:
    """A month of crimes: 30 at the hotspot (burglary among them), 40 scattered."""
    rows = []
    for i in range(70):
        if i < 30:
            lat, lon = HOTSPOT
            crime_type = "Burglary" if i % 3 == 0 else "Violence and sexual offences"
        else:
            lat = 51.40 + rng.random() * 0.2
            lon = -3.40 + rng.random() * 0.3
            crime_type = rng.choice(["Shoplifting", "Criminal damage and arson", "Burglary"])
        rows.append(
            [f"{month}-{i:04d}-{rng.getrandbits(32):08x}", month, "South Wales Police",
             "South Wales Police", f"{lon:.6f}", f"{lat:.6f}", "On or near High Street",
             "W01001234", "Cardiff 001A", crime_type, "Under investigation", ""]
        )  # fmt: skip
    return rows


def write_street_files(directory: Path, months: list[str] = MONTHS, seed: int = 1) -> list[Path]:
    """One `<month>-south-wales-street.csv` per month; returns the paths."""
    rng = random.Random(seed)
    paths = []
    for month in months:
        path = directory / f"{month}-south-wales-street.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(street_rows(month, rng))
        paths.append(path)
    return paths
