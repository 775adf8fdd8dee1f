"""The GraphQL API over real HTTP (uvicorn in its own process) against the real graph."""

import httpx
import pytest

from core import warehouse
from crimegraph import pipeline
from graph.load import load_graph
from testkit.server import serve
from tests.conftest import BROKEN_POLICE_UK

pytestmark = pytest.mark.neo4j


@pytest.fixture()
def api_url(neo4j_settings, neo4j_driver, warehouse_settings):
    pipeline.ingest_police_uk(warehouse_settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(warehouse_settings.warehouse_path) as con:
        load_graph(con, neo4j_driver)
    with serve(neo4j_settings, warehouse_settings.data_dir) as url:
        yield url


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
        "incidentCount": 9,  # ten rows: two are one crime's (one Crime ID)
    }
    # As incidentCount: the public is not told a small count, not even 0 (issue 20).
    assert forces["dorset"]["incidentCount"] is None


def test_incident_count_by_force_and_month(api_url) -> None:
    query = "query($f: String!, $m: String) { incidentCount(force: $f, month: $m) }"
    assert graphql(api_url, query, {"f": "south-wales", "m": "2025-01"})["data"] == {
        "incidentCount": 9
    }
    # No token means the public role: counts under 5 (here 0) are withheld, never exact.
    assert graphql(api_url, query, {"f": "south-wales", "m": "2025-02"})["data"] == {
        "incidentCount": None
    }
    assert graphql(api_url, query, {"f": "south-wales"})["data"] == {"incidentCount": 9}
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
    assert body["data"] == {"incidentCount": None}  # the field is nullable: null, not a count
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument
    assert argument in error["message"]


def test_health_endpoint(api_url) -> None:
    ready = {"neo4j": "ok", "layers": "ok", "live": "ok"}
    assert httpx.get(f"{api_url}/healthz").json() == {"status": "ok", "components": ready}
