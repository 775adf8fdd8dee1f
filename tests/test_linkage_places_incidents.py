"""Places, incidents and unmerge on a small simulated world (real police.uk months, truth known)."""

import csv
import shutil
from pathlib import Path

import pytest

from core import warehouse
from core.settings import load_settings
from resolver.linkage import review_queue
from resolver.linkage.warehouse_incidents import resolve_warehouse_incidents
from resolver.linkage.warehouse_people import resolve_warehouse_people
from resolver.linkage.warehouse_places import resolve_warehouse_places
from resolver.registered_ingest import ingest_source
from resolver.sources import load_spec
from testkit import ID_KEY
from tests.test_simulate import SYSTEMS, incident_warehouse, world  # noqa: F401 (fixtures)


def _truth(folder: Path) -> list[dict]:
    with (folder / "truth" / "records.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _pairwise_precision(predicted: dict, truth: dict) -> float:
    """Share of predicted same-cluster pairs that are truly the same."""
    by_cluster: dict[str, list] = {}
    for key, cluster in predicted.items():
        if key in truth:
            by_cluster.setdefault(cluster, []).append(truth[key])
    together = right = 0
    for members in by_cluster.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                together += 1
                right += a == b
    return right / together


@pytest.fixture(scope="module")
def resolved(world, incident_warehouse, tmp_path_factory):  # noqa: F811
    """A warehouse with real police.uk incidents and the four systems, people, places and
    incidents resolved once."""
    path = tmp_path_factory.mktemp("linkage") / "warehouse.duckdb"
    shutil.copy(incident_warehouse, path)
    with warehouse.connect(path) as con:
        for system in SYSTEMS:
            ingest_source(con, load_spec(world / f"{system}.yaml"))
        resolve_warehouse_people(con, id_key=ID_KEY)
        places_run = resolve_warehouse_places(con, load_settings().sources, id_key=ID_KEY)
        incidents_run = resolve_warehouse_incidents(con, id_key=ID_KEY)
    return path, places_run, incidents_run


def test_every_address_and_located_incident_gets_a_place(resolved) -> None:
    path, run, _ = resolved
    with warehouse.connect(path) as con:
        unlinked = con.execute(
            "SELECT count(*) FROM person_records r LEFT JOIN place_links l "
            "ON l.source_system = r.source_system AND l.record_id = r.person_record_id "
            "AND l.record_kind = 'person' WHERE r.address IS NOT NULL AND l.place_id IS NULL"
        ).fetchall()[0][0]
        orphans = con.execute(
            "SELECT count(*) FROM place_links l LEFT JOIN places p USING (place_id) "
            "WHERE p.place_id IS NULL"
        ).fetchall()[0][0]
        located = con.execute(
            "SELECT count(*), count(h3_cell), count(lsoa_code) FROM places "
            "WHERE latitude IS NOT NULL"
        ).fetchall()[0]
    assert unlinked == 0 and orphans == 0
    assert run.places < run.records  # records of one home were joined
    assert located[0] == run.located > 0 and located[1] == located[0] and located[2] > 0


def test_places_agree_with_the_truth_and_keep_their_ids(resolved, world) -> None:  # noqa: F811
    path, _, _ = resolved
    truth = {(t["system"], t["person_record_id"]): t["address_uid"] for t in _truth(world)}
    with warehouse.connect(path) as con:
        before = con.execute("SELECT * FROM place_links ORDER BY ALL").fetchall()
        predicted = {
            (s, r): p
            for s, r, p in con.execute(
                "SELECT source_system, record_id, place_id FROM place_links "
                "WHERE record_kind = 'person'"
            ).fetchall()
        }
        again = resolve_warehouse_places(con, load_settings().sources, id_key=ID_KEY)
        after = con.execute("SELECT * FROM place_links ORDER BY ALL").fetchall()
    assert _pairwise_precision(predicted, truth) >= 0.95
    assert after == before and (again.merged, again.split) == (0, 0)


def test_police_records_are_their_police_uk_incidents(resolved, world) -> None:  # noqa: F811
    path, _, run = resolved
    with warehouse.connect(path) as con:
        by_reference = con.execute(
            "SELECT count(*), count_if(l.incident_id = u.incident_id) FROM incident_records r "
            "JOIN incidents u ON u.crime_id = r.police_reference "
            "JOIN incident_links l USING (source_system, incident_record_id)"
        ).fetchall()[0]
        extra_in_police_uk = con.execute(
            "SELECT count(*) FROM extra_incidents e JOIN incidents u USING (incident_id)"
        ).fetchall()[0][0]
        links = {
            (s, r): i
            for s, r, i in con.execute(
                "SELECT source_system, incident_record_id, incident_id FROM incident_links"
            ).fetchall()
        }
    assert by_reference[0] > 0 and by_reference[0] == by_reference[1]
    assert extra_in_police_uk == 0 and run.extra > 0
    truth = {
        (t["system"], t["incident_ref"]): t["police_incident_id"] or t["event_uid"]
        for t in _truth(world)
        if t["incident_ref"] and (t["police_incident_id"] or t["event_uid"])
    }
    assert _pairwise_precision(links, truth) >= 0.95
    council = [k for k in links if k[0] == "council_asb" and k in truth]
    joined = [k for k in council if links[k] == truth[k]]
    assert joined  # council cases found as the police's incidents


def test_unmerge_splits_the_person_on_the_next_run_and_for_good(resolved, tmp_path) -> None:
    path, _, _ = resolved
    copy = tmp_path / "w.duckdb"
    shutil.copy(path, copy)
    with warehouse.connect(copy) as con:
        (person,) = con.execute(
            "SELECT person_id FROM person_links GROUP BY person_id HAVING count(*) >= 3 "
            "ORDER BY person_id LIMIT 1"
        ).fetchall()[0]
        members = con.execute(
            "SELECT source_system, person_record_id FROM person_links WHERE person_id = ? "
            "ORDER BY ALL",
            [person],
        ).fetchall()
        off = [tuple(members[0])]
        with pytest.raises(review_queue.ReviewError, match="not records of"):
            review_queue.unmerge(con, person, [("nowhere", "1")], who="steward", reason=None)
        pairs = review_queue.unmerge(con, person, off, who="steward", reason="two people")
        assert len(pairs) == len(members) - 1

        def person_of(record) -> str:
            return con.execute(
                "SELECT person_id FROM person_links WHERE source_system = ? "
                "AND person_record_id = ?",
                list(record),
            ).fetchall()[0][0]

        run = resolve_warehouse_people(con, id_key=ID_KEY)
        assert run.split >= 1
        assert person_of(off[0]) != person_of(members[1])
        assert person_of(members[1]) == person  # the rest keep the id
        lineage = con.execute(
            "SELECT kind FROM person_lineage WHERE from_person_id = ?", [person]
        ).fetchall()
        assert ("split",) in lineage
        resolve_warehouse_people(con, id_key=ID_KEY)
        assert person_of(off[0]) != person_of(members[1])
