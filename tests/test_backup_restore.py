"""The restore drill: a deployment (warehouse, a graph with batch and live people, the live
journal, the keys) is backed up, destroyed and restored from the backup; its counts and
checksums are the manifest's and the API answers the same queries with the same bytes.
A backup that does not match its manifest is refused before anything changes."""

from __future__ import annotations

import json
import re
import shutil
import time

import httpx
import pytest
from typer.testing import CliRunner

from core.warehouse import file_sha256
from crimegraph.cli import app
from graph import neo4j_server
from graph.connection import driver as sync_driver
from ops import fingerprints, layout
from ops.backup import backup
from ops.manifest import BackupError, Manifest
from ops.restore import restore
from testkit.cypher import TESTS
from testkit.instances import instance_settings
from testkit.server import serve
from tests.api_world import AGENCY, World, people_world

pytestmark = pytest.mark.neo4j

PURPOSE = "restore drill"
BOX = "{west: -5, south: 50, east: 0, north: 54}"
INGEST = """mutation ($source: String!, $records: [JSON!]!) {
  ingestRecords(source: $source, records: $records) { accepted records { key } }
}"""
STRANGER = {
    "Nominal Ref": "LIVE-DRILL", "Surname": "Quixote-Zebedee", "Forename(s)": "Ignatius",
    "DOB": "29/02/1932", "Sex": "M", "Home Address": "1 Nowhere Lane, Bangor",
    "Home Postcode": "LL57 2AB", "Occurrence Ref": "OCC-DRILL", "Involvement": "victim",
}  # fmt: skip


def _queries(live_person: str) -> list[tuple[str, str]]:
    """(role, query): layers from the warehouse, people from the graph (batch and live),
    the stewards' queue and the forces."""
    return [
        ("public", f"{{ riskLayer(bbox: {BOX}) }}"),
        ("analyst", f"{{ riskLayer(bbox: {BOX}) }}"),
        ("public", "{ forces { code name incidentCount } }"),
        (
            "investigator",
            f'{{ searchPeople(name: "Ignatius Quixote-Zebedee", purpose: "{PURPOSE}") '
            "{ personId name score matchedOn } }",
        ),
        (
            "investigator",
            f'{{ person(id: "{live_person}", purpose: "{PURPOSE}") {{ id name records '
            "{ recordId } } }",
        ),
        ("steward", "{ reviewQueue(first: 50) { edges { node { id matchProbability } } } }"),
    ]


def _answers(world: World, queries: list[tuple[str, str]]) -> list[bytes]:
    answers = []
    for role, query in queries:
        response = httpx.post(
            f"{world.url}/graphql", json={"query": query}, headers=world.headers(role), timeout=30
        )
        assert response.status_code == 200 and b'"errors"' not in response.content, (
            query,
            response.text,
        )
        answers.append(response.content)
    return answers


def _live_person(world: World, key: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sync_driver(world.neo4j) as drv:
            found, _, _ = drv.execute_query(TESTS.statement("live_person_record"), key=key)
        if found and found[0]["people"]:
            return found[0]["people"][0]["person_id"]
        time.sleep(0.2)
    raise AssertionError(f"{key} never reached the graph")


@pytest.fixture()
def deployment(tmp_path):
    """A deployment of its own: warehouse, journal, keys and a Neo4j in one data dir."""
    settings = instance_settings(tmp_path / "deployment", heap="1g", pagecache="256m")
    neo4j_server.start(settings, log=lambda _m: None)
    try:
        yield settings
    finally:
        neo4j_server.stop(settings, log=lambda _m: None)


def test_back_up_destroy_restore_gives_the_same_deployment(deployment, tmp_path) -> None:
    settings = deployment
    with people_world(settings, settings.data_dir) as world:
        accepted = world.gql(INGEST, {"source": AGENCY, "records": [STRANGER]}, role="ingest")[
            "data"
        ]["ingestRecords"]
        person = _live_person(world, f"{AGENCY}:LIVE-DRILL")
        queries = _queries(person)
        before = _answers(world, queries)
        assert accepted["accepted"] == 1 and person.encode() in before[4]

    saved = tmp_path / "backup"
    result = CliRunner().invoke(app, ["backup", str(saved)], env=_env(settings))
    assert result.exit_code == 0, result.output
    manifest = Manifest.read(saved)
    assert {layout.WAREHOUSE, layout.JOURNAL, layout.GRAPH_DUMP, "keys/ids"} <= set(manifest.files)
    assert manifest.journal["entries"] == manifest.journal["applied"] >= 1
    assert manifest.graph["counts"]["node:Person"] > 0 and manifest.graph_quiet
    assert manifest.warehouse_schema and manifest.graph_schema and manifest.neo4j
    assert (saved.stat().st_mode & 0o777) == 0o700

    # a backup that does not match its manifest is refused, and nothing is touched
    tampered = tmp_path / "tampered"
    shutil.copytree(saved, tampered)
    with (tampered / layout.WAREHOUSE).open("r+b") as handle:
        handle.seek(5000)
        byte = handle.read(1)
        handle.seek(5000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    kept = file_sha256(settings.warehouse_path)
    with pytest.raises(
        BackupError, match=re.escape("warehouse.duckdb: its SHA-256 is not the manifest's")
    ):
        restore(settings, tampered, log=lambda _m: None)
    assert file_sha256(settings.warehouse_path) == kept
    (tampered / layout.JOURNAL).unlink()
    with pytest.raises(BackupError, match=re.escape("live/journal.sqlite: missing")):
        restore(settings, tampered, log=lambda _m: None)

    # destroy the deployment: the graph's store, the warehouse, the journal, the keys
    neo4j_server.stop(settings, log=lambda _m: None)
    shutil.rmtree(settings.neo4j_instance_dir / "data")
    for gone in ("warehouse.duckdb", "live", "keys"):
        path = settings.data_dir / gone
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    started = time.perf_counter()
    restored = restore(settings, saved, log=lambda _m: None)
    took = time.perf_counter() - started
    assert restored.moved_aside is None  # the destroy left nothing to keep aside
    assert fingerprints.warehouse_tables(settings.warehouse_path) == manifest.warehouse
    with sync_driver(settings) as drv:
        assert fingerprints.graph(drv) == manifest.graph
    assert file_sha256(settings.data_dir / "keys" / "ids") == manifest.files["keys/ids"]["sha256"]
    with serve(settings, settings.data_dir) as url:
        after = _answers(
            World(url, world.tokens, [], [], "", "", settings, settings.data_dir), queries
        )
    assert after == before
    print(json.dumps({"restore_seconds": round(took, 1)}))


def test_a_running_api_blocks_a_restore(deployment, tmp_path) -> None:
    settings = deployment
    saved = tmp_path / "backup"
    backup(settings, saved, graph=False, log=lambda _m: None)
    with (
        serve(settings, settings.data_dir),
        pytest.raises(BackupError, match="an API is running"),
    ):
        restore(settings, saved, log=lambda _m: None)
    with pytest.raises(BackupError, match="is not empty"):
        backup(settings, saved, log=lambda _m: None)


def _env(settings) -> dict[str, str]:
    return {
        "CRIMEGRAPH_DATA_DIR": str(settings.data_dir),
        "NEO4J_URI": settings.neo4j.uri,
        "NEO4J_PASSWORD": settings.neo4j.password,
    }
