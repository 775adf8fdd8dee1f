"""What live incidents change on the map: their points, and the risk of the areas they
fall in.

An incident in month M counts toward the harm and incident count of its area in the
scored months M..M+3 (the batch score for a month uses the three months before it; the
live layer also counts a month's own incidents as they arrive, so the current month's
map moves). Only the areas holding new incidents are rescored (``LayerStore.bump_risk``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import h3
import pandas as pd

from layers.store import ALL_CRIME, INCIDENT_COLUMNS, LayerStore, SliceKey
from risk.grid import add_months

RISK_MONTHS_AHEAD = 3


def incident_frame(incidents: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Incident payloads with coordinates as rows of the layer store's incident table."""
    rows = [
        {
            "incident_id": i["incident_id"],
            "longitude": i["longitude"],
            "latitude": i["latitude"],
            "month": i["month"],
            "crime_type": i["crime_type"],
            "crime_group": i["crime_group"],
            "h3_cell": i["h3_cell"],
            "lsoa_code": i["lsoa_code"],
        }
        for i in incidents
        if i.get("latitude") is not None
    ]
    return pd.DataFrame(rows, columns=list(INCIDENT_COLUMNS))


def risk_updates(
    keys: Iterable[SliceKey], incidents: Iterable[dict[str, Any]], harm_weights: dict[str, float]
) -> dict[tuple[SliceKey, str], tuple[float, int]]:
    """(slice, area) → (harm added, incidents added) for these incidents."""
    by_month_group: dict[tuple[str, str], list[SliceKey]] = defaultdict(list)
    for key in keys:
        by_month_group[(key[0], key[3])].append(key)
    totals: dict[tuple[SliceKey, str], list] = defaultdict(lambda: [0.0, 0])
    for incident in incidents:
        lat, lon = incident.get("latitude"), incident.get("longitude")
        if lat is None or lon is None:
            continue
        weight = harm_weights.get(incident["crime_type"], 0.0)
        for ahead in range(RISK_MONTHS_AHEAD + 1):
            month = add_months(incident["month"], ahead)
            for group in {ALL_CRIME, incident["crime_group"]}:
                for key in by_month_group.get((month, group), ()):
                    if key[1] == "lsoa":
                        area = incident.get("lsoa_code")
                        if not area:
                            continue
                    else:
                        area = h3.latlng_to_cell(lat, lon, key[2])
                    total = totals[(key, area)]
                    total[0] += weight
                    total[1] += 1
    return {k: (v[0], v[1]) for k, v in totals.items()}


def apply(
    store: LayerStore,
    incidents: list[dict[str, Any]],
    harm_weights: dict[str, float],
    *,
    rescore: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Put new incidents on the map and add ``rescore`` (default: the same incidents) to
    their areas' risk; returns the risk features that changed. They differ when the
    warehouse already has some: its incidents hold their points, its risk tables
    count those up to their watermark."""
    rescore = incidents if rescore is None else rescore
    frame = incident_frame(incidents)
    if frame.empty and not rescore:
        return []
    if not frame.empty:
        store.add_incidents(frame)
    changed = []
    for (key, area), (harm, count) in risk_updates(
        store.risk_keys(), rescore, harm_weights
    ).items():
        if (found := store.bump_risk(key, area, harm, count)) is not None:
            changed.append(found)
    store.answers_changed()  # new points and rescored cells: cached answers are stale
    return changed
