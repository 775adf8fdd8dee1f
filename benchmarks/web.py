"""Web benchmark: first render of the whole-Wales risk layer in Debian's headless Chromium.

Writes var/bench/web.json. The page marks `risk:requested` when it asks the API for the
layer and `risk:first-render` when MapLibre is idle with it drawn; `base:rendered` marks the
force-area base layer. Each case is the median of cold page loads. Baselines in the same
run: the base layer alone (what a map without data costs here) and the bare GraphQL fetch of
the same layer over HTTP (no browser). Layers come from the warehouse's risk tables; when
the risk stage has not written them yet, from plain incident counts in the same shape
(figures say which). A breakdown says where a load's time goes (`map:module`: the bundle
runs; `map:style-load`: MapLibre's style is ready; `risk:set`: the layer is handed to
MapLibre), how many frames MapLibre drew before the layer was, and how many times the page
asked for the risk layer (1: the early request was used)."""

from __future__ import annotations

import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import httpx
from playwright.sync_api import sync_playwright

from api.auth import issue_jwt
from benchmarks.report import write_figures
from core.settings import load_settings
from graph import neo4j_server
from testkit.instances import instance_settings
from testkit.web import CHROMIUM, CHROMIUM_ARGS, LAPTOP, require_built_pages, serve_api
from testkit.web import seed_layers as seed_stand_in_layers

RUNS = 3
TARGET_SECONDS = 2.0
WALES = {"west": -5.45, "south": 51.3, "east": -2.6, "north": 53.5}
RISK = "query($b: BBox!, $r: Int) { riskLayer(bbox: $b, resolution: $r) }"


def _has_risk_tables(path: Path) -> bool:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'risk_scores'"
        ).fetchall()
    return rows[0][0] > 0


def _page_load(browser, url: str, token: str | None = None) -> dict[str, float]:
    context = browser.new_context(viewport=LAPTOP)
    if token:  # signed in, as the map's sign-in keeps it (web/src/api.js)
        context.add_init_script(f"sessionStorage.setItem('crimegraph.token', '{token}')")
    page = context.new_page()
    risk_requests: list[str] = []
    page.on(
        "request",
        lambda r: "query RiskLayer" in (r.post_data or "") and risk_requests.append(r.url),
    )
    try:
        page.goto(url)
        page.wait_for_function(
            "performance.getEntriesByName('risk:first-render', 'measure').length > 0",
            timeout=120_000,
        )
        marks = page.evaluate(
            """() => ({
              base: performance.getEntriesByName('base:rendered')[0]?.startTime ?? null,
              rendered: performance.getEntriesByName('risk:first-render', 'mark')[0].startTime,
              layer: performance.getEntriesByName('risk:first-render', 'measure')[0].duration,
              features: Number(document.body.dataset.riskFeatures),
              frames: Number(document.body.dataset.framesToFirstRender),
              ...Object.fromEntries(['map:module', 'map:style-load', 'risk:set'].map(
                (n) => [n, performance.getEntriesByName(n)[0]?.startTime ?? null])),
            })"""
        )
        marks["risk_requests"] = len(risk_requests)
    finally:
        context.close()
    return marks


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    require_built_pages()
    base = load_settings()
    source = base.warehouse_path
    if not source.exists():
        raise SystemExit(f"no warehouse at {source}: run `crimegraph demo --no-serve` first")
    work = Path(tempfile.mkdtemp(prefix="crimegraph-bench-web-"))
    settings = instance_settings(work, base)
    shutil.copy(source, settings.warehouse_path)
    figures: dict[str, object] = {"machine_cores": os.cpu_count(), "runs": RUNS}
    if _has_risk_tables(settings.warehouse_path):
        figures["layers"] = "warehouse risk_scores"
    else:
        seed_stand_in_layers(settings.warehouse_path)
        figures["layers"] = "stand-in: incident counts per cell (risk stage not run)"
    secret = secrets.token_urlsafe(32)
    try:
        neo4j_server.start(settings, log=lambda _m: None)
        with serve_api(settings, {"CRIMEGRAPH_JWT_SECRET": secret}) as url:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                # Whole Wales at resolution 9 is over the public answer cap (2 MB) by design,
                # so that view is an analyst's, signed in.
                analyst = issue_jwt(secret, "analyst", "bench-web")
                views = (("default_zoom_resolution", "", None), ("res9", "?resolution=9", analyst))
                for label, query, token in views:
                    _page_load(browser, f"{url}/{query}", token)  # warm the server's slice cache
                    loads = [_page_load(browser, f"{url}/{query}", token) for _ in range(RUNS)]
                    figures[f"{label}_features"] = loads[0]["features"]
                    figures[f"{label}_first_render_from_navigation_seconds"] = (
                        _median([m["rendered"] for m in loads]) / 1000
                    )
                    figures[f"{label}_request_to_render_seconds"] = (
                        _median([m["layer"] for m in loads]) / 1000
                    )
                    figures[f"{label}_baseline_base_layer_from_navigation_seconds"] = (
                        _median([m["base"] for m in loads if m["base"] is not None]) / 1000
                    )
                    # Where the time goes (median, seconds from navigation): the map bundle
                    # running, MapLibre's style ready, the risk layer handed to MapLibre.
                    for mark in ("map:module", "map:style-load", "risk:set"):
                        at = [m[mark] for m in loads if m.get(mark) is not None]
                        if at:
                            name = mark.replace(":", "_").replace("-", "_")
                            figures[f"{label}_breakdown_{name}_seconds"] = _median(at) / 1000
                    frames = [m["frames"] for m in loads]
                    figures[f"{label}_frames_to_first_render"] = _median(frames)
                    figures[f"{label}_risk_layer_requests"] = max(m["risk_requests"] for m in loads)
                browser.close()
            for res in (7, 9):
                times, size = [], 0
                for _ in range(RUNS):
                    started = time.perf_counter()
                    response = httpx.post(
                        f"{url}/graphql",
                        json={"query": RISK, "variables": {"b": WALES, "r": res}},
                        headers={"authorization": f"Bearer {analyst}"},
                        timeout=120,
                    )
                    times.append(time.perf_counter() - started)
                    size = len(response.content)
                figures[f"baseline_graphql_fetch_res{res}_seconds"] = _median(times)
                figures[f"graphql_payload_res{res}_bytes"] = size
    finally:
        neo4j_server.stop(settings, log=lambda _m: None)
        shutil.rmtree(work, ignore_errors=True)
    worst = figures["res9_first_render_from_navigation_seconds"]
    figures["target_seconds"] = TARGET_SECONDS
    figures["meets_target_default_view"] = (
        figures["default_zoom_resolution_first_render_from_navigation_seconds"] <= TARGET_SECONDS
    )
    figures["meets_target_res9"] = worst <= TARGET_SECONDS
    write_figures("web", figures)


if __name__ == "__main__":
    main()
