"""Pure API logic: the committed SDL, tokens, bbox checks, suppression, JSON splicing."""

from __future__ import annotations

import json

import pytest

from api import arguments
from api.auth import AuthConfig, AuthError, authenticate, issue_jwt, key_hash, parse_api_keys
from api.errors import BadInput
from api.response_cache import cacheable_body, is_layer_only
from crimegraph.cli.api import SDL_PATH, sdl
from layers.geojson import collection, encode_response, point_feature
from responsible.disclosure import public_properties


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text() == sdl(), "run `crimegraph api schema` and commit docs/"


def test_api_keys_and_jwts_map_to_roles() -> None:
    config = AuthConfig("s" * 32, parse_api_keys(f"steward:{key_hash('k1')}"))
    assert authenticate(None, config).role == "public"
    assert authenticate("Bearer k1", config).role == "steward"
    assert authenticate(f"Bearer {issue_jwt('s' * 32, 'auditor', 'ann')}", config).subject == (
        "jwt:ann"
    )
    for bad in ("Bearer k2", f"Bearer {issue_jwt('t' * 32, 'auditor', 'x')}", "Token k1"):
        with pytest.raises(AuthError):
            authenticate(bad, config)
    with pytest.raises(ValueError, match="entry 1"):
        parse_api_keys("admin:" + "0" * 64)


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ((1, 50, 0, 51), "west"),
        ((0, 51, 1, 50), "south"),
        ((-200, 50, 0, 51), "longitudes"),
        ((0, -95, 1, 51), "latitudes"),
        ((-30, 40, 10, 60), "spans"),
    ],
)
def test_bad_bbox_is_named(box, message) -> None:
    with pytest.raises(BadInput, match=message) as caught:
        arguments.bbox(*box)
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "argument": "bbox"}


def test_small_counts_are_suppressed_for_public() -> None:
    def shown(n: int) -> object:
        return public_properties("risk", {"id": "c", "incidents": n}, b"k" * 32)["incidents"]

    assert shown(4) == "fewer than 5"
    assert shown(0) == "fewer than 5"
    assert shown(5) == "fewer than 5" or 5 <= shown(5) <= 7


def test_raw_geojson_is_spliced_and_user_strings_cannot_collide() -> None:
    layer = collection([point_feature("a", -3.1, 51.4, {"n": 1})])
    text = encode_response({"data": {"x": layer, "y": "\x00deadbeef:0\x00"}})
    parsed = json.loads(text)
    assert parsed["data"]["x"]["features"][0]["geometry"]["coordinates"] == [-3.1, 51.4]
    assert parsed["data"]["y"] == "\x00deadbeef:0\x00"


def test_production_masks_unexpected_errors_but_not_client_ones() -> None:
    from graphql import GraphQLError

    from api.errors import should_mask

    unexpected = GraphQLError("boom at bolt://db", original_error=RuntimeError("boom"))
    assert should_mask(unexpected)
    bad = BadInput("bbox", "bbox: west must be less than east")
    assert not should_mask(GraphQLError(bad.message, original_error=bad, extensions=bad.extensions))
    assert not should_mask(GraphQLError("Syntax Error"))


@pytest.mark.parametrize(
    ("query", "cacheable"),
    [
        ("{ riskLayer(bbox: $b) }", True),
        ("query($b: BBox!) { riskLayer(bbox: $b) hotspots(bbox: $b) }", True),
        ("query($b: BBox!) { map: forecastLayer(bbox: $b) }", True),
        ('{ riskLayer: person(id: "P-A", purpose: "x") { id } }', False),  # alias: a person
        ("query($b: BBox!) { riskLayer(bbox: $b) forces { code } }", False),
        ("query($b: BBox!) { ...F } fragment F on Query { riskLayer(bbox: $b) }", False),
        ("query A { riskLayer(bbox: $b) } query B { hotspots(bbox: $b) }", False),
        ("mutation { riskLayer(bbox: $b) }", False),
        ("subscription { riskLayer(bbox: $b) }", False),
        ("query($b: BBox!) { riskLayer(bbox: $b) @include(if: true) }", False),
        ("{ riskLayer(", False),
    ],
)
def test_only_layer_only_queries_are_answered_from_the_response_cache(query, cacheable) -> None:
    assert is_layer_only(query) is cacheable
    assert cacheable_body(json.dumps({"query": query, "variables": {}}).encode()) is cacheable


def test_batches_and_odd_bodies_are_never_answered_from_the_response_cache() -> None:
    layer = {"query": "{ riskLayer(bbox: $b) }"}
    assert not cacheable_body(json.dumps([layer, layer]).encode())
    assert not cacheable_body(b"not json")
    assert not cacheable_body(json.dumps({"query": 1}).encode())


def test_rate_limit_bursts_then_waits() -> None:
    from api.rate_limit import RateLimiter

    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.retry_after("k", now=100.0) for _ in range(4)] == [0, 0, 0, 1]
    assert limiter.retry_after("other", now=100.0) == 0  # callers are apart
    assert limiter.retry_after("k", now=100.5) == 0  # half a second refills one token


@pytest.mark.parametrize("position", ["²", "9" * 30, "-1", "1.5"])
def test_a_forged_review_cursor_is_bad_input(position) -> None:
    import asyncio

    from api.resolvers.review import encode_cursor, review_queue

    with pytest.raises(BadInput, match="not a cursor this API issued"):
        asyncio.run(review_queue(None, 10, encode_cursor("review", position)))


def test_a_count_that_changes_draws_a_new_perturbation() -> None:
    """Otherwise a cell seen crossing 5 (or ticking up live) would give its noise away."""
    from responsible.disclosure import published_count

    steps = [
        published_count(n + 1, b"k" * 32, "risk", "2025-01", "h3", 9, "All crime", f"c{i}")
        - published_count(n, b"k" * 32, "risk", "2025-01", "h3", 9, "All crime", f"c{i}")
        for i, n in enumerate(range(6, 206))
    ]
    assert sum(step != 1 for step in steps) > len(steps) / 3


def test_decision_effects_say_what_happens_to_whole_people() -> None:
    from graph.match_review import decision_effects

    apart = decision_effects("P1", "P2", 4, 1)
    assert apart["match"] == "joins two people (4 and 1 records) into one of 5 records"
    assert apart["not_a_match"].startswith("keeps two people (4 and 1 records)")
    together = decision_effects("P1", "P1", 3, 3)
    assert together["match"].startswith("no change")
    assert together["not_a_match"].startswith("splits the person (3 records)")
    assert set(decision_effects(None, "P2", 0, 1).values()) == {
        "a record of this pair is not resolved to a person yet"
    }
