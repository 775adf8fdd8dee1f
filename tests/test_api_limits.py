"""Requests an attacker would send to make one call cost the server, or to slip past
authentication (issue 20), against the real server."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from api.cost import COST_LIMIT, MAX_CELLS
from api.gate import MAX_BODY_BYTES, PAYLOAD_TOO_LARGE, RESPONSE_TOO_LARGE, response_cap
from testkit.server import JWT_SECRET
from tests.api_world import world


@pytest.fixture(scope="module")
def api(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("api-limits")) as w:
        yield w


def _post(api, body: bytes | dict, headers: list[tuple[str, str]] | None = None) -> httpx.Response:
    kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
    return httpx.post(f"{api.url}/graphql", headers=headers or [], timeout=30, **kwargs)


def test_a_body_over_the_cap_is_refused(api) -> None:
    padding = "x" * (MAX_BODY_BYTES + 10)
    answer = _post(api, {"query": "{ months }", "variables": {"pad": padding}})
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == PAYLOAD_TOO_LARGE


def test_one_authorization_header_or_400(api) -> None:
    token = api.tokens["analyst"]
    headers = [("authorization", f"Bearer {token}"), ("authorization", "Bearer other")]
    answer = _post(api, {"query": "{ months }"}, headers)
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "investigator", "exp": 60},  # no sub: nobody to audit
        {"role": "investigator", "sub": "x", "exp": 10 * 365 * 86400},  # ten years
        {"role": "investigator", "sub": " ", "exp": 60},
    ],
)
def test_tokens_need_a_subject_and_a_bounded_lifetime(api, claims) -> None:
    now = int(time.time())
    token = jwt.encode({**claims, "iat": now, "exp": now + claims["exp"]}, JWT_SECRET, "HS256")
    answer = _post(api, {"query": "{ months }"}, [("authorization", f"Bearer {token}")])
    assert answer.status_code == 401


def test_layers_over_the_cost_bound_are_refused_before_any_work(api) -> None:
    """Twelve aliased public riskLayers over Wales took 10.5 s and 86 MB before; twenty
    aliases of `areas` 83 MB. Now they are refused whole, at once, naming the limit."""
    wales = "{west: -5.5, south: 51.3, east: -2.6, north: 53.5}"
    for query in (
        " ".join(f"a{n}: riskLayer(bbox: {wales}, geometry: NONE)" for n in range(12)),
        " ".join(f"a{n}: areas" for n in range(20)),
        "riskLayer(bbox: {west: -6, south: 49.9, east: 1.8, north: 55.8})",  # country, res 9
    ):
        started = time.perf_counter()
        answer = _post(api, {"query": f"{{ {query} }}"})
        assert time.perf_counter() - started < 1.0
        body = answer.json()
        assert body["data"] is None and len(answer.content) < 2000
        error = body["errors"][0]
        assert error.get("extensions", {}).get("code") == COST_LIMIT, body
        assert error["extensions"]["limitCells"] == MAX_CELLS
        assert "coarser resolution" in error["message"]
    country_at_8 = (
        "{ riskLayer(bbox: {west: -6, south: 49.9, east: 1.8, north: 55.8}, resolution: 8, "
        "geometry: NONE) }"
    )
    answer = _post(api, {"query": country_at_8}).json()
    codes = [e.get("extensions", {}).get("code") for e in answer.get("errors") or []]
    assert COST_LIMIT not in codes  # within the bound (this world holds resolution 9 only)


def test_an_answer_over_the_public_cap_is_refused_with_its_limit(api) -> None:
    """An answer within the cost bound can still be over the role's size cap."""
    aliases = " ".join(f"a{n}: areas" for n in range(8))
    answer = _post(api, {"query": f"{{ {aliases} }}"})
    body = answer.json()
    assert len(answer.content) < 10_000
    if "errors" in body:  # the fixture's areas may be small; if they are not, the cap holds
        error = body["errors"][0]
        assert error["extensions"] == {
            "code": RESPONSE_TOO_LARGE,
            "limitBytes": response_cap("public"),
        }
    else:
        pytest.fail(f"8 aliases of areas came back whole: {len(answer.content)} bytes")


def test_a_caller_over_its_rate_gets_429_with_retry_after(neo4j_settings, api) -> None:
    from testkit.server import serve

    with serve(
        neo4j_settings, api.data_dir, CRIMEGRAPH_API_RATE_PER_S="1", CRIMEGRAPH_API_RATE_BURST="3"
    ) as url:
        answers = [httpx.post(f"{url}/graphql", json={"query": "{ months }"}) for _ in range(5)]
        assert [a.status_code for a in answers[:3]] == [200, 200, 200]
        assert answers[-1].status_code == 429
        assert int(answers[-1].headers["retry-after"]) >= 1
        token = api.tokens["analyst"]  # another caller is not held up
        other = httpx.post(
            f"{url}/graphql",
            json={"query": "{ months }"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert other.status_code == 200
