"""The map page in Debian's headless Chromium against the real API: it draws the base
layer offline (no request leaves the server), on a laptop-sized screen, keyboard first."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, sync_playwright

from crimegraph import pipeline
from graph import connection
from graph.load import load_graph
from resolver import warehouse
from tests.conftest import BROKEN_POLICE_UK
from tests.web_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    colour_share,
    require_built_pages,
    screenshot,
    serve_api,
)

pytestmark = pytest.mark.neo4j

LAND = (0xF4, 0xF1, 0xEA)  # forces-fill in web/src/map.js
SEA = (0xDF, 0xE8, 0xEF)  # the background


@pytest.fixture(scope="module")
def browser() -> Browser:
    require_built_pages()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def api_url(neo4j_settings, tmp_path_factory):
    import dataclasses

    settings = dataclasses.replace(neo4j_settings, data_dir=tmp_path_factory.mktemp("web-data"))
    pipeline.ingest_police_uk(settings, [str(BROKEN_POLICE_UK)])
    with warehouse.connect(settings.warehouse_path) as con, connection.driver(settings) as drv:
        drv.execute_query("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS")
        load_graph(con, drv)
    with serve_api(settings) as url:
        yield url


@pytest.fixture()
def page(browser, api_url):
    context = browser.new_context(viewport=LAPTOP, base_url=api_url)
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlparse(request.url).netloc))
    yield page
    context.close()


def test_map_draws_the_force_areas_offline(page, api_url) -> None:
    page.goto("/")
    page.wait_for_selector("body[data-base-rendered='1']", timeout=30_000)
    png = screenshot(page, "map-base-layer")
    map_png = page.locator("#map").screenshot()
    assert colour_share(map_png, LAND) > 0.2, "the land of the force areas is drawn"
    assert colour_share(map_png, SEA) > 0.05, "the sea around Wales stays background"
    assert colour_share(png, (0x33, 0x33, 0x33), tolerance=40) > 0.001, "force outlines drawn"
    assert page.requested_hosts == {urlparse(api_url).netloc}, "no CDN, tiles or fonts"


def test_controls_are_labelled_and_reachable_by_keyboard(page) -> None:
    page.goto("/")
    page.wait_for_selector("body[data-base-rendered='1']", timeout=30_000)
    for control in ("#token", "#month", "#crime-group", "#layer-risk", "#layer-forecast"):
        assert page.locator(control).evaluate("el => el.labels.length") >= 1, control
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "token"
    page.keyboard.type("not-a-token")
    page.keyboard.press("Enter")
    assert page.locator("#role").inner_text() == "Viewing as: token holder"


def test_pages_fit_a_laptop_screen(page) -> None:
    for path in ("/", "/review"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert (width, height) == (LAPTOP["width"], LAPTOP["height"]), path
