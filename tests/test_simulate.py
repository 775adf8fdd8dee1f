"""The simulator: reproducible, truthful, realistic enough to be worth linking."""

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from core import warehouse
from core.settings import load_settings
from crimegraph import pipeline
from resolver.registered_ingest import ingest_source
from resolver.sources import load_spec
from simulate.run import simulate
from testkit import ID_KEY

SYSTEMS = ("police_a", "police_b", "council_asb", "social_care")


@pytest.fixture(scope="module")
def incident_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding two real months of police.uk incidents (one Welsh force pair each)."""
    settings = load_settings()
    data_dir = tmp_path_factory.mktemp("sim-warehouse")
    street = settings.source_data_dir / "police-uk" / "street" / "2025-01"
    files = [str(street / f"2025-01-{force}-street.csv.gz") for force in ("gwent", "north-wales")]
    pipeline.ingest_police_uk(settings.with_data_dir(data_dir), files)
    return data_dir / "warehouse.duckdb"


def _run(warehouse_path: Path, out: Path, seed: int = 3):
    settings = load_settings()
    return simulate(
        seed=seed, people=6000, out=out, warehouse=warehouse_path, offence_rate=40,
        lsoa_boundaries=settings.source_data_dir / "geo" / "lsoa21-wales.geojson.gz",
        broken_rate=0.01, log=lambda _m: None,
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(incident_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "out"
    _run(incident_warehouse, out)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.*"))}


def _truth(world: Path, name: str) -> list[dict]:
    with (world / "truth" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_same_world_other_seed_other_world(world, incident_warehouse, tmp_path) -> None:
    _run(incident_warehouse, tmp_path / "again")
    assert _digest(tmp_path / "again") == _digest(world)
    _run(incident_warehouse, tmp_path / "other", seed=4)
    assert _digest(tmp_path / "other")["police_a.csv"] != _digest(world)["police_a.csv"]


def test_four_systems_each_with_its_own_schema(world) -> None:
    for system in SYSTEMS:
        spec = load_spec(world / f"{system}.yaml")
        assert spec.files and spec.files[0].exists()
    assert {load_spec(world / f"{s}.yaml").file_format for s in SYSTEMS} == {
        "csv",
        "parquet",
        "jsonl",
    }
    header = (world / "police_a.csv").read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert "Surname" in header and "DOB" in header


def test_truth_covers_every_row_and_links_people_across_systems(world) -> None:
    records = _truth(world, "records.csv")
    assert Counter(r["system"] for r in records).keys() == set(SYSTEMS)
    systems_per_person = Counter()
    for uid in {r["person_uid"] for r in records if r["person_uid"]}:
        systems_per_person[uid] = len({r["system"] for r in records if r["person_uid"] == uid})
    assert max(systems_per_person.values()) >= 2
    shared = Counter(r["event_uid"] for r in records if r["event_uid"])
    police_and_council = {
        r["event_uid"] for r in records if r["system"] == "council_asb" and r["police_incident_id"]
    } & {r["event_uid"] for r in records if r["system"].startswith("police")}
    assert police_and_council, "some incidents are recorded by both the police and the council"
    assert shared


def test_records_carry_realistic_errors(world) -> None:
    people = {p["person_uid"]: p for p in _truth(world, "people.csv")}
    rows = pq.read_table(world / "police_b.parquet").to_pylist()
    truth = [r for r in _truth(world, "records.csv") if r["system"] == "police_b"]
    differs = sum(
        row["last_name"].upper() != people[t["person_uid"]]["surname"].upper()
        for row, t in zip(rows, truth, strict=True)
        if not t["broken"]
    )
    assert 0 < differs < len(rows) * 0.3
    hard_negatives = [p for p in people.values() if p["twin_of"]]
    assert all(people[p["twin_of"]]["date_of_birth"] == p["date_of_birth"] for p in hard_negatives)


def test_every_injected_broken_row_is_quarantined_and_no_good_row_lost(world, tmp_path) -> None:
    broken = {(b["system"], int(b["row_number"])) for b in _truth(world, "broken_rows.csv")}
    assert broken
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        totals = Counter()
        for system in SYSTEMS:
            for outcome in ingest_source(con, load_spec(world / f"{system}.yaml")):
                totals["in"] += outcome.rows_in
                totals["loaded"] += outcome.rows_loaded
                totals["quarantined"] += outcome.rows_quarantined
        rejected = set(
            con.execute(
                "SELECT source, row_number FROM quarantine WHERE severity = 'row'"
            ).fetchall()
        )
    assert rejected == broken
    assert totals["in"] == totals["loaded"] + totals["quarantined"]
    assert totals["in"] == len(_truth(world, "records.csv"))


def test_same_seed_same_world_in_another_process(world, incident_warehouse, tmp_path) -> None:
    """String hashing differs between processes; the world must not."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from tests.test_simulate import _run; "
        "_run(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(incident_warehouse), str(tmp_path / "other-process")],
        check=True, env=env, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert _digest(tmp_path / "other-process") == _digest(world)


def test_warehouse_people_resolved_with_stable_ids_and_versioned_models(world, tmp_path) -> None:
    from resolver.linkage.warehouse_people import resolve_warehouse_people

    with warehouse.connect(tmp_path / "w.duckdb") as con:
        for system in SYSTEMS:
            ingest_source(con, load_spec(world / f"{system}.yaml"))
        first = resolve_warehouse_people(con, id_key=ID_KEY)
        links = con.execute(
            "SELECT source_system, person_record_id, person_id FROM person_links ORDER BY ALL"
        ).fetchall()
        second = resolve_warehouse_people(con, id_key=ID_KEY)
        again = con.execute(
            "SELECT source_system, person_record_id, person_id FROM person_links ORDER BY ALL"
        ).fetchall()
        records = con.execute(
            "SELECT count(DISTINCT (source_system, person_record_id)) FROM person_records"
        ).fetchall()[0][0]
        models = con.execute(
            "SELECT version, json_valid(settings_json) FROM linkage_models"
        ).fetchall()
    assert (first.version, second.version) == (1, 2)
    assert again == links and (second.merged, second.split) == (0, 0)
    assert len(links) == records
    assert first.persons < records  # duplicates across systems were joined
    assert sorted(models) == [(1, True), (2, True)]


def test_review_decisions_change_the_next_run(world, tmp_path) -> None:
    from resolver.linkage import review_queue
    from resolver.linkage.warehouse_people import resolve_warehouse_people

    with warehouse.connect(tmp_path / "w.duckdb") as con:
        for system in SYSTEMS:
            ingest_source(con, load_spec(world / f"{system}.yaml"))
        first = resolve_warehouse_people(con, id_key=ID_KEY)
        items = review_queue.list_queue(con, limit=10_000)
        assert first.queued == len(items) > 0
        assert all(set(i.evidence) >= {"forename", "surname"} for i in items)

        def person(record):
            return con.execute(
                "SELECT person_id FROM person_links WHERE source_system = ? "
                "AND person_record_id = ?",
                list(record),
            ).fetchall()[0][0]

        apart = next(i for i in items if person(i.left) != person(i.right))
        together = next((i for i in items if person(i.left) == person(i.right)), None)
        review_queue.decide(con, apart.pair_id, "match", who="steward", reason="same person")
        if together:
            review_queue.decide(con, together.pair_id, "not_a_match", who="steward", reason="twins")
        with pytest.raises(review_queue.ReviewError, match="no open pair"):
            review_queue.decide(con, apart.pair_id, "unsure", who="steward", reason=None)
        second = resolve_warehouse_people(con, id_key=ID_KEY)
        assert second.decisions_applied == (2 if together else 1)
        assert person(apart.left) == person(apart.right)
        if together:
            assert person(together.left) != person(together.right)
        decided = {r[0] for r in con.execute("SELECT pair_id FROM match_decisions").fetchall()}
        assert not decided & {i.pair_id for i in review_queue.list_queue(con, limit=10_000)}
