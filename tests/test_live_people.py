"""Live person records over real HTTP against the real graph: each linked to the people
the batch resolved with the trained Splink model; a near-duplicate joins its person, a
stranger becomes a new person, an uncertain match opens a review pair stewards are told
of; bad records are refused by row and field; sending a record twice changes nothing."""

from __future__ import annotations

import json
import shutil
import time

import httpx
import pytest

from core import warehouse
from core.settings import load_settings
from graph.connection import driver as sync_driver
from graph.load import load_graph
from live.client import Subscriber
from live.linking import LINK, REVIEW, PeopleIndex, decide, new_person_id
from testkit.cypher import TESTS
from testkit.instances import free_port
from testkit.server import serve
from tests.api_world import AGENCY, agency_people, people_world

pytestmark = pytest.mark.neo4j

INGEST = """mutation Ingest($source: String!, $records: [JSON!]!) {
  ingestRecords(source: $source, records: $records) {
    accepted duplicates rejected records { row status recordId key field reason }
  }
}"""
REVIEW_NEEDED = "subscription { reviewNeeded { pairId matchProbability left right } }"
QUEUE = """query ($after: String) {
  reviewQueue(first: 100, after: $after) {
    edges { node { id matchProbability left { recordId } right { recordId } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
EVIDENCE = """query ($id: ID!) {
  matchEvidence(pairId: $id) { pair { id status modelVersion } comparisons { name matchWeight } }
}"""
BATCH = {row["Nominal Ref"]: row for row in agency_people(600)}


@pytest.fixture(scope="module")
def w(neo4j_settings, tmp_path_factory):
    with people_world(neo4j_settings, tmp_path_factory.mktemp("live-people")) as world:
        yield world


def ingest(world, records: list, role: str = "ingest") -> dict:
    body = world.gql(INGEST, {"source": AGENCY, "records": records}, role=role)
    assert "errors" not in body, body
    return body["data"]["ingestRecords"]


def record(world, ref: str, timeout: float = 30) -> dict:
    """The source record test_agency:<ref> once the graph has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sync_driver(world.neo4j) as drv:
            found, _, _ = drv.execute_query(
                TESTS.statement("live_person_record"), key=f"{AGENCY}:{ref}"
            )
        if found:
            return found[0].data()
        time.sleep(0.1)
    raise AssertionError(f"{ref} never reached the graph")


def stranger(ref: str) -> dict[str, str]:
    return {
        "Nominal Ref": ref, "Surname": "Quixote-Zebedee", "Forename(s)": "Ignatius",
        "DOB": "29/02/1932", "Sex": "M", "Home Address": "1 Nowhere Lane, Bangor",
        "Home Postcode": "LL57 2AB", "Occurrence Ref": f"OCC-{ref}", "Involvement": "victim",
    }  # fmt: skip


def test_a_near_duplicate_joins_the_person_it_matches(w) -> None:
    batch = record(w, "F3")
    near = {**BATCH["F3"], "Nominal Ref": "LIVE-NEAR", "Home Address": "3 Station Rd, Cardiff"}
    result = ingest(w, [near])
    assert result["accepted"] == 1, result
    live = record(w, "LIVE-NEAR")
    assert [p["person_id"] for p in live["people"]] == [batch["people"][0]["person_id"]]
    link = live["links"][0]
    assert link["match_probability"] >= 0.95 and link["model_version"] == 1
    assert link["sources"] == [AGENCY]
    assert live["record"]["live"] is True and live["record"]["sources"] == [AGENCY]
    assert live["people"][0]["record_count"] == batch["people"][0]["record_count"] + 1
    assert live["pairs"] == 0


def test_a_stranger_becomes_a_new_person(w) -> None:
    result = ingest(w, [stranger("LIVE-NEW")])
    key = result["records"][0]["key"]
    live = record(w, "LIVE-NEW")
    (person,) = live["people"]
    server_key = load_settings().with_data_dir(w.data_dir).id_secret
    assert person["person_id"] == new_person_id(key, server_key)
    assert person["person_id"] != new_person_id(key, b"")  # not computable without it
    assert (person["record_count"], person["sources"], person["live"]) == (1, [AGENCY], True)
    assert person["name"] == "IGNATIUS QUIXOTE-ZEBEDEE"
    assert live["links"][0]["match_probability"] == 1.0


def test_a_record_linked_live_is_a_candidate_for_the_next(w) -> None:
    ingest(w, [stranger("LIVE-FIRST")])
    first = record(w, "LIVE-FIRST")
    again = {**stranger("LIVE-SECOND"), "Home Address": "1 Nowhere Ln, Bangor"}
    ingest(w, [again])
    second = record(w, "LIVE-SECOND")
    assert second["people"][0]["person_id"] in {
        first["people"][0]["person_id"],
        record(w, "LIVE-NEW")["people"][0]["person_id"],
    }


def queued(world, pair_id: str) -> dict:
    """The pair as reviewQueue lists it (paging through the open pairs)."""
    after = None
    while True:
        page = world.gql(QUEUE, {"after": after}, role="steward")["data"]["reviewQueue"]
        for edge in page["edges"]:
            if edge["node"]["id"] == pair_id:
                return edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            raise AssertionError(f"{pair_id} is not in the review queue")
        after = page["pageInfo"]["endCursor"]


def test_the_same_new_person_twice_in_one_call_is_one_person(w) -> None:
    twin = {**stranger("LIVE-ONE-CALL-1"), "Forename(s)": "Eurig", "Surname": "Cadwaladr",
            "DOB": "11/11/1961", "Home Postcode": "LL65 1AB"}  # fmt: skip
    again = {**twin, "Nominal Ref": "LIVE-ONE-CALL-2", "Home Address": "1 Nowhere Ln, Bangor"}
    assert ingest(w, [twin, again])["accepted"] == 2
    one, two = record(w, "LIVE-ONE-CALL-1"), record(w, "LIVE-ONE-CALL-2")
    assert one["people"][0]["person_id"] == two["people"][0]["person_id"]
    assert record(w, "LIVE-ONE-CALL-2")["people"][0]["record_count"] == 2


def _uncertain(world) -> dict[str, str]:
    """A record the trained model is unsure of: variants of batch people, scored by the
    same index the API builds (read-only, from the world's warehouse)."""
    index = PeopleIndex.load(world.data_dir / "warehouse.duckdb")
    assert index is not None
    variants = []
    for i in range(30, 60):  # who shares a home and a surname or a birthday, not a name
        base = BATCH[f"F{i}"]
        variants += [
            {**base, "Forename(s)": "Alun", "DOB": "01/01/1930"},
            {**base, "Forename(s)": "Alun", "Surname": "Zimmerman"},
        ]
    payloads = [
        {"system": AGENCY, "record_id": f"V{n}", "forename": v["Forename(s)"].upper(),
         "surname": v["Surname"].upper(), "date_of_birth": "-".join(v["DOB"].split("/")[::-1]),
         "dob_precision": "day", "sex": v["Sex"], "address": v["Home Address"].upper(),
         "postcode": v["Home Postcode"]}
        for n, v in enumerate(variants)
    ]  # fmt: skip
    matches = index.best_matches(payloads)
    index.close()
    for variant, match in zip(variants, matches, strict=True):
        if match is not None and decide(match.match_probability) == REVIEW:
            return variant
    raise AssertionError("no variant fell in the review band")


def test_an_uncertain_match_is_queued_and_stewards_are_told(w) -> None:
    unsure = {**_uncertain(w), "Nominal Ref": "LIVE-UNSURE"}
    with Subscriber(w.url, w.tokens["steward"]) as steward:
        steward.subscribe(REVIEW_NEEDED)
        time.sleep(0.3)  # the subscription is registered once the server has read it
        assert ingest(w, [unsure])["accepted"] == 1
        _, data = steward.next(timeout=30)
    event = data["reviewNeeded"]
    assert event["right"] == f"{AGENCY}:LIVE-UNSURE"
    assert 0.3 <= event["matchProbability"] < 0.95
    live = record(w, "LIVE-UNSURE")
    assert live["people"][0]["person_id"] not in {
        record(w, event["left"].split(":", 1)[1])["people"][0]["person_id"]
    }  # a person of its own until a steward decides
    assert live["pairs"] == 1
    pair = queued(w, event["pairId"])
    assert pair["right"]["recordId"] == "LIVE-UNSURE"
    assert pair["matchProbability"] == pytest.approx(event["matchProbability"])
    evidence = w.gql(EVIDENCE, {"id": event["pairId"]}, role="steward")["data"]["matchEvidence"]
    assert (evidence["pair"]["status"], evidence["pair"]["modelVersion"]) == ("open", 1)
    names = {c["name"] for c in evidence["comparisons"]}
    assert {"forename", "surname", "date_of_birth", "home"} <= names
    assert all(isinstance(c["matchWeight"], float) for c in evidence["comparisons"])


def _payload(ref: str, row: dict[str, str]) -> dict[str, str]:
    return {"system": AGENCY, "record_id": ref, "forename": row["Forename(s)"].upper(),
            "surname": row["Surname"].upper(),
            "date_of_birth": "-".join(row["DOB"].split("/")[::-1]), "dob_precision": "day",
            "sex": row["Sex"], "address": row["Home Address"].upper(),
            "postcode": row["Home Postcode"]}  # fmt: skip


def test_a_twin_arriving_live_does_not_join_the_person_it_resembles(w) -> None:
    """Same surname, birthday and home, a different forename: batch clustering keeps such
    records apart, and so does live linking (the person's records are checked, not just
    the best pair): at most a steward's pair, never a sure match."""
    index = PeopleIndex.load(w.data_dir / "warehouse.duckdb")
    assert index is not None
    try:
        bases = [BATCH[f"F{i}"] for i in range(60, 70)]
        again = index.best_matches([_payload(f"AGAIN{n}", b) for n, b in enumerate(bases)])
        twins = index.best_matches(
            [_payload(f"TWIN{n}", {**b, "Forename(s)": "Ignatius"}) for n, b in enumerate(bases)]
        )
    finally:
        index.close()
    assert all(m is not None and decide(m.match_probability) == LINK for m in again)
    assert all(m is None or decide(m.match_probability) != LINK for m in twins)


def test_the_same_record_twice_changes_nothing(w) -> None:
    twice = {**stranger("LIVE-TWICE"), "Forename(s)": "Peregrine", "Surname": "Ollivander",
             "DOB": "05/05/1955", "Home Postcode": "SA43 1AB"}  # fmt: skip
    first = ingest(w, [twice])
    again = ingest(w, [twice])
    assert (first["accepted"], again["duplicates"]) == (1, 1)
    before = record(w, "LIVE-TWICE")
    # Under a new idempotency key it reaches the graph write, which already holds it.
    resent = ingest(w, [{**twice, "idempotencyKey": "resend-person-1"}])
    assert resent["accepted"] == 1
    time.sleep(1.5)
    after = record(w, "LIVE-TWICE")
    assert after == before
    assert len(after["links"]) == 1 and after["people"][0]["record_count"] == 1


def test_a_bad_record_is_refused_by_row_and_field_and_the_rest_accepted(w) -> None:
    result = ingest(
        w,
        [
            stranger("LIVE-OK"),
            {**stranger("LIVE-BAD-DOB"), "DOB": "31/02/1990"},
            {**stranger("LIVE-NO-NAME"), "Surname": "", "Forename(s)": ""},
            {**stranger("LIVE-BAD-PC"), "Home Postcode": "NOT A POSTCODE"},
            {**stranger(""), "recordId": None},
        ],
    )
    assert (result["accepted"], result["rejected"]) == (2, 3), result
    ok, dob, name, postcode, no_id = result["records"]
    assert ok["status"] == postcode["status"] == "ACCEPTED"
    assert (dob["row"], dob["field"]) == (2, "DOB") and "record 2" in dob["reason"]
    assert (name["row"], name["field"]) == (3, "Surname")
    assert (no_id["row"], no_id["field"]) == (5, "Nominal Ref")
    record(w, "LIVE-OK")
    kept = record(w, "LIVE-BAD-PC")  # a bad secondary value drops the value, as in the batch
    assert kept["record"].get("postcode") is None and kept["record"]["surname"] == "QUIXOTE-ZEBEDEE"


def test_a_batch_load_keeps_live_people(w) -> None:
    ingest(w, [stranger("LIVE-KEPT")])
    before = record(w, "LIVE-KEPT")
    settings = load_settings().with_data_dir(w.data_dir)
    with sync_driver(w.neo4j) as drv, warehouse.connect(settings.warehouse_path) as con:
        report = load_graph(con, drv)
    for step in ("persons", "source_records", "review_pairs"):
        assert report.steps[step].deleted == 0, step
    assert record(w, "LIVE-KEPT") == before


def test_the_feed_endpoint_takes_person_records(w) -> None:
    body = "\n".join([json.dumps(stranger("LIVE-FEED")), "{oops"]).encode()
    response = httpx.post(
        f"{w.url}/ingest/{AGENCY}",
        content=body,
        headers={**w.headers("ingest"), "content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["accepted"], response.json()["rejected"]) == (1, 1)
    record(w, "LIVE-FEED")


def test_a_backlog_is_linked_once_after_a_restart_and_stays_a_candidate(w, tmp_path) -> None:
    # Its own data directory (journal): the module's server must not drain this backlog.
    shutil.copy(w.data_dir / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(w.data_dir / "simulated", tmp_path / "simulated")
    away = w.neo4j.with_neo4j(uri=f"bolt://127.0.0.1:{free_port()}")
    records = [stranger(f"LIVE-BACKLOG-{n}") for n in range(3)]
    records[1] = {**BATCH["F9"], "Nominal Ref": "LIVE-BACKLOG-1"}
    headers = {**w.headers("ingest"), "content-type": "application/x-ndjson"}
    body = "\n".join(json.dumps(r) for r in records).encode()
    with serve(away, tmp_path, ready=(200, 503)) as url:
        answer = httpx.post(f"{url}/ingest/{AGENCY}", content=body, headers=headers).json()
        assert answer["accepted"] == 3, answer
        time.sleep(1.0)
    with pytest.raises(AssertionError, match="never reached"):
        record(w, "LIVE-BACKLOG-0", timeout=0.5)  # the graph was unreachable
    # The first server is gone (as after a crash); the next one replays the journal.
    with serve(w.neo4j, tmp_path) as url:
        applied = [record(w, f"LIVE-BACKLOG-{n}") for n in range(3)]
        assert [len(r["links"]) for r in applied] == [1, 1, 1]
        assert applied[1]["people"][0]["person_id"] == record(w, "F9")["people"][0]["person_id"]
        again = httpx.post(f"{url}/ingest/{AGENCY}", content=body, headers=headers).json()
        assert again["duplicates"] == 3
    # A third start rebuilds the index from the journal: a near-duplicate of a record only
    # the live path has seen joins its person.
    with serve(w.neo4j, tmp_path) as url:
        near = {**stranger("LIVE-BACKLOG-NEAR"), "Home Address": "1 Nowhere Ln, Bangor"}
        line = json.dumps(near).encode()
        assert (
            httpx.post(f"{url}/ingest/{AGENCY}", content=line, headers=headers).json()["accepted"]
            == 1
        )
        linked = record(w, "LIVE-BACKLOG-NEAR")
    first = {r["people"][0]["person_id"] for r in (applied[0], applied[2])}
    assert linked["people"][0]["person_id"] in first
    assert [len(record(w, f"LIVE-BACKLOG-{n}")["links"]) for n in range(3)] == [1, 1, 1]


def test_a_row_quoting_a_crime_id_makes_the_person_party_to_that_incident(w) -> None:
    crime = w.incidents[0]
    rows = [
        {**stranger("LIVE-SUSPECT"), "Forename(s)": "Tudur", "Surname": "Aberconwy",
         "Crime ID": crime, "Involvement": "suspect", "Occurrence Ref": "OCC-S1"},
        # the same person in a second row of the same call: another involvement
        {**stranger("LIVE-SUSPECT"), "Forename(s)": "Tudur", "Surname": "Aberconwy",
         "Crime ID": w.incidents[1], "Involvement": "witness", "Occurrence Ref": "OCC-S2"},
    ]  # fmt: skip
    assert ingest(w, rows)["accepted"] == 2
    person = record(w, "LIVE-SUSPECT")["people"][0]["person_id"]
    time.sleep(1.0)
    assert ingest(w, [{**rows[0], "idempotencyKey": "resend-suspect"}])["accepted"] == 1
    time.sleep(1.5)
    with sync_driver(w.neo4j) as drv:
        found, _, _ = drv.execute_query(TESTS.statement("live_involvements"), person_id=person)
    parties = sorted((r["incident"], r["role"], r["records"], r["recorded"]) for r in found)
    assert parties == sorted(
        [
            (crime, "suspect", [f"{AGENCY}:LIVE-SUSPECT@OCC-S1"], 1),
            (w.incidents[1], "witness", [f"{AGENCY}:LIVE-SUSPECT@OCC-S2"], 1),
        ]
    )
