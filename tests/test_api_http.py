"""The GraphQL API over real HTTP (uvicorn in its own process) against the real graph."""

import os
import subprocess
import sys
import time

import httpx
import pytest

from crimegraph import pipeline
from graph.load import load_graph
from resolver import warehouse
from tests.conftest import BROKEN_POLICE_UK, free_port

pytestmark = pytest.mark.neo4j


@pytest.fixture()
def api_url(neo4j_settings, neo4j_driver, warehouse_settings):
    pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        load_graph(con, neo4j_driver)
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_settings.neo4j_uri,
        "NEO4J_USER": neo4j_settings.neo4j_user,
        "NEO4J_PASSWORD": neo4j_settings.neo4j_password,
        "CRIMEGRAPH_DATA_DIR": str(warehouse_settings.data_dir),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "crimegraph.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"API did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


def test_forces_lists_all_43_with_counts(api_url) -> None:
    body = graphql(api_url, "{ forces { code name pfaCode incidentCount } }")
    forces = {f["code"]: f for f in body["data"]["forces"]}
    assert len(forces) == 43
    assert forces["south-wales"] == {
        "code": "south-wales",
        "name": "South Wales",
        "pfaCode": "W15000003",
        "incidentCount": 8,
    }
    assert forces["dorset"]["incidentCount"] == 0


def test_incident_count_by_force_and_month(api_url) -> None:
    query = "query($f: String!, $m: String) { incidentCount(force: $f, month: $m) }"
    assert graphql(api_url, query, {"f": "south-wales", "m": "2025-01"})["data"] == {
        "incidentCount": 8
    }
    # No token means the public role: counts under 5 (here 0) are withheld, never exact.
    assert graphql(api_url, query, {"f": "south-wales", "m": "2025-02"})["data"] == {
        "incidentCount": None
    }
    assert graphql(api_url, query, {"f": "south-wales"})["data"] == {"incidentCount": 8}
    assert graphql(api_url, query, {"f": "gwent"})["data"] == {"incidentCount": None}


@pytest.mark.parametrize(
    ("force", "month", "argument"),
    [
        ("south-wales", "January", "month"),
        ("south-wales", "2025-13", "month"),
        ("x' OR 1=1 //", None, "force"),
        ("South Wales Police", None, "force"),
    ],
)
def test_bad_arguments_get_a_clear_error(api_url, force, month, argument) -> None:
    query = "query($f: String!, $m: String) { incidentCount(force: $f, month: $m) }"
    body = graphql(api_url, query, {"f": force, "m": month})
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert argument in error["message"]


def test_health_endpoint(api_url) -> None:
    assert httpx.get(f"{api_url}/healthz").json() == {"status": "ok"}
