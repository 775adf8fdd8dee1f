"""Places and incidents models against the simulator's truth, beside simple baselines.

``python -m benchmarks.linkage_places_incidents``: copies the warehouse (which must hold
the simulated sources, as `crimegraph demo` leaves it), resolves people, places and
incidents, and scores them against ``var/simulated/truth/records.csv``:

- places: pairwise precision/recall/F1 of person records' places against the true
  address, beside a baseline joining records with the same normalised address and postcode;
- incidents: pairwise precision/recall/F1 of incident records' events against the true
  event (police.uk incident where there is one), the share of records tied to the right
  police.uk incident, beside a baseline linking only on a quoted police reference.

Figures as percentages (two decimals) in var/bench/linkage_places_incidents.json.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.report import write_figures
from core import warehouse
from core.settings import load_settings
from resolver.linkage.warehouse_incidents import resolve_warehouse_incidents
from resolver.linkage.warehouse_people import resolve_warehouse_people
from resolver.linkage.warehouse_places import resolve_warehouse_places
from testkit import ID_KEY

NAME = "linkage_places_incidents"


def pairwise(predicted: dict, truth: dict) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 (percent) over the keys both know."""
    keys = [k for k in predicted if k in truth]

    def pairs(label: dict) -> set:
        groups: dict = {}
        for k in keys:
            groups.setdefault(label[k], []).append(k)
        return {(a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1 :]}

    found, true = pairs(predicted), pairs(truth)
    right = len(found & true)
    precision = right / len(found) if found else 1.0
    recall = right / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return 100 * precision, 100 * recall, 100 * f1


def _put(figures: dict, prefix: str, scores: tuple[float, float, float]) -> None:
    for name, value in zip(("precision", "recall", "f1"), scores, strict=True):
        figures[f"{prefix}_{name}_percent"] = value


def run() -> dict:
    settings = load_settings()
    truth_path = settings.data_dir / "simulated" / "truth" / "records.csv"
    with truth_path.open(newline="", encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as work:
        path = Path(work) / "warehouse.duckdb"
        shutil.copy(settings.warehouse_path, path)
        with warehouse.connect(path) as con:
            started = time.perf_counter()
            resolve_warehouse_people(con, id_key=ID_KEY)
            figures["people_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            places_run = resolve_warehouse_places(con, settings.sources, id_key=ID_KEY)
            figures["places_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            incidents_run = resolve_warehouse_incidents(con, id_key=ID_KEY)
            figures["incidents_seconds"] = time.perf_counter() - started
            place_of = dict(
                ((s, r), p)
                for s, r, p in con.execute(
                    "SELECT source_system, record_id, place_id FROM place_links "
                    "WHERE record_kind = 'person'"
                ).fetchall()
            )
            address_key = dict(
                ((s, r), k)
                for s, r, k in con.execute(
                    "SELECT source_system, person_record_id, "
                    "coalesce(upper(address), '') || '|' || coalesce(postcode, '') "
                    "FROM person_records"
                ).fetchall()
            )
            event_of = dict(
                ((s, r), i)
                for s, r, i in con.execute(
                    "SELECT source_system, incident_record_id, incident_id FROM incident_links"
                ).fetchall()
            )
            reference = dict(
                ((s, r), f"{s}|{r}" if ref is None else ref)
                for s, r, ref in con.execute(
                    "SELECT DISTINCT source_system, incident_record_id, police_reference "
                    "FROM incident_records"
                ).fetchall()
            )
    true_place = {(t["system"], t["person_record_id"]): t["address_uid"] for t in truth}
    true_event = {
        (t["system"], t["incident_ref"]): t["police_incident_id"] or t["event_uid"]
        for t in truth
        if t["incident_ref"] and (t["police_incident_id"] or t["event_uid"])
    }
    figures.update(place_records=places_run.records, places=places_run.places)
    _put(figures, "places", pairwise(place_of, true_place))
    _put(figures, "places_baseline_exact", pairwise(address_key, true_place))
    figures.update(incident_records=incidents_run.records, extra_incidents=incidents_run.extra)
    _put(figures, "incidents", pairwise(event_of, true_event))
    _put(figures, "incidents_baseline_reference", pairwise(reference, true_event))
    police = [k for k in event_of if k in true_event and not true_event[k].startswith("E")]
    figures["incidents_right_police_uk_percent"] = (
        100 * sum(event_of[k] == true_event[k] for k in police) / len(police) if police else 0.0
    )
    return figures


def main() -> None:
    write_figures(NAME, run())


if __name__ == "__main__":
    main()
