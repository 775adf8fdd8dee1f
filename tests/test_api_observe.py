"""What the API tells its operators, over real HTTP: request ids from the access log to
the audit entry, Prometheus metrics, JSON log lines, liveness apart from readiness."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from graph.connection import driver as sync_driver
from testkit.instances import free_port
from testkit.server import serve
from tests.api_world import PERSON_A, world

pytestmark = pytest.mark.neo4j

PURPOSE = "operations check"
BOX = "{west: -5, south: 50, east: 0, north: 54}"


@pytest.fixture(scope="module")
def w(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("observe")) as seeded:
        yield seeded


def _post(w, query: str, role: str = "public", request_id: str | None = None) -> httpx.Response:
    headers = w.headers(role) | (
        {"x-request-id": request_id.encode("latin-1")} if request_id else {}
    )
    response = httpx.post(f"{w.url}/graphql", json={"query": query}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text; 0 when absent."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _metrics(w) -> str:
    response = httpx.get(f"{w.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_a_request_id_goes_from_the_caller_to_the_audit_entry_and_the_log(w) -> None:
    mine = "drill-7f3a.1"
    query = f'{{ person(id: "{PERSON_A}", purpose: "{PURPOSE}") {{ id }} }}'
    answer = _post(w, query, "investigator", request_id=mine)
    assert answer.headers["x-request-id"] == mine
    with sync_driver(w.neo4j) as drv:
        records, _, _ = drv.execute_query(
            "MATCH (e:AuditEntry {request_id: $rid}) RETURN e.what AS what, e.who AS who",
            rid=mine,
        )
    assert [(r["what"], r["who"]) for r in records] == [("person", "jwt:test-investigator")]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in (w.data_dir / "server.log").read_text().splitlines()
                 if line.startswith("{") and mine in line]  # fmt: skip
        if lines:
            break
        time.sleep(0.1)
    (line,) = lines
    assert line["logger"] == "crimegraph.access" and line["request_id"] == mine
    assert (line["route"], line["role"], line["status"]) == ("graphql", "investigator", 200)
    assert line["seconds"] > 0 and "time" in line and line["level"] == "INFO"


@pytest.mark.parametrize(
    "given", ["", "x" * 65, "two words", "a\u00e9b".encode().decode("latin-1"), "</script>"]
)
def test_a_request_id_that_is_not_a_plain_token_is_replaced(w, given) -> None:
    made = _post(w, "{ forces { code } }", request_id=given or None).headers["x-request-id"]
    assert made != given and re.fullmatch(r"[0-9a-f]{32}", made)


def test_metrics_count_requests_fields_cache_audit_and_live(w) -> None:
    before = _metrics(w)
    for _ in range(3):
        _post(w, "{ forces { code } }")
    _post(w, f"{{ riskLayer(bbox: {BOX}) }}", "analyst")
    _post(w, f"{{ riskLayer(bbox: {BOX}) }}", "analyst")  # the second from the cache
    _post(w, f'{{ person(id: "{PERSON_A}", purpose: "{PURPOSE}") {{ id }} }}', "investigator")
    ingest = 'mutation { ingestRecords(source: "nowhere", records: []) { accepted } }'
    httpx.post(f"{w.url}/graphql", json={"query": ingest}, headers=w.headers("ingest"))
    after = _metrics(w)

    def grew(name: str, **labels: str) -> float:
        return _metric(after, name, **labels) - _metric(before, name, **labels)

    assert grew("crimegraph_graphql_field_seconds_count", field="forces", role="public") == 3
    assert grew("crimegraph_graphql_field_seconds_count", field="riskLayer", role="analyst") == 1
    requests = grew("crimegraph_http_request_seconds_count", route="graphql", role="public",
                    status="200")  # fmt: skip
    assert requests == 3
    assert grew("crimegraph_cache_answers_total", cache="graphql", outcome="hit") >= 1
    assert grew("crimegraph_audit_entries_total") == 1
    assert grew("crimegraph_neo4j_read_seconds_count", outcome="ok") >= 1
    assert "crimegraph_live_journal_pending 0.0" in after
    assert "crimegraph_live_journal_oldest_pending_seconds 0.0" in after
    # labels come from the schema and the routes, never from what a caller sends
    httpx.get(f"{w.url}/no/such/path-{time.time()}")
    assert "path-" not in _metrics(w)


def test_liveness_and_readiness_are_apart(w, tmp_path) -> None:
    assert httpx.get(f"{w.url}/livez").json() == {"status": "ok"}
    ready = httpx.get(f"{w.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["components"] == {"neo4j": "ok", "layers": "ok", "live": "ok"}
    away = w.neo4j.with_neo4j(uri=f"bolt://127.0.0.1:{free_port()}")
    with serve(away, tmp_path, ready=(200, 503)) as url:
        assert httpx.get(f"{url}/livez").status_code == 200
        down = httpx.get(f"{url}/readyz")
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "unavailable"
        assert body["components"]["neo4j"] != "ok" and body["components"]["layers"] == "ok"


def test_metrics_need_the_operators_token_once_it_is_set(w, tmp_path) -> None:
    token = "scraper-" + "k" * 24
    with serve(w.neo4j, tmp_path, CRIMEGRAPH_METRICS_TOKEN=token) as url:
        assert httpx.get(f"{url}/metrics").status_code == 403  # loopback is not enough now
        wrong = httpx.get(f"{url}/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 403 and b"crimegraph_" not in wrong.content
        right = httpx.get(f"{url}/metrics", headers={"authorization": f"Bearer {token}"})
        assert right.status_code == 200 and b"crimegraph_http_request_seconds" in right.content


def test_a_clients_mistake_is_one_info_line_not_a_server_error(w) -> None:
    mine = "bad-month-1"
    answer = _post(w, '{ incidentCount(force: "gwent", month: "2025-13") }', request_id=mine)
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    deadline = time.monotonic() + 5
    lines: list[dict] = []
    while time.monotonic() < deadline and len(lines) < 2:
        lines = [json.loads(line) for line in (w.data_dir / "server.log").read_text().splitlines()
                 if line.startswith("{") and mine in line]  # fmt: skip
        time.sleep(0.1)
    logged = {(line["logger"], line["level"]) for line in lines}
    assert logged == {("crimegraph.api", "INFO"), ("crimegraph.access", "INFO")}, lines
    assert not any("exc_info" in line for line in lines)
