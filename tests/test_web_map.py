"""The map page in Debian's headless Chromium against the real API (uvicorn, Neo4j, a
warehouse of two months of real Gwent crimes): base layer offline, the risk layer drawn
with its legend, the month slider and crime-group filter change it, a click shows the
cell's details at the level the role allows, on a laptop-sized screen, keyboard first."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from api.auth import issue_jwt
from core import warehouse
from crimegraph import pipeline
from graph import connection
from graph.load import load_graph
from testkit.instances import empty_graph
from testkit.web import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    changed_share,
    colour_share,
    hex_rgb,
    palette_share,
    require_built_pages,
    screenshot,
    seed_layers,
    serve_api,
)

pytestmark = pytest.mark.neo4j

LAND = (0xF4, 0xF1, 0xEA)  # forces-fill in web/src/map.js
SEA = (0xDF, 0xE8, 0xEF)  # the background
VIRIDIS = [hex_rgb(c) for c in ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")]
# The risk cells are drawn at 80% opacity over the land: the colours the eye sees.
RISK_COLOURS = [
    tuple(round(0.8 * c + 0.2 * g) for c, g in zip(v, LAND, strict=True)) for v in VIRIDIS
]
SECRET = "web-tests-secret-" + "x" * 32
MONTHS = ("2025-05", "2025-06")


@pytest.fixture(scope="module")
def browser() -> Browser:
    require_built_pages()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def api_url(neo4j_settings, tmp_path_factory):
    settings = neo4j_settings.with_data_dir(tmp_path_factory.mktemp("web-data"))
    street = settings.source_data_dir / "police-uk" / "street"
    files = [str(street / m / f"{m}-gwent-street.csv.gz") for m in MONTHS]
    pipeline.ingest_police_uk(settings, files)
    seed_layers(settings.warehouse_path)
    with warehouse.connect(settings.warehouse_path) as con, connection.driver(settings) as drv:
        empty_graph(drv)
        load_graph(con, drv)
    with serve_api(settings, {"CRIMEGRAPH_JWT_SECRET": SECRET}) as url:
        yield url


@pytest.fixture()
def page(browser, api_url):
    context = browser.new_context(viewport=LAPTOP, base_url=api_url)
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlparse(request.url).netloc))
    yield page
    context.close()


def use_token(page: Page, role: str | None, purpose: str = "") -> None:
    """Type a role's token (none: public) into the page's token field, as a user would."""
    page.fill("#token", issue_jwt(SECRET, role, f"web-test-{role}") if role else "")
    page.fill("#purpose", purpose)
    page.press("#token", "Enter")


def open_map(page: Page, role: str | None = None, purpose: str = "") -> None:
    page.goto("/")
    page.wait_for_selector("body[data-base-rendered='1']", timeout=30_000)
    if role:
        use_token(page, role, purpose)
    wait_for_risk(page)


def wait_for_risk(page: Page, contains: str = "") -> str:
    page.wait_for_function(
        "s => (document.body.dataset.riskRendered || '').includes(s) "
        "&& document.body.dataset.riskRendered !== ''",
        arg=contains,
        timeout=30_000,
    )
    return page.evaluate("document.body.dataset.riskRendered")


def test_map_draws_the_force_areas_offline(page, api_url) -> None:
    open_map(page)
    map_png = page.locator("#map").screenshot()
    assert colour_share(map_png, LAND) > 0.2, "the land of the force areas is drawn"
    assert colour_share(map_png, SEA) > 0.05, "the sea around Wales stays background"
    assert colour_share(map_png, (0x33, 0x33, 0x33), tolerance=40) > 0.001, "force outlines"
    assert page.requested_hosts == {urlparse(api_url).netloc}, "no CDN, tiles or fonts"


def test_risk_layer_is_drawn_in_viridis_with_its_legend(page) -> None:
    open_map(page)
    assert wait_for_risk(page).startswith(f"{MONTHS[-1]}|")
    screenshot(page, "map-risk-layer")
    map_png = page.locator("#map").screenshot()
    assert palette_share(map_png, RISK_COLOURS, 60) > 0.003, "risk cells coloured on the map"
    assert float(page.inner_text("#risk-max")) > float(page.inner_text("#risk-min"))
    assert page.locator("#top-cells li button").count() == 5
    assert "Some layers are unavailable" not in page.inner_text("#status")
    page.uncheck("#layer-risk")
    page.wait_for_function("document.body.dataset.riskRendered === ''")
    page.wait_for_timeout(500)  # let the map repaint without the layer
    without = page.locator("#map").screenshot()
    assert palette_share(without, RISK_COLOURS, 60) < 0.0005, "the check sees the layer go"


def test_month_slider_and_crime_group_change_the_layer(page) -> None:
    open_map(page)
    before = page.locator("#map").screenshot()
    cells_before = int(page.evaluate("document.body.dataset.riskFeatures"))
    page.focus("#month")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#month-label") == MONTHS[0]
    wait_for_risk(page, f"{MONTHS[0]}|")
    after_month = page.locator("#map").screenshot()
    assert changed_share(before, after_month) > 0.001, "another month draws other cells"

    page.select_option("#crime-group", "burglary")
    wait_for_risk(page, f"{MONTHS[0]}|burglary|")
    screenshot(page, "map-burglary-filter")
    after_group = page.locator("#map").screenshot()
    assert changed_share(after_month, after_group) > 0.001, "the filter redraws the layer"
    assert int(page.evaluate("document.body.dataset.riskFeatures")) < cells_before


def click_highest_cell(page: Page) -> str:
    """Click on the map where the highest-scoring cell drawn in the open (not under a panel
    such as the details of an earlier click) is; returns its id."""
    target = page.evaluate(
        """() => {
        const map = window.crimegraph.map;
        const canvas = map.getCanvas();
        const box = canvas.getBoundingClientRect();
        const features = map.querySourceFeatures("risk")
          .sort((a, b) => b.properties.score - a.properties.score);
        for (const f of features) {
            const ring = f.geometry.coordinates[0];
            const lon = ring.reduce((s, c) => s + c[0], 0) / ring.length;
            const lat = ring.reduce((s, c) => s + c[1], 0) / ring.length;
            const p = map.project([lon, lat]);
            const hit = document.elementFromPoint(box.left + p.x, box.top + p.y);
            if (hit === canvas) return { id: f.properties.id, x: p.x, y: p.y };
        }
        return null;
    }"""
    )
    assert target is not None, "no risk cell is drawn in the open"
    page.locator("#map").click(position={"x": target["x"], "y": target["y"]})
    page.wait_for_selector(f"body[data-details-for='{target['id']}']", timeout=30_000)
    return target["id"]


def test_click_shows_details_for_the_role(page) -> None:
    open_map(page)
    cell = click_highest_cell(page)
    details = page.inner_text("#details")
    assert f"Cell {cell}" in details
    assert "Scores by crime group" in details and "Incidents this month" in details
    assert "People linked" not in details, "public sees aggregates only"

    use_token(page, "analyst")
    wait_for_risk(page)
    click_highest_cell(page)
    details = page.inner_text("#details")
    assert "Incidents (" in details and "Crime Type" in details, "analysts see the incidents"

    use_token(page, "investigator", purpose="web test: place review")
    wait_for_risk(page)
    click_highest_cell(page)
    screenshot(page, "map-cell-details")
    assert "People linked to the place" in page.inner_text("#details")
    page.keyboard.press("Escape")
    assert page.locator("#details").is_hidden()


def test_controls_are_labelled_and_reachable_by_keyboard(page) -> None:
    open_map(page)
    for control in ("#token", "#purpose", "#month", "#crime-group", "#layer-risk"):
        assert page.locator(control).evaluate("el => el.labels.length") >= 1, control
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "token"
    page.focus("#top-cells li button")
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-details-for]", timeout=30_000)
    assert page.evaluate("document.activeElement.id") == "details-close"


def test_pages_fit_a_laptop_screen(page) -> None:
    for path in ("/", "/review"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert (width, height) == (LAPTOP["width"], LAPTOP["height"]), path


def test_map_counts_and_draws_a_live_incident_without_a_reload(page, api_url) -> None:
    """A record sent to the ingest API reaches the open map over its subscription."""
    import uuid

    import httpx

    open_map(page, "analyst")
    ingest = {"authorization": f"Bearer {issue_jwt(SECRET, 'ingest', 'web-test-feed')}"}
    mutation = (
        'mutation($r: [JSON!]!) { ingestRecords(source: "police.uk", records: $r) { accepted } }'
    )
    for _ in range(10):  # the page subscribes once its layers are in; until then, send again
        record = {
            "Crime ID": f"web-live-{uuid.uuid4().hex}",
            "Month": MONTHS[-1],
            "Reported by": "Gwent Police",
            "Falls within": "Gwent Police",
            "Longitude": "-3.0",
            "Latitude": "51.6",
            "Location": "On or near a test street",
            "LSOA code": "W01001500",
            "Crime type": "Robbery",
        }
        body = httpx.post(
            f"{api_url}/graphql",
            json={"query": mutation, "variables": {"r": [record]}},
            headers=ingest,
            timeout=30,
        ).json()
        assert body["data"]["ingestRecords"]["accepted"] == 1, body
        try:
            page.wait_for_selector("body[data-live-incidents]", timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    assert int(page.evaluate("document.body.dataset.liveIncidents")) >= 1
    assert page.inner_text("#live").startswith("Live: ")
    screenshot(page, "map-live-incident")


def count_risk_requests(page: Page) -> list[str]:
    """The risk-layer queries the page sends from now on (their variables)."""
    asked: list[str] = []
    page.on(
        "request",
        lambda r: "query RiskLayer" in (r.post_data or "") and asked.append(r.post_data),
    )
    return asked


def test_first_risk_layer_is_asked_for_once_before_the_map_bundle_runs(page) -> None:
    asked = count_risk_requests(page)
    open_map(page)
    assert len(asked) == 1, "the early answer (early.js) is the layer drawn, not asked again"
    requested, module = page.evaluate(
        "['risk:requested', 'map:module'].map(n => performance.getEntriesByName(n)[0].startTime)"
    )
    assert requested < module, "asked for while the map bundle was still loading"
    assert page.evaluate("window.crimegraphEarly.vars.month") is None  # the latest month
    view = page.evaluate("window.crimegraph.map.getBounds().toArray()")
    early = page.evaluate("window.crimegraphEarly.vars.bbox")
    assert early["west"] <= view[0][0] and early["south"] <= view[0][1]
    assert early["east"] >= view[1][0] and early["north"] >= view[1][1], "covers the view"


def test_a_slow_first_answer_is_still_the_one_drawn(page) -> None:
    """The early answer may come after the map is ready for it: it is waited for, once."""
    import time

    def slow_risk(route) -> None:
        if "query RiskLayer" in (route.request.post_data or ""):
            time.sleep(2.0)
        route.continue_()

    page.route("**/graphql", slow_risk)
    asked = count_risk_requests(page)
    open_map(page)
    assert len(asked) == 1
    assert int(page.evaluate("document.body.dataset.riskFeatures")) > 0
    map_png = page.locator("#map").screenshot()
    assert palette_share(map_png, RISK_COLOURS, 60) > 0.003, "risk cells coloured on the map"


def test_overlays_join_after_the_risk_layer_in_their_order(page) -> None:
    open_map(page)
    page.wait_for_function("document.getElementById('status').textContent.startsWith('Showing')")
    layers = page.evaluate("window.crimegraph.map.getStyle().layers.map(l => l.id)")
    assert layers == [
        "forces-fill",
        "areas-line",
        "risk-fill",
        "forecast-fill",
        "forces-line",
        "hotspots-line",
        "incident-clusters",
        "incident-points",
    ]
    assert page.evaluate("window.crimegraph.map.getMaxPitch()") == 0, "a flat map: no sky"
    keys = page.evaluate(
        "Object.keys(window.crimegraph.map.querySourceFeatures('risk')[0].properties)"
    )
    assert sorted(keys) == ["_shade", "id", "score"], "the worker tiles only what it draws"
    before = page.locator("#map").screenshot()
    page.check("#layer-forecast")
    assert page.locator("#legend-forecast").is_visible()
    page.wait_for_function(
        "window.crimegraph.map.getLayoutProperty('forecast-fill', 'visibility') === 'visible' "
        "&& window.crimegraph.map.querySourceFeatures('forecast').length > 0"
    )
    page.wait_for_timeout(500)  # let the map repaint with the layer
    assert changed_share(before, page.locator("#map").screenshot()) > 0.001, "forecast drawn"
    assert float(page.inner_text("#forecast-max")) > float(page.inner_text("#forecast-min"))
