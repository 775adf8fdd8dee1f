"""A schema-driven GraphQL fuzz against the real server in production mode: queries and
mutations generated from docs/schema.graphql (hypothesis-graphql, the generator behind
schemathesis's GraphQL support), every role, a bounded number of requests. Every answer
must be a client's answer: no 5xx, no masked internal error, no traceback."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from core.settings import PROJECT_ROOT
from tests.api_world import world

pytestmark = pytest.mark.neo4j

SDL = (PROJECT_ROOT / "docs" / "schema.graphql").read_text(encoding="utf-8")
ROLES = ("public", "analyst", "investigator", "steward", "auditor", "ingest")
SCALARS = {
    "JSON": st.sampled_from([nodes.String("x"), nodes.Int(1), nodes.Object([]), nodes.Null]),
    "DateTime": st.sampled_from([nodes.String("2025-01-01T00:00:00Z"), nodes.String("soon")]),
    "GeoJSON": st.just(nodes.Object([])),
}
EXAMPLES = 400
MASKED = "Internal error."


@pytest.fixture(scope="module")
def api(neo4j_settings, tmp_path_factory):
    env = {
        "CRIMEGRAPH_ENV": "production",
        "CRIMEGRAPH_API_RATE_PER_S": "1000000",  # the fuzz is one caller, quickly
        "CRIMEGRAPH_API_RATE_BURST": "1000000",
    }
    folder = tmp_path_factory.mktemp("api-fuzz")
    with world(neo4j_settings, folder, **env) as w, httpx.Client(base_url=w.url, timeout=30) as c:
        yield w, c


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=from_schema(SDL, custom_scalars=SCALARS), role=st.sampled_from(ROLES))
def test_generated_requests_get_client_answers(api, document: str, role: str) -> None:
    world, client = api
    answer = client.post("/graphql", json={"query": document}, headers=world.headers(role))
    assert answer.status_code < 500, (role, document, answer.text[:500])
    assert "Traceback" not in answer.text
    if answer.headers.get("content-type", "").startswith("application/json"):
        for error in answer.json().get("errors") or []:
            assert error["message"] != MASKED, (role, document, error)
