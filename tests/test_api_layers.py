"""Map layers and tiles over real HTTP: bbox queries, levels, suppression in tiles, bad
arguments with specific codes, and production mode (no GraphiQL, errors still clear)."""

from __future__ import annotations

import httpx
import mapbox_vector_tile
import pytest

from api.tiles import tile_bbox, tile_for
from responsible.disclosure import MAX_PERTURBATION
from tests.api_world import BIG_CELL_COUNT, world

pytestmark = pytest.mark.neo4j

WALES = {"west": -5.5, "south": 51.3, "east": -2.6, "north": 53.5}


@pytest.fixture(scope="module")
def api(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("api-layers")) as w:
        yield w


LAYER = (
    "query($b: BBox!, $l: AreaLevel, $g: [String!]) "
    "{ riskLayer(bbox: $b, areaLevel: $l, crimeGroups: $g) }"
)


def test_risk_layer_is_a_feature_collection_of_cells_in_the_box(api) -> None:
    layer = api.gql(LAYER, {"b": WALES}, role="analyst")["data"]["riskLayer"]
    assert layer["type"] == "FeatureCollection"
    ids = {f["id"] for f in layer["features"]}
    assert ids == set(api.cells) - {c for c in api.cells if not _in_wales(api, c)}
    feature = next(f for f in layer["features"] if f["id"] == api.cells[0])
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7
    assert -5.5 < ring[0][0] < -2.6  # longitude first (RFC 7946)
    props = feature["properties"]
    assert props["incidents"] == BIG_CELL_COUNT and props["month"] == "2025-01"
    assert set(props) >= {"id", "score", "harm", "nearRepeat", "network", "forecast", "crimeGroup"}
    empty = {"west": 0.0, "south": 40.0, "east": 1.0, "north": 41.0}
    assert api.gql(LAYER, {"b": empty})["data"]["riskLayer"]["features"] == []


def test_geometry_none_sends_the_same_cells_without_polygons(api) -> None:
    q = (
        "query($b: BBox!, $g: LayerGeometry) "
        "{ riskLayer(bbox: $b, geometry: $g) hotspots(bbox: $b, geometry: $g) }"
    )
    polygons = api.gql(q, {"b": WALES}, role="analyst")["data"]
    bare = api.gql(q, {"b": WALES, "g": "NONE"}, role="analyst")["data"]
    for field in ("riskLayer", "hotspots"):
        assert [f["id"] for f in bare[field]["features"]] == [
            f["id"] for f in polygons[field]["features"]
        ]
        assert all(f["geometry"] is None for f in bare[field]["features"])
        assert [f["properties"] for f in bare[field]["features"]] == [
            f["properties"] for f in polygons[field]["features"]
        ]
    public = api.gql(q, {"b": WALES, "g": "NONE"})["data"]["riskLayer"]["features"]
    counts = [f["properties"]["incidents"] for f in public]
    assert any(isinstance(c, int) and abs(c - BIG_CELL_COUNT) <= MAX_PERTURBATION for c in counts)
    assert all(c == "fewer than 5" or c >= 5 for c in counts)


def test_a_repeated_layer_view_is_answered_again_for_its_role_only(api) -> None:
    """The second and later asks of a layer view come from the response cache: the same
    bytes for the same role, never another role's answer, and no errors kept."""
    body = {"query": "query($b: BBox!) { riskLayer(bbox: $b, geometry: NONE) }"}
    body["variables"] = {"b": {**WALES, "west": -5.4}}  # a view no other test asks for

    def ask(role: str, request: dict = body) -> httpx.Response:
        response = httpx.post(f"{api.url}/graphql", json=request, headers=api.headers(role))
        assert response.status_code == 200
        return response

    analyst = [ask("analyst") for _ in range(3)]
    assert [a.headers["x-cache"] for a in analyst] == ["MISS", "HIT", "HIT"]
    assert analyst[0].content == analyst[1].content == analyst[2].content
    public = [ask("public") for _ in range(2)]
    assert [p.headers["x-cache"] for p in public] == ["MISS", "HIT"]
    assert public[0].content == public[1].content != analyst[0].content
    exact = [
        f["properties"]["incidents"] for f in analyst[0].json()["data"]["riskLayer"]["features"]
    ]
    shown = [
        f["properties"]["incidents"] for f in public[1].json()["data"]["riskLayer"]["features"]
    ]
    assert any(isinstance(n, int) and n < 5 for n in exact)
    assert "fewer than 5" in shown and not any(isinstance(n, int) and n < 5 for n in shown)
    bad = {"query": body["query"], "variables": {"b": {**WALES, "west": 500}}}
    for _ in range(2):
        answer = ask("analyst", bad)
        assert answer.json()["errors"][0]["extensions"]["argument"] == "bbox"
        assert answer.headers["x-cache"] == "MISS"
    other = ask("analyst", {"query": "{ forces { code } }"})
    assert "x-cache" not in other.headers  # not a layer view: never kept


def _in_wales(api, cell) -> bool:
    import h3

    lat, lng = h3.cell_to_latlng(cell)
    return WALES["west"] <= lng <= WALES["east"] and WALES["south"] <= lat <= WALES["north"]


def test_lsoa_level_and_areas(api) -> None:
    layer = api.gql(LAYER, {"b": WALES, "l": "LSOA"}, role="analyst")["data"]["riskLayer"]
    assert [f["id"] for f in layer["features"]] == [api.lsoa]
    public = api.gql(LAYER, {"b": WALES, "l": "LSOA"})["data"]["riskLayer"]
    assert public["features"][0]["properties"]["incidents"] == "fewer than 5"
    areas = api.gql('{ areas(force: "south-wales") }')["data"]["areas"]["features"]
    assert areas and all(f["properties"]["force"] == "south-wales" for f in areas)


def test_incidents_filter_by_month_and_type(api) -> None:
    q = "query($b: BBox!, $t: [String!], $f: String) { incidents(bbox: $b, types: $t, from: $f) }"
    all_ = api.gql(q, {"b": WALES}, role="analyst")["data"]["incidents"]["features"]
    burglary = api.gql(q, {"b": WALES, "t": ["Burglary"]}, role="analyst")["data"]["incidents"]
    assert 0 < len(burglary["features"]) < len(all_)
    assert {f["properties"]["crimeType"] for f in burglary["features"]} == {"Burglary"}
    later = api.gql(q, {"b": WALES, "f": "2025-02"}, role="analyst")["data"]["incidents"]
    assert later["features"] == []


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [
        (LAYER, {"b": {"west": 1, "south": 51, "east": 0, "north": 52}}, "bbox"),
        (LAYER, {"b": {"west": -60, "south": 10, "east": 0, "north": 52}}, "bbox"),
        (LAYER, {"b": WALES, "g": ["Piracy"]}, "crimeGroups"),
        ("query($b: BBox!) { riskLayer(bbox: $b, resolution: 4) }", {"b": WALES}, "resolution"),
        ('query($b: BBox!) { incidents(bbox: $b, types: ["Piracy"]) }', {"b": WALES}, "types"),
        ("query($b: BBox!) { incidents(bbox: $b, first: 100000) }", {"b": WALES}, "first"),
        ('query($b: BBox!) { riskLayer(bbox: $b, month: "June") }', {"b": WALES}, "month"),
        ('{ cell(id: "not-a-cell") { id } }', {}, "id"),
        (
            "query($b: BBox!) { riskLayer(bbox: $b, areaLevel: LSOA, geometry: NONE) }",
            {"b": WALES},
            "geometry",
        ),
    ],
)
def test_bad_arguments_get_specific_errors(api, query, variables, argument) -> None:
    body = api.gql(query, variables, role="analyst")
    assert body["data"] is None or all(v is None for v in body["data"].values())
    error = body["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert argument.split("/")[0] in error["message"] or "crime type" in error["message"]


def test_vector_tiles_follow_the_same_role_rules(api) -> None:
    import h3

    lat, lon = h3.cell_to_latlng(api.cells[0])
    x, y = tile_for(lon, lat, 12)
    west, south, east, north = tile_bbox(12, x, y)
    assert west <= lon <= east and south <= lat <= north
    url = f"{api.url}/tiles/risk/12/{x}/{y}.mvt?month=2025-01"
    public = httpx.get(url)
    assert public.status_code == 200
    assert public.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(public.content)["risk"]["features"]
    assert features and all(
        f["properties"]["incidents"] == "fewer than 5" or f["properties"]["incidents"] >= 5
        for f in features
    )
    again = httpx.get(url)  # rendered once, then kept per role until the layers change
    assert (public.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert again.content == public.content
    analyst = httpx.get(url, headers=api.headers("analyst"))
    assert analyst.headers["x-cache"] == "MISS"  # another role: never the public tile
    counts = [
        f["properties"]["incidents"]
        for f in mapbox_vector_tile.decode(analyst.content)["risk"]["features"]
    ]
    assert BIG_CELL_COUNT in counts
    incidents = f"{api.url}/tiles/incidents/12/{x}/{y}.mvt"
    assert httpx.get(incidents).status_code == 403
    assert httpx.get(incidents, headers=api.headers("investigator")).status_code == 200
    for _ in range(2):  # an error is never kept
        bad = httpx.get(f"{api.url}/tiles/risk/12/{x}/{y}.mvt?crimeGroups=Piracy")
        assert bad.status_code == 400 and bad.json()["argument"] == "crimeGroups"
    assert httpx.get(f"{api.url}/tiles/nope/1/0/0.mvt").status_code == 400


def test_graphiql_in_development_only(api, neo4j_settings, tmp_path) -> None:
    from testkit.server import serve

    page = httpx.get(f"{api.url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    with serve(neo4j_settings, api.data_dir, CRIMEGRAPH_ENV="production") as url:
        page = httpx.get(f"{url}/graphql", headers={"accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        body = httpx.post(
            f"{url}/graphql",
            json={"query": "{ riskLayer(bbox: {west: 1, south: 50, east: 0, north: 51}) }"},
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        schema = httpx.post(f"{url}/graphql", json={"query": "{ __schema { types { name } } }"})
        assert "errors" in schema.json() and "data" not in (schema.json().get("data") or {})
        for bad in (b'"just a string"', b"[1, 2]", b"{not json"):
            answer = httpx.post(
                f"{url}/graphql", content=bad, headers={"content-type": "application/json"}
            )
            assert answer.status_code == 400, (bad, answer.status_code, answer.text)


def test_a_layer_reload_is_a_job_the_caller_follows(api) -> None:
    """`reloadLayers` answers at once with a job, a second call while it runs joins it,
    and `layerReload` reports it done with the layers the fresh store holds."""
    import time

    start = "mutation { reloadLayers { id status startedAt } }"
    before = time.monotonic()
    first = api.gql(start, role="analyst")["data"]["reloadLayers"]
    second = api.gql(start, role="steward")["data"]["reloadLayers"]
    assert time.monotonic() - before < 5
    assert first["status"] in ("RUNNING", "DONE")
    if second["status"] == "RUNNING":
        assert second["id"] == first["id"]
    follow = "{ layerReload { id status finishedAt layers error } }"
    deadline = time.monotonic() + 120
    while (job := api.gql(follow, role="analyst")["data"]["layerReload"])["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "DONE" and job["error"] is None and job["finishedAt"]
    assert set(job["layers"]) == {"risk", "hotspots", "forecast"}
    assert api.gql(follow, role="public")["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("mode", ["production", "development"])
def test_a_graph_that_is_away_is_named_not_masked(api, neo4j_settings, mode) -> None:
    from testkit.instances import free_port
    from testkit.server import serve

    away = neo4j_settings.with_neo4j(uri=f"bolt://127.0.0.1:{free_port()}")
    with serve(away, api.data_dir, ready=(200, 503), CRIMEGRAPH_ENV=mode) as url:
        body = httpx.post(
            f"{url}/graphql",
            json={"query": "{ reviewQueue(first: 1) { edges { node { id } } } }"},
            headers=api.headers("steward"),
            timeout=60,
        ).json()
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "GRAPH_UNAVAILABLE", "retryable": True}, error
        assert "unavailable" in error["message"] and "bolt" not in error["message"]
        # the map is in memory: it answers while the graph is away
        layer = httpx.post(f"{url}/graphql", json={"query": LAYER, "variables": {"b": WALES}})
        assert "errors" not in layer.json()
