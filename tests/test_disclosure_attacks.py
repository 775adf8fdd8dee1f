"""The public tier tried as an attacker would (issue 20), against the real server.

Each test is an attack that worked on the main before disclosure control: harm ÷ weight
undoing "fewer than 5", statistics linear in counts, differencing, agency-derived
components on the public map, single live incidents, and one map click that stalls the
server.
"""

from __future__ import annotations

import random
import time

import httpx
import mapbox_vector_tile
import pytest

from api.tiles import tile_for
from resolver.crime_types import load_crime_types
from responsible import disclosure
from tests.api_world import world

# What a public feature may carry per layer: open-data fields, none that is a count in
# disguise (harm), linear in counts (Gi* z, value) or from agency records (network).
PUBLIC_FIELDS = {
    "riskLayer": {"id", "month", "crimeGroup", "forceCode", "model", "incidents", "score"},
    "hotspots": {"id", "month", "crimeGroup", "basis", "hotspot"},
    "forecastLayer": {"id", "month", "crimeGroup", "model", "expected"},
}
BOX = "{west: -5.5, south: 51.3, east: -2.6, north: 53.5}"


@pytest.fixture(scope="module")
def api(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("api-attacks")) as w:
        yield w


def _features(api, field: str, extra: str = "", role: str = "public") -> list[dict]:
    body = api.gql(f"{{ {field}(bbox: {BOX}{extra}) }}", role=role)
    assert "errors" not in body, body
    return body["data"][field]["features"]


@pytest.mark.parametrize("field", sorted(PUBLIC_FIELDS))
def test_public_layers_carry_open_fields_only(api, field) -> None:
    month = ', month: "2025-02"' if field == "forecastLayer" else ""
    public = _features(api, field, month)
    assert public
    for feature in public:
        assert set(feature["properties"]) <= PUBLIC_FIELDS[field], feature["properties"]
    if field != "forecastLayer":  # a forecast has no components; the public's is rounded
        full = _features(api, field, month, role="analyst")
        assert set(full[0]["properties"]) - PUBLIC_FIELDS[field]  # analysts see components


def test_harm_divided_by_weight_recovers_no_suppressed_count(api) -> None:
    """The attack: a suppressed cell's harm (or any number beside it but the score, which
    is "times the average", rounded) ÷ a crime type's fixed weight, checked against the
    true count an analyst sees."""
    weights = {t.harm for t in load_crime_types().values() if t.harm} | {1.0}
    recovered = tried = 0
    for level in ("H3", "LSOA"):
        extra = f", areaLevel: {level}"
        truth = {
            f["id"]: f["properties"]["incidents"]
            for f in _features(api, "riskLayer", extra, role="analyst")
        }
        for f in _features(api, "riskLayer", extra):
            p = f["properties"]
            if p["incidents"] != disclosure.FEWER_THAN_5:
                continue
            tried += 1
            guesses = {
                value / w
                for name, value in p.items()
                if isinstance(value, int | float)
                and not isinstance(value, bool)
                and name != "score"
                for w in weights
            }
            recovered += truth[f["id"]] in guesses
            assert round(p["score"], disclosure.SCORE_DECIMALS) == p["score"]
    assert tried and recovered == 0
    cell = api.gql(f'{{ cell(id: "{api.cells[1]}") {{ scores incidentCount }} }}')["data"]["cell"]
    assert all(set(s) <= PUBLIC_FIELDS["riskLayer"] for s in cell["scores"])


def test_public_vector_tiles_are_the_public_form(api) -> None:
    import h3

    lat, lon = h3.cell_to_latlng(api.cells[0])
    x, y = tile_for(lon, lat, 12)
    tile = httpx.get(f"{api.url}/tiles/risk/12/{x}/{y}.mvt?month=2025-01")
    assert tile.status_code == 200
    features = mapbox_vector_tile.decode(tile.content)["risk"]["features"]
    assert features
    for f in features:
        assert set(f["properties"]) <= PUBLIC_FIELDS["riskLayer"], f["properties"]


def test_the_same_public_count_shows_the_same_value_every_time(api) -> None:
    """Asking again must average nothing away: the perturbation is the cell's, not the
    request's."""
    first = _features(api, "riskLayer", ", geometry: NONE")
    again = _features(api, "riskLayer", ", geometry: POLYGON")
    assert [f["properties"] for f in first] == [f["properties"] for f in again]


@pytest.mark.parametrize("cell", ["81197ffffffffff", "8019fffffffffff", "83194dfffffffff"])
def test_a_coarse_cell_is_refused_at_once(api, cell) -> None:
    """cell(id) at H3 resolution 1 took 3.6 s and stalled /healthz (res 0: 40M children)."""
    started = time.perf_counter()
    body = api.gql(f'{{ cell(id: "{cell}") {{ incidentCount }} }}', role="analyst")
    assert time.perf_counter() - started < 1.0
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "resolution 7 to 9" in error["message"]


def test_differencing_gives_noise_not_the_count() -> None:
    """All crime minus the other groups, over many cells: the estimate of a suppressed
    group's count is the truth plus the sum of independent perturbations. It is right
    only by chance, and nothing tells the attacker when."""
    rng = random.Random(7)
    secret = b"s" * 32
    trials, exact, attempts = 4000, 0, 0
    for n in range(trials):
        hidden = rng.randint(1, 4)  # the suppressed group
        others = [rng.randint(5, 40) for _ in range(3)]
        total = hidden + sum(others)

        def shown(count: int, group: str, n: int = n) -> object:
            return disclosure.published_count(count, secret, "risk", "2025-01", "h3", 9, group, n)

        published = [shown(c, f"g{i}") for i, c in enumerate(others)]
        if any(isinstance(p, str) for p in published):
            continue
        attempts += 1
        estimate = shown(total, "All crime") - sum(published)
        exact += estimate == hidden
    assert attempts > trials * 0.9
    assert exact / attempts < 0.35  # four independent ±2 perturbations; the count is 1..4


def _exact_share(estimates: list[tuple[object, int]]) -> tuple[int, float]:
    """How many differencing attempts could be made, and how often they gave the truth."""
    usable = [(e, truth) for e, truth in estimates if e is not None]
    return len(usable), sum(e == truth for e, truth in usable) / max(1, len(usable))


def test_a_parent_cell_minus_its_children_gives_noise() -> None:
    """A resolution-8 cell's count minus its seven resolution-9 children's, one of them
    suppressed: the estimate carries eight independent perturbations."""
    rng = random.Random(8)
    secret = b"p" * 32
    estimates = []
    for n in range(3000):
        hidden = rng.randint(1, 4)
        others = [rng.randint(5, 30) for _ in range(6)]
        parent = f"parent{n}"
        shown = [
            disclosure.published_count(
                c, secret, "risk", "2025-01", "h3", 9, "All crime", f"{parent}-{i}"
            )
            for i, c in enumerate(others)
        ]
        whole = disclosure.published_count(
            hidden + sum(others), secret, "risk", "2025-01", "h3", 8, "All crime", parent
        )
        if any(isinstance(v, str) for v in [*shown, whole]):
            estimates.append((None, hidden))
            continue
        estimates.append((whole - sum(shown), hidden))
    attempts, exact = _exact_share(estimates)
    assert attempts > 2500 and exact < 0.3


def test_one_months_window_minus_the_next_gives_noise() -> None:
    """Counts over overlapping month windows (the same cell, consecutive months): their
    difference is the months that left and joined plus two perturbations, each keyed by
    its own month, so a small change is not read off exactly."""
    rng = random.Random(9)
    secret = b"m" * 32
    estimates = []
    for n in range(3000):
        stays = rng.randint(10, 60)
        joined = rng.randint(1, 4)  # the small count an attacker wants
        before = disclosure.published_count(
            stays, secret, "risk", "2025-01", "h3", 9, "All crime", f"c{n}"
        )
        after = disclosure.published_count(
            stays + joined, secret, "risk", "2025-02", "h3", 9, "All crime", f"c{n}"
        )
        estimates.append((after - before, joined))
    attempts, exact = _exact_share(estimates)
    assert attempts == 3000 and exact < 0.35


def test_a_home_cannot_be_read_without_investigator_purpose_and_audit(api) -> None:
    """Ids are computable from source record ids, so an analyst asked place(id) for
    people's homes and got their street addresses."""
    from graph.connection import driver as sync_driver
    from testkit.cypher import TESTS
    from tests.api_world import PERSON_A

    home = "Lhome0000001"
    with sync_driver(api.neo4j) as drv:
        drv.execute_query(
            TESTS.statement("seed_home"), person_id=PERSON_A, location_id=home, name="1 TEST ROW"
        )
    query = f'{{ place(id: "{home}") {{ name latitude longitude }} }}'
    for role in ("analyst", "investigator"):  # without a purpose, an investigator neither
        body = api.gql(query, role=role)
        assert body["data"]["place"] is None, (role, body)
    purpose = "attack suite: a home read with purpose"
    with_purpose = (
        f'{{ place(id: "{home}", purpose: "{purpose}") {{ name people {{ personId }} }} }}'
    )
    found = api.gql(with_purpose, role="investigator")["data"]["place"]
    assert found["name"] == "1 TEST ROW"
    assert [p["personId"] for p in found["people"]] == [PERSON_A]
    log = api.gql(
        "{ auditLog(first: 50) { edges { node { what purpose arguments } } } }", role="auditor"
    )
    entries = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    mine = [e for e in entries if e["purpose"] == purpose]
    assert len(mine) == 1 and PERSON_A in mine[0]["arguments"]


def test_junk_tile_parameters_are_refused_and_a_tile_renders_once(api) -> None:
    """`?junk=<t>` made every public tile request a fresh render."""
    import concurrent.futures

    import h3

    lat, lon = h3.cell_to_latlng(api.cells[2])
    x, y = tile_for(lon, lat, 11)
    base = f"{api.url}/tiles/risk/11/{x}/{y}.mvt"
    junk = httpx.get(f"{base}?month=2025-01&junk={time.time()}")
    assert junk.status_code == 400 and "junk" in junk.json()["error"]
    twice = httpx.get(f"{base}?month=2025-01&month=2025-02")
    assert twice.status_code == 400
    # Parameters in another order are the same tile.
    url = f"{base}?month=2025-01&resolution=9"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: httpx.get(url), range(8)))
    assert {a.status_code for a in answers} == {200}
    assert [a.headers["x-cache"] for a in answers].count("MISS") == 1
    again = httpx.get(f"{base}?resolution=9&month=2025-01")
    assert again.headers["x-cache"] == "HIT" and again.content == answers[0].content
