"""Live person linking: how long a batch of 20 new person records takes to link.

Setup: the demo warehouse's latest people model and resolved person records, read into the
live path's in-memory index (``live.linking.PeopleIndex``: what the API's applier loads
when it starts; reported as ``index_load_seconds``).

Measured (``CRIMEGRAPH_BENCH_LINK_BATCHES``, default 30 batches of 20): real warehouse
records sent again as new ones (new record ids), a third with a slip in the surname, a
third with forename and surname swapped between records (mostly strangers); each batch is
scored against every resolved record with Splink's ``predict_between``, then added to
the index as the applier does once the graph has it. Reported: seconds per batch
(p50/p95/max), and the decisions (link / review / new). Scoring only: the graph write is
the same transaction as incidents' (see the live benchmark).

Baseline, same run: the batch path, a full ``crimegraph resolve people`` over a copy of
the warehouse (train, score every pair, cluster): the wait before a new record would be
linked without the live path.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.report import write_figures
from core.settings import load_settings
from live.linking import PeopleIndex
from resolver.linkage.warehouse_people import resolve_warehouse_people
from testkit import ID_KEY

BATCH = 20
BATCHES = int(os.environ.get("CRIMEGRAPH_BENCH_LINK_BATCHES", "30"))


def _records(warehouse_path: Path, count: int) -> list[dict]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT source_system, forename, middle_names, surname, "
            "CAST(date_of_birth AS VARCHAR), dob_precision, sex, address, postcode "
            f"FROM person_records USING SAMPLE reservoir({int(count)} ROWS) REPEATABLE (7)"
        ).fetchall()
    out = []
    for n, (system, forename, middle, surname, dob, precision, sex, address, postcode) in enumerate(
        rows
    ):
        if n % 3 == 1 and surname:
            surname = surname[:-1] + ("E" if surname[-1] != "E" else "A")
        elif n % 3 == 2:
            forename, surname = rows[(n + 7) % len(rows)][1], rows[(n + 13) % len(rows)][3]
        out.append({"system": system, "record_id": f"bench-live-{n}", "forename": forename,
                    "middle_names": middle, "surname": surname, "date_of_birth": dob,
                    "dob_precision": precision, "sex": sex, "address": address,
                    "postcode": postcode})  # fmt: skip
    return out


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    settings = load_settings()
    if not settings.warehouse_path.exists():
        write_figures("live_linking", {"error": "no warehouse: run make demo"})
        return
    started = time.perf_counter()
    index = PeopleIndex.load(settings.warehouse_path)
    if index is None:
        write_figures("live_linking", {"error": "no trained people model: run make demo"})
        return
    figures: dict = {"index_load_seconds": time.perf_counter() - started,
                     "resolved_records": index.size, "batch_records": BATCH,
                     "batches": BATCHES}  # fmt: skip
    records = _records(settings.warehouse_path, BATCH * BATCHES)
    seconds, add_seconds, decisions = [], [], {"link": 0, "review": 0, "new": 0}
    for b in range(BATCHES):
        batch = records[b * BATCH : (b + 1) * BATCH]
        start = time.perf_counter()
        linked = index.link([(f"bench:{p['record_id']}", p) for p in batch], ID_KEY)
        seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        index.add([(p, link.person_id) for p, link in zip(batch, linked, strict=True)])
        add_seconds.append(time.perf_counter() - start)
        for link in linked:
            decisions[link.decision] += 1
    index.close()
    figures |= {
        "link_batch_seconds_p50": _percentile(seconds, 50),
        "link_batch_seconds_p95": _percentile(seconds, 95),
        "link_batch_seconds_max": max(seconds),
        "add_batch_seconds_p50": _percentile(add_seconds, 50),
        **{f"decided_{k}": v for k, v in decisions.items()},
    }
    print("baseline: a full people resolution over a copy of the warehouse ...")
    with tempfile.TemporaryDirectory(prefix="crimegraph-bench-link-") as work:
        copy = Path(work) / "warehouse.duckdb"
        shutil.copy(settings.warehouse_path, copy)
        start = time.perf_counter()
        with duckdb.connect(str(copy)) as con:
            resolve_warehouse_people(con, id_key=ID_KEY)
        figures["baseline_full_resolve_seconds"] = time.perf_counter() - start
    write_figures("live_linking", figures)


if __name__ == "__main__":
    main()
