"""Live ingest over real HTTP and websockets against the real graph: per-record answers,
roles, idempotency, subscriptions filtered by bbox and role, and a backlog accepted
while the graph was unreachable applied exactly once after a restart."""

from __future__ import annotations

import json
import shutil
import time

import httpx
import pytest

from api.tiles import tile_for
from core import warehouse
from core.settings import load_settings
from graph.connection import driver as sync_driver
from graph.cypher import statement
from graph.load import load_graph
from live import records as live_records
from live.client import Subscriber, SubscriptionError
from live.journal import Journal
from resolver.adapters.registry import live_adapters
from testkit.cypher import TESTS
from testkit.instances import free_port
from testkit.server import serve
from tests.api_world import world

pytestmark = pytest.mark.neo4j

INGEST = """mutation Ingest($source: String!, $records: [JSON!]!) {
  ingestRecords(source: $source, records: $records) {
    accepted duplicates rejected records { row status recordId key field reason }
  }
}"""
PUBLIC_RISK_FIELDS = {"id", "month", "crimeGroup", "forceCode", "model", "incidents", "score"}
INCIDENT_ADDED = "subscription ($bbox: BBox) { incidentAdded(bbox: $bbox) }"
RISK_CHANGED = """subscription ($bbox: BBox!, $month: String) {
  riskChanged(bbox: $bbox, month: $month, resolution: 9)
}"""
RISK_VIEW = 'query ($b: BBox!) { riskLayer(bbox: $b, month: "2025-01", resolution: 9) }'
REVIEW_NEEDED = "subscription { reviewNeeded { pairId matchProbability } }"
CARDIFF = {"west": -3.3, "south": 51.4, "east": -3.1, "north": 51.55}
NORTH_WALES = {"west": -4.5, "south": 53.0, "east": -3.0, "north": 53.4}
QUEEN_STREET = ("-3.179090", "51.481583")  # a fixture crime's point: its cell has a risk score
PARK_PLACE = ("-3.200000", "51.490000")  # another fixture crime's point, in another cell
PARK_PLACE_CELL = "8919586b4dbffff"


def crime(crime_id: str, month: str = "2025-01", **overrides: str) -> dict[str, str]:
    lon, lat = QUEEN_STREET
    record = {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": "South Wales Police",
        "Falls within": "South Wales Police",
        "Longitude": lon,
        "Latitude": lat,
        "Location": "On or near Queen Street",
        "LSOA code": "W01001890",
        "LSOA name": "Cardiff 032F",
        "Crime type": "Burglary",
        "Last outcome category": "Under investigation",
        "Context": "",
    }
    return {**record, **overrides}


@pytest.fixture(scope="module")
def live_world(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("live")) as w:
        yield w


def ingest(w, records: list, role: str = "ingest", source: str = "police.uk") -> dict:
    return w.gql(INGEST, {"source": source, "records": records}, role=role)


def incident(settings, incident_id: str) -> dict | None:
    with sync_driver(settings) as drv:
        records, _, _ = drv.execute_query(
            TESTS.statement("live_incident"),
            id=incident_id,
        )
    return dict(records[0]) if records and records[0]["i"] else None


def wait_for(settings, incident_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := incident(settings, incident_id)) is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{incident_id} never reached the graph")


def test_mutation_accepts_good_records_and_rejects_bad_ones_with_reasons(live_world) -> None:
    body = ingest(
        live_world,
        [
            crime("live-good-1"),
            crime("live-bad-month", Month="2025-13"),
            crime("", **{"Crime type": "Anti-social behaviour"}),
            "not an object",
        ],
    )
    assert "errors" not in body, body
    result = body["data"]["ingestRecords"]
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (1, 0, 3)
    good, month, asb, text = result["records"]
    assert good["status"] == "ACCEPTED"
    assert good["recordId"] == "live-good-1@2025-01"
    assert good["key"] == "police.uk:live-good-1@2025-01"
    assert (month["status"], month["field"]) == ("REJECTED", "Month")
    assert "record 2" in month["reason"] and "2025-13" in month["reason"]
    assert (asb["status"], asb["field"]) == ("REJECTED", "recordId")
    assert text["status"] == "REJECTED" and "JSON object" in text["reason"]
    node = wait_for(live_world.neo4j, "live-good-1")
    assert node["i"]["sources"] == ["police.uk"]
    assert node["i"]["source_records"] == ["live-good-1@2025-01"]
    assert node["i"]["crime_group"] == "burglary"
    assert (node["locations"], node["forces"]) == (1, ["south-wales"])
    assert incident(live_world.neo4j, "live-bad-month") is None


def test_ingest_is_for_the_ingest_role_only(live_world) -> None:
    for role in ("public", "analyst", "steward"):
        body = ingest(live_world, [crime("live-role")], role=role)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    response = httpx.post(
        f"{live_world.url}/ingest/police.uk",
        content=b"{}",
        headers=live_world.headers("analyst"),
    )
    assert response.status_code == 403
    unknown = ingest(live_world, [crime("live-x")], source="nowhere")
    assert unknown["errors"][0]["extensions"]["argument"] == "source"
    assert incident(live_world.neo4j, "live-role") is None


def test_a_reused_idempotency_key_with_other_content_is_a_conflict(live_world) -> None:
    key = {"idempotencyKey": "reused-key-1"}
    first = ingest(live_world, [{**crime("live-key-a"), **key}])["data"]["ingestRecords"]
    assert first["accepted"] == 1
    other = {**crime("live-key-a", **{"Crime type": "Robbery"}), **key}
    answer = ingest(live_world, [other])["data"]["ingestRecords"]
    assert (answer["accepted"], answer["duplicates"], answer["rejected"]) == (0, 0, 1)
    record = answer["records"][0]
    assert record["field"] == "idempotencyKey" and "conflict" in record["reason"]


def test_the_same_record_twice_changes_nothing(live_world) -> None:
    first = ingest(live_world, [crime("live-twice")])["data"]["ingestRecords"]
    again = ingest(live_world, [crime("live-twice")])["data"]["ingestRecords"]
    assert (first["accepted"], again["duplicates"]) == (1, 1)
    # A resend under a new idempotency key reaches the graph writes, which see the record.
    resent = ingest(live_world, [{**crime("live-twice"), "idempotencyKey": "resend-1"}])
    assert resent["data"]["ingestRecords"]["accepted"] == 1
    wait_for(live_world.neo4j, "live-twice")
    time.sleep(1.0)
    node = incident(live_world.neo4j, "live-twice")
    assert node["i"]["record_count"] == 1
    assert node["i"]["source_records"] == ["live-twice@2025-01"]
    assert node["rows"] == 1  # one location, one force: no duplicated relationships


def test_batch_endpoint_takes_json_lines_and_csv(live_world) -> None:
    lines = "\n".join(
        [json.dumps(crime("live-feed-1")), "{not json", json.dumps(crime("x", Month="bad"))]
    )
    response = httpx.post(
        f"{live_world.url}/ingest/police.uk",
        content=lines.encode(),
        headers={**live_world.headers("ingest"), "content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 2)
    assert body["records"][1]["reason"].startswith("record 2: not JSON")
    assert (body["records"][2]["row"], body["records"][2]["field"]) == (3, "Month")
    record = crime("live-feed-2")
    csv_text = ",".join(record) + "\n" + ",".join(f'"{v}"' for v in record.values()) + "\n"
    response = httpx.post(
        f"{live_world.url}/ingest/police.uk",
        content=csv_text.encode(),
        headers={**live_world.headers("ingest"), "content-type": "text/csv"},
    )
    assert response.json()["accepted"] == 1, response.text
    wait_for(live_world.neo4j, "live-feed-1")
    wait_for(live_world.neo4j, "live-feed-2")


def next_event(sub: Subscriber, wanted, timeout: float = 30) -> dict:
    """The first event payload `wanted` accepts, passing over earlier tests' incidents
    that the map applier may still be announcing (it batches every half second)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        event = sub.next(timeout=left)
        if event is not None and wanted(event[1]):
            return event[1]
    raise AssertionError("the expected event never came")


def test_subscribers_get_new_incidents_inside_their_bbox_only(live_world) -> None:
    w = live_world
    # Its own place and crime type: every other test here files burglaries at Queen Street.
    lon, lat = PARK_PLACE
    record = crime("live-sub-1", Longitude=lon, Latitude=lat, **{"Crime type": "Robbery"})
    with (
        Subscriber(w.url, w.tokens["analyst"]) as analyst,
        Subscriber(w.url) as public,
        Subscriber(w.url, w.tokens["analyst"]) as elsewhere,
        Subscriber(w.url, w.tokens["analyst"]) as risk,
    ):
        analyst.subscribe(INCIDENT_ADDED, {"bbox": CARDIFF})
        public.subscribe(RISK_CHANGED, {"bbox": CARDIFF, "month": "2025-01"})
        elsewhere.subscribe(INCIDENT_ADDED, {"bbox": NORTH_WALES})
        risk.subscribe(RISK_CHANGED, {"bbox": CARDIFF, "month": "2025-01"})
        before = w.gql(RISK_VIEW, {"b": CARDIFF}, role="analyst")["data"]["riskLayer"]["features"]
        old = {f["id"]: f["properties"] for f in before}
        assert PARK_PLACE_CELL in old
        x, y = tile_for(float(lon), float(lat), 12)
        tile = f"{w.url}/tiles/risk/12/{x}/{y}.mvt?month=2025-01"
        assert [httpx.get(tile).headers["x-cache"] for _ in range(2)] == ["MISS", "HIT"]
        time.sleep(0.3)  # the subscriptions are registered once the server has read them
        assert ingest(w, [record])["data"]["ingestRecords"]["accepted"] == 1
        feature = next_event(analyst, lambda d: d["incidentAdded"].get("id") == "live-sub-1")
        feature = feature["incidentAdded"]
        assert feature["properties"]["recordId"] == "live-sub-1@2025-01"
        assert feature["geometry"]["coordinates"] == [-3.2, 51.49]
        # The public's live feed is the risk layer in its public form: no harm (a weight
        # times a count), no exact count under 5, nothing from agency records.
        shown = next_event(
            public, lambda d: any(f["id"] == PARK_PLACE_CELL for f in d["riskChanged"]["features"])
        )["riskChanged"]["features"]
        for f in shown:
            assert set(f["properties"]) <= PUBLIC_RISK_FIELDS, f["properties"]
        assert elsewhere.next(timeout=1.5) is None
        data = next_event(
            risk, lambda d: any(f["id"] == PARK_PLACE_CELL for f in d["riskChanged"]["features"])
        )
        changed = {f["id"]: f["properties"] for f in data["riskChanged"]["features"]}
        assert changed[PARK_PLACE_CELL]["incidents"] == old[PARK_PLACE_CELL]["incidents"] + 1
        assert changed[PARK_PLACE_CELL]["harm"] > old[PARK_PLACE_CELL]["harm"]
        # The same view asked again is answered afresh: the change emptied the response cache.
        after = httpx.post(
            f"{w.url}/graphql",
            json={"query": RISK_VIEW, "variables": {"b": CARDIFF}},
            headers=w.headers("analyst"),
        )
        assert after.headers["x-cache"] == "MISS"
        assert httpx.get(tile).headers["x-cache"] == "MISS"  # the rendered tile went too
        now = {f["id"]: f["properties"] for f in after.json()["data"]["riskLayer"]["features"]}
        assert now[PARK_PLACE_CELL]["incidents"] == changed[PARK_PLACE_CELL]["incidents"]


RESUME = "subscription ($after: String) { incidentAdded(after: $after) }"


def _ids(sub: Subscriber, prefix: str, n: int) -> list[tuple[str, str]]:
    """The next ``n`` events of incidents whose id starts with ``prefix``: (id, cursor)."""
    got = []
    while len(got) < n:
        feature = next_event(sub, lambda d: d["incidentAdded"]["id"].startswith(prefix))
        got.append(
            (feature["incidentAdded"]["id"], feature["incidentAdded"]["properties"]["cursor"])
        )
    return got


def test_a_subscriber_resuming_from_its_cursor_hears_each_incident_once(live_world) -> None:
    w = live_world
    with Subscriber(w.url, w.tokens["analyst"]) as first:
        first.subscribe(RESUME)
        time.sleep(0.3)
        ingest(w, [crime("live-resume-1"), crime("live-resume-2")])
        heard = _ids(first, "live-resume-", 2)
    # Away (a worker died, a network drop): two more arrive and reach the graph meanwhile.
    ingest(w, [crime("live-resume-3"), crime("live-resume-4")])
    wait_for(w.neo4j, "live-resume-4")
    with Subscriber(w.url, w.tokens["analyst"]) as again:
        again.subscribe(RESUME, {"after": heard[-1][1]})
        missed = _ids(again, "live-resume-", 2)
        ingest(w, [crime("live-resume-5")])
        later = _ids(again, "live-resume-", 1)
    ids = [i for i, _ in heard + missed + later]
    assert ids == [f"live-resume-{n}" for n in range(1, 6)]  # each once, in order
    with Subscriber(w.url, w.tokens["analyst"]) as bad:
        bad.subscribe(RESUME, {"after": "not-a-cursor"})
        with pytest.raises(SubscriptionError, match="cursor"):
            bad.next(timeout=10)


def test_single_live_incidents_are_not_public(live_world) -> None:
    with Subscriber(live_world.url) as public:
        public.subscribe(INCIDENT_ADDED, {"bbox": CARDIFF})
        with pytest.raises(SubscriptionError, match="not available to this role"):
            public.next(timeout=5)


def test_review_feed_is_for_stewards_only(live_world) -> None:
    w = live_world
    for role in ("analyst", "investigator", "public"):
        with Subscriber(w.url, w.tokens.get(role) if role != "public" else None) as sub:
            sub.subscribe(REVIEW_NEEDED)
            with pytest.raises(SubscriptionError, match="not available to this role"):
                sub.next(timeout=5)
    with Subscriber(w.url, w.tokens["steward"]) as steward:
        steward.subscribe(REVIEW_NEEDED)
        assert steward.next(timeout=1) is None  # open, nothing to review yet
    with pytest.raises(Exception):  # noqa: B017 - a bad token is refused at connection
        Subscriber(w.url, "not-a-token")


def test_backlog_accepted_while_the_graph_is_away_is_applied_once(live_world, tmp_path) -> None:
    w = live_world
    away = w.neo4j.with_neo4j(uri=f"bolt://127.0.0.1:{free_port()}")
    records = [crime(f"live-backlog-{n}") for n in range(5)]
    # Its own data directory (journal): the module's server must not drain this backlog.
    with serve(away, tmp_path, ready=(200, 503)) as url:
        headers = {**w.headers("ingest"), "content-type": "application/x-ndjson"}
        body = "\n".join(json.dumps(r) for r in records).encode()
        answer = httpx.post(f"{url}/ingest/police.uk", content=body, headers=headers).json()
        assert answer["accepted"] == 5, answer
        time.sleep(1.0)
        assert incident(w.neo4j, "live-backlog-0") is None  # the graph was unreachable
    # The first server is gone (as after a crash); the next one replays the journal.
    with serve(w.neo4j, tmp_path) as url:
        for n in range(5):
            node = wait_for(w.neo4j, f"live-backlog-{n}")
            assert node["i"]["record_count"] == 1
        answer = httpx.post(f"{url}/ingest/police.uk", content=body, headers=headers).json()
        assert answer["duplicates"] == 5
    with sync_driver(w.neo4j) as drv:
        records_, _, _ = drv.execute_query(
            TESTS.statement("incidents_with_prefix"), prefix="live-backlog-"
        )
    assert records_[0]["n"] == 5


def test_a_batch_load_keeps_live_incidents(live_world) -> None:
    w = live_world
    assert ingest(w, [crime("live-kept")])["data"]["ingestRecords"]["accepted"] == 1
    wait_for(w.neo4j, "live-kept")
    settings = load_settings().with_data_dir(w.data_dir)
    with sync_driver(w.neo4j) as drv, warehouse.connect(settings.warehouse_path) as con:
        report = load_graph(con, drv)
    assert report.steps["incidents"].deleted == 0
    node = incident(w.neo4j, "live-kept")
    assert node is not None and node["locations"] == 1


def test_a_nearly_full_journal_disk_refuses_intake_whole_and_clearly(live_world, tmp_path) -> None:
    w = live_world
    reserve_mb = shutil.disk_usage(tmp_path).free // 2**20 + 1024  # more than the disk has
    record = crime("live-disk-full-0")
    headers = {**w.headers("ingest"), "content-type": "application/x-ndjson"}
    with serve(w.neo4j, tmp_path, CRIMEGRAPH_LIVE_RESERVE_MB=str(reserve_mb)) as url:
        refused = httpx.post(f"{url}/ingest/police.uk", content=json.dumps(record), headers=headers)
        assert refused.status_code == 507 and refused.headers["retry-after"] == "60"
        (error,) = refused.json()["errors"]
        assert error["extensions"]["code"] == "INSUFFICIENT_STORAGE"
        assert "nothing in this request was accepted" in error["message"]
        body = httpx.post(
            f"{url}/graphql",
            json={"query": INGEST, "variables": {"source": "police.uk", "records": [record]}},
            headers=w.headers("ingest"),
        ).json()
        assert body["errors"][0]["extensions"] == {"code": "INSUFFICIENT_STORAGE", "retryAfter": 60}
        assert "MB free, under the" in body["errors"][0]["message"]
    journal = Journal(tmp_path / "live" / "journal.sqlite")
    try:
        assert journal.counts() == {"entries": 0, "pending": 0}
    finally:
        journal.close()


def test_an_entry_replayed_after_its_writer_died_is_still_announced(live_world, tmp_path) -> None:
    """The leader wrote the graph and was killed before marking the entry applied: the
    next leader replays it, and the incident it created is still a new incident (its
    event would otherwise never be sent: the soak's missing event)."""
    w = live_world
    (standard,) = live_records.standardise(live_adapters(None), "police.uk", [crime("live-dies")])
    journal = Journal(tmp_path / "live" / "journal.sqlite")
    journal.append([standard])
    (entry,) = journal.pending()
    journal.close()
    with sync_driver(w.neo4j) as drv:
        drv.execute_query(statement("live/incidents"), rows=[{**entry.payload, "seq": entry.seq}])
    with serve(w.neo4j, tmp_path):
        deadline = time.monotonic() + 30
        while _pending(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.2)
    journal = Journal(tmp_path / "live" / "journal.sqlite")
    try:
        assert [e.seq for e in journal.applied("new", "incident")] == [entry.seq]
    finally:
        journal.close()
    assert incident(w.neo4j, "live-dies")["i"]["record_count"] == 1


def _pending(data_dir) -> int:
    journal = Journal(data_dir / "live" / "journal.sqlite")
    try:
        return journal.counts()["pending"]
    finally:
        journal.close()
