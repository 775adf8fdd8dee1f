// The crime map: force areas as the base layer, then the risk layer (H3 cells coloured by
// score), hotspots, clustered incidents and the forecast, for the month and crime group
// chosen; a click on a cell shows its details; new incidents arrive over a subscription.
import { cellToBoundary } from "h3-js";
import * as maplibregl from "maplibre-gl";
import { ApiError, getToken, graphql, resetSubscriptions, setToken, subscribe } from "./api.js";
import { CIVIDIS, SHADE, VIRIDIS, colourRamp, cssGradient, shadeFeatures, valueRange } from "./palette.js";
import * as Q from "./queries.js";
import { renderDetails } from "./details.js";
import { FIT_PADDING, WALES, covers, resolutionForZoom } from "./view.js";

performance.mark("map:module");
maplibregl.setWorkerUrl(new URL("/assets/maplibre-gl-worker.mjs", location.href).href);
maplibregl.prewarm(); // start the worker now, not after the WebGL context is made

const EMPTY = { type: "FeatureCollection", features: [] };
const $ = (id) => document.getElementById(id);

const state = { months: [], month: null, crimeGroup: "", role: "public", loadSeq: 0, live: 0, riskRange: [0, 1] };

const map = new maplibregl.Map({
  container: "map",
  style: { version: 8, sources: {}, layers: [] }, // the sea: #map's CSS background
  bounds: WALES,
  fitBoundsOptions: { padding: FIT_PADDING },
  attributionControl: { compact: true, customAttribution: "Contains OS & ONS data; police.uk (OGL v3.0)" },
  keyboard: true,
  maxPitch: 0, // a flat choropleth: no tilt, so no horizon and never any sky on screen
});
performance.mark("map:constructed");
skipSky(map);
let framesDrawn = 0; // frames MapLibre drew before the risk layer was (a benchmark figure)
map.on("render", () => framesDrawn++);
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "bottom-right");
map.addControl(new maplibregl.ScaleControl(), "bottom-left");

/** MapLibre shades a full-screen sky quad every frame even when no horizon is in view; in
 * software WebGL (SwiftShader) that was ~45 ms of CPU a frame here. With pitch pinned at 0
 * the sky is never visible, so the map draws it as nothing. (An internal of the painter:
 * when a MapLibre upgrade moves it, the map simply keeps drawing the sky.) */
function skipSky(m) {
  const painter = m.painter;
  if (painter?.drawFunctions?.sky && m.getMaxPitch() === 0) {
    painter.drawFunctions = { ...painter.drawFunctions, sky: () => {} };
  }
}

function setStatus(message, isError = false) {
  const el = $("status");
  el.textContent = message;
  el.classList.toggle("error", isError);
}

function currentBBox() {
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return {
    west: clamp(b.getWest(), -180, 180),
    south: clamp(b.getSouth(), -90, 90),
    east: clamp(b.getEast(), -180, 180),
    north: clamp(b.getNorth(), -90, 90),
  };
}

function layerVariables() {
  return {
    bbox: currentBBox(),
    month: state.month,
    resolution: resolutionForZoom(map.getZoom()),
    crimeGroups: state.crimeGroup ? [state.crimeGroup] : null,
  };
}

/** Give each feature sent without geometry (an H3 cell) its hexagon, in place. */
export function withCellPolygons(layer) {
  for (const feature of layer.features) {
    if (feature.geometry) continue;
    feature.geometry = { type: "Polygon", coordinates: [cellToBoundary(String(feature.id), true)] };
  }
  return layer;
}

// The map options and the first risk layer (latest month: `month: null`) were asked for by
// early.js before this bundle ran; without it, they are asked for now.
const early =
  window.crimegraphEarly ??
  (() => {
    const vars = { ...layerVariables(), month: null };
    return { askedAt: performance.now(), vars, risk: graphql(Q.RISK_LAYER, vars), options: graphql(Q.MAP_OPTIONS) };
  })();
const riskAskedAt = early.askedAt;
const firstOptions = early.options;
const monthOf = (layer) => layer?.features[0]?.properties.month ?? null;

let riskData = null; // the layer object the risk source holds (setData again re-tiles it)

/** What MapLibre needs of each cell: its hexagon, id, score and shade. The worker copies
 * every property into every tile it cuts (and the page posts them all to it), so the rest
 * (components, counts, model) stays here for the list and the legend; a click asks the API. */
function forMap(features) {
  return features.map((f) => ({
    type: "Feature",
    id: f.id,
    geometry: f.geometry,
    properties: { id: f.properties.id, score: f.properties.score, [SHADE]: f.properties[SHADE] },
  }));
}
const mapLayer = (layer) => ({ type: "FeatureCollection", features: forMap(layer.features) });

// The early risk layer, its hexagons drawn as soon as it arrives (null when it failed).
let firstRisk = { vars: early.vars, layer: null, ready: null };
{
  const first = firstRisk; // not the variable: fetchRisk empties it, maybe before the answer
  first.ready = early.risk
    .then((data) => (first.layer = withCellPolygons(data.riskLayer || EMPTY)))
    .catch(() => null);
}

/** Whether the early answer is the layer `vars` ask for: same cells and groups, a bbox
 * that covers the view, the month asked for (it asked for the latest). */
function earlyFits(first, vars, layer) {
  return (
    first.vars.resolution === vars.resolution &&
    vars.crimeGroups === null &&
    covers(first.vars.bbox, vars.bbox) &&
    layer !== null &&
    monthOf(layer) === vars.month
  );
}

/** The risk layer for `vars` with its hexagons: the early answer when it fits, else a new one. */
async function fetchRisk(vars) {
  const first = firstRisk;
  firstRisk = null;
  if (first) {
    const layer = await first.ready;
    if (earlyFits(first, vars, layer)) return layer;
  }
  const data = await graphql(Q.RISK_LAYER, vars);
  return withCellPolygons(data.riskLayer || EMPTY);
}

// First paint draws two sources only: the force areas and the risk layer. Every source is a
// round of tiles in MapLibre's worker and every program a shader compiled by SwiftShader,
// so the overlays (hotspots, forecast, incidents, LSOA lines) are added once the risk
// layer is drawn, and the sea is the map's CSS background, not a background layer.
function addBaseLayers() {
  map.addSource("forces", { type: "geojson", data: "/web/forces.geojson" });
  // The early risk layer goes in with the source when it is already here (one round of
  // tiles, not an empty one and then another); loadRisk then keeps it.
  const first = firstRisk?.layer ?? null;
  riskData = first && earlyFits(firstRisk, layerVariables(), first) ? first : EMPTY;
  if (riskData !== EMPTY) state.riskRange = restyle("score", riskData.features, "risk");
  map.addSource("risk", { type: "geojson", data: mapLayer(riskData), promoteId: "id" });
  map.addLayer({
    id: "forces-fill",
    type: "fill",
    source: "forces",
    // No antialiased outline pass (another program): forces-line draws the borders.
    paint: { "fill-color": "#f4f1ea", "fill-antialias": false },
  });
  map.addLayer({
    id: "risk-fill",
    type: "fill",
    source: "risk",
    paint: {
      "fill-color": colourRamp(SHADE, 0, 1, VIRIDIS),
      "fill-opacity": 0.8,
      "fill-outline-color": "rgba(0,0,0,0.15)",
    },
  });
  map.addLayer({
    id: "forces-line",
    type: "line",
    source: "forces",
    paint: { "line-color": "#333", "line-width": 1.2 },
  });
}

const OVERLAY_CHECKBOXES = {
  "areas-line": "layer-areas",
  "forecast-fill": "layer-forecast",
  "hotspots-line": "layer-hotspots",
  "incident-clusters": "layer-incidents",
  "incident-points": "layer-incidents",
};

/** Add the overlay sources and layers (once), shown as their checkboxes say. */
function addOverlays() {
  if (map.getSource("incidents")) return;
  map.addSource("areas", { type: "geojson", data: EMPTY });
  map.addSource("forecast", { type: "geojson", data: EMPTY, promoteId: "id" });
  map.addSource("hotspots", { type: "geojson", data: EMPTY });
  map.addSource("incidents", {
    type: "geojson",
    data: EMPTY,
    cluster: true,
    clusterRadius: 40,
    clusterMaxZoom: 14,
  });
  const shown = (layerId) => ($(OVERLAY_CHECKBOXES[layerId]).checked ? "visible" : "none");
  map.addLayer(
    {
      id: "areas-line",
      type: "line",
      source: "areas",
      layout: { visibility: shown("areas-line") },
      paint: { "line-color": "#8a8a8a", "line-width": 0.4 },
    },
    "risk-fill",
  );
  map.addLayer(
    {
      id: "forecast-fill",
      type: "fill",
      source: "forecast",
      layout: { visibility: shown("forecast-fill") },
      paint: { "fill-color": colourRamp(SHADE, 0, 1, CIVIDIS), "fill-opacity": 0.85 },
    },
    "forces-line",
  );
  map.addLayer({
    id: "hotspots-line",
    type: "line",
    source: "hotspots",
    // Significant cells only: p < 0.05, or "hot" in the public form (which has no p value).
    filter: [
      "any",
      ["==", ["get", "hotspot"], "hot"],
      ["<", ["to-number", ["coalesce", ["get", "pValue"], 1]], 0.05],
    ],
    layout: { visibility: shown("hotspots-line") },
    paint: { "line-color": "#000", "line-width": 2.5 },
  });
  map.addLayer({
    id: "incident-clusters",
    type: "circle",
    source: "incidents",
    filter: ["has", "point_count"],
    layout: { visibility: shown("incident-clusters") },
    paint: {
      "circle-color": "#e7298a",
      "circle-opacity": 0.8,
      "circle-stroke-color": "#fff",
      "circle-stroke-width": 1.5,
      "circle-radius": ["interpolate", ["linear"], ["get", "point_count"], 2, 6, 100, 14, 1000, 24],
    },
  });
  map.addLayer({
    id: "incident-points",
    type: "circle",
    source: "incidents",
    filter: ["!", ["has", "point_count"]],
    layout: { visibility: shown("incident-points") },
    paint: { "circle-color": "#e7298a", "circle-radius": 4, "circle-stroke-color": "#fff", "circle-stroke-width": 1 },
  });
  map.on("click", "incident-clusters", async (event) => {
    const feature = event.features[0];
    const zoom = await map.getSource("incidents").getClusterExpansionZoom(feature.properties.cluster_id);
    map.easeTo({ center: feature.geometry.coordinates, zoom });
  });
  map.on("mouseenter", "incident-clusters", () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", "incident-clusters", () => (map.getCanvas().style.cursor = ""));
}

/** Shade the risk (or forecast) features over the range in view (before setData) and show
 * the range in the legend; returns the range. */
function restyle(property, features, prefix) {
  const range = valueRange(features, property);
  shadeFeatures(features, property, range);
  $(`${prefix}-min`).textContent = formatNumber(range[0]);
  $(`${prefix}-max`).textContent = formatNumber(range[1]);
  return range;
}

function formatNumber(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

function renderTopCells(features) {
  const list = $("top-cells");
  list.replaceChildren();
  const top = [...features]
    .filter((f) => Number.isFinite(Number(f.properties.score)))
    .sort((a, b) => b.properties.score - a.properties.score)
    .slice(0, 5);
  for (const f of top) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = `${f.properties.id} — score ${formatNumber(Number(f.properties.score))}`;
    button.addEventListener("click", () => showCell(f.properties.id));
    li.append(button);
    list.append(li);
  }
  if (!top.length) list.innerHTML = "<li>No scored cells in view.</li>";
}

let firstRiskRender = true;

async function loadRisk(vars, seq) {
  if (firstRiskRender) performance.mark("risk:requested", { startTime: riskAskedAt });
  else performance.mark("risk:requested");
  const layer = await fetchRisk(vars);
  if (seq !== state.loadSeq) return;
  if (firstRiskRender) performance.mark("risk:received");
  state.riskRange = restyle("score", layer.features, "risk");
  if (riskData !== layer) map.getSource("risk").setData(mapLayer(layer)); // once: setData re-tiles
  riskData = layer;
  renderTopCells(layer.features);
  document.body.dataset.riskFeatures = String(layer.features.length);
  if (firstRiskRender) performance.mark("risk:set");
  await map.once("idle");
  if (seq !== state.loadSeq) return;
  if (firstRiskRender) {
    performance.mark("risk:first-render");
    performance.measure("risk:first-render", "risk:requested", "risk:first-render");
    document.body.dataset.framesToFirstRender = String(framesDrawn);
    firstRiskRender = false;
  }
  document.body.dataset.riskRendered = `${state.month}|${state.crimeGroup}|${layer.features.length}`;
}

async function loadOptional(query, field, sourceId, vars, seq, onData) {
  try {
    const data = await graphql(query, vars);
    if (seq !== state.loadSeq) return null;
    const layer = withCellPolygons(data[field] || EMPTY);
    onData?.(layer);
    map.getSource(sourceId).setData(layer);
    return null;
  } catch (err) {
    if (seq === state.loadSeq) map.getSource(sourceId).setData(EMPTY);
    return `${field}: ${err.message}`;
  }
}

function monthRange() {
  return state.month ? { from: state.month, to: state.month } : {};
}

/** Fetch every visible layer for the view, month and crime group; stale answers are dropped. */
async function loadLayers() {
  if (!state.month && state.months.length) state.month = state.months.at(-1);
  const seq = ++state.loadSeq;
  const vars = layerVariables();
  document.body.dataset.riskRendered = "";
  setStatus("Loading layers…");
  const problems = [];
  const jobs = [];
  if ($("layer-risk").checked) {
    // The risk layer first and alone: the other layers follow once it is drawn.
    await loadRisk(vars, seq).catch((err) => problems.push(`risk layer: ${err.message}`));
    if (seq !== state.loadSeq) return;
    watchRisk(vars);
  } else {
    map.getSource("risk").setData((riskData = EMPTY));
  }
  addOverlays();
  if ($("layer-hotspots").checked) {
    jobs.push(
      loadOptional(Q.HOTSPOTS, "hotspots", "hotspots", vars, seq).then((p) => p && problems.push(p)),
    );
  } else map.getSource("hotspots").setData(EMPTY);
  if ($("layer-forecast").checked) {
    jobs.push(
      loadOptional(Q.FORECAST, "forecastLayer", "forecast", vars, seq, (layer) =>
        restyle("expected", layer.features, "forecast"),
      ).then((p) => p && problems.push(p)),
    );
  } else map.getSource("forecast").setData(EMPTY);
  const notes = [];
  if ($("layer-incidents").checked) {
    const incidentVars = { bbox: vars.bbox, ...monthRange(), first: 5000 };
    jobs.push(
      graphql(Q.INCIDENTS, incidentVars)
        .then((data) => seq === state.loadSeq && map.getSource("incidents").setData(data.incidents || EMPTY))
        .catch((err) => {
          if (seq === state.loadSeq) map.getSource("incidents").setData(EMPTY);
          if (err.code === "FORBIDDEN") notes.push("incident points need an analyst or investigator token");
          else problems.push(`incidents: ${err.message}`);
        }),
    );
  } else map.getSource("incidents").setData(EMPTY);
  await Promise.all(jobs);
  if (seq !== state.loadSeq) return;
  const shown = `Showing ${state.month ?? "latest"} · ${state.crimeGroup || "All crime"}`;
  if (problems.length) setStatus(`Some layers are unavailable — ${problems.join("; ")}`, true);
  else setStatus(notes.length ? `${shown} (${notes.join("; ")})` : shown);
}

async function loadAreas() {
  try {
    const data = await graphql(Q.AREAS, { bbox: { west: WALES[0], south: WALES[1], east: WALES[2], north: WALES[3] } });
    map.getSource("areas").setData(data.areas || EMPTY);
  } catch (err) {
    $("layer-areas").disabled = true;
    $("layer-areas").parentElement.title = `LSOA boundaries unavailable: ${err.message}`;
  }
}

/** The richest details the role may see: fall back while the API answers FORBIDDEN. */
async function fetchCell(id) {
  const base = { id, month: state.month, crimeGroups: state.crimeGroup ? [state.crimeGroup] : null };
  const purpose = $("purpose").value.trim();
  let lastError = null;
  for (const { query, purpose: needsPurpose } of Q.CELL_QUERIES) {
    if (needsPurpose && !purpose) continue;
    try {
      const data = await graphql(query, needsPurpose ? { ...base, purpose } : base);
      return data.cell;
    } catch (err) {
      lastError = err;
      if (err.code !== "FORBIDDEN") throw err;
    }
  }
  throw lastError ?? new ApiError("no details query was allowed");
}

async function showCell(id) {
  const panel = $("details");
  panel.hidden = false;
  $("details-title").textContent = `Cell ${id}`;
  $("details-body").textContent = "Loading…";
  delete document.body.dataset.detailsFor;
  try {
    const cell = await fetchCell(id);
    $("details-body").replaceChildren(renderDetails(cell));
    document.body.dataset.detailsFor = id;
  } catch (err) {
    $("details-body").innerHTML = "";
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = `Details unavailable: ${err.message}`;
    $("details-body").append(p);
  }
  $("details-close").focus();
}

async function loadOptions() {
  const data = await firstOptions.catch(async (err) => {
    // Older APIs without months/crimeGroups still get a map of the forces.
    setStatus(`Map options unavailable: ${err.message}`, true);
    return { months: [], crimeGroups: [] };
  });
  state.months = data.months || [];
  const slider = $("month");
  slider.max = String(Math.max(0, state.months.length - 1));
  slider.value = slider.max;
  slider.disabled = state.months.length < 2;
  state.month = state.months.at(-1) ?? null;
  $("month-label").textContent = state.month ?? "none";
  slider.setAttribute("aria-valuetext", state.month ?? "none");
  const select = $("crime-group");
  select.length = 1;
  for (const group of data.crimeGroups || []) {
    if (group === "All crime") continue;
    select.add(new Option(group, group));
  }
}

function roleFromToken(token) {
  if (!token) return "public";
  const parts = token.split(".");
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(atob(parts[1].replace(/-/g, "+").replace(/_/g, "/")));
      if (claims.role) return String(claims.role);
    } catch {
      /* not a readable JWT: an API key */
    }
  }
  return "token holder";
}

let liveStop = null;
const riskLive = { key: null, stop: null, patched: 0 };
const WALES_BBOX = { west: WALES[0], south: WALES[1], east: WALES[2], north: WALES[3] };

/** Replace the risk cells new incidents rescored (riskChanged) in the drawn layer. */
async function patchRisk(features) {
  const source = map.getSource("risk");
  if (!source || !features.length || !$("layer-risk").checked) return;
  const current = await source.getData();
  const byId = new Map(forMap(shadeFeatures(features, "score", state.riskRange)).map((f) => [f.id, f]));
  const next = current.features.map((f) => byId.get(f.id) ?? f);
  source.setData({ ...current, features: next });
  riskLive.patched += features.length;
  document.body.dataset.riskPatched = String(riskLive.patched);
}

/** Follow the risk slice on screen (month, resolution, crime group) as it changes. */
function watchRisk(vars) {
  const key = JSON.stringify([vars.month, vars.resolution, vars.crimeGroups, getToken()]);
  if (riskLive.key === key) return;
  riskLive.stop?.();
  riskLive.key = key;
  const { month, resolution, crimeGroups } = vars;
  riskLive.stop = subscribe(Q.RISK_CHANGED, { bbox: WALES_BBOX, month, resolution, crimeGroups }, {
    next: (data) => patchRisk(data.riskChanged?.features ?? []),
    error: () => {
      riskLive.key = null;
    },
  });
}

function startLive() {
  liveStop?.();
  riskLive.key = null;
  state.live = 0;
  if (state.role === "public") {
    // Single incidents as they happen are not public; the risk layer still updates live.
    $("live").textContent = "Live: the risk layer updates as incidents arrive";
    return;
  }
  const bbox = WALES_BBOX;
  liveStop = subscribe(Q.INCIDENT_ADDED, { bbox }, {
    next: (data) => {
      const added = data.incidentAdded;
      const features = added?.type === "FeatureCollection" ? added.features : added ? [added] : [];
      state.live += features.length;
      $("live").textContent = `Live: ${state.live} new incident${state.live === 1 ? "" : "s"} since opening`;
      document.body.dataset.liveIncidents = String(state.live);
      const source = map.getSource("incidents");
      if (source && features.length && $("layer-incidents").checked) {
        source.getData().then((current) =>
          source.setData({ ...current, features: [...current.features, ...features] }),
        );
      }
    },
    error: (err) => {
      $("live").textContent = `Live updates unavailable: ${err.message}`;
    },
  });
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

function wireControls() {
  $("token").value = getToken();
  state.role = roleFromToken(getToken());
  $("role").textContent = `Viewing as: ${state.role}`;
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("token").value.trim());
    state.role = roleFromToken(getToken());
    $("role").textContent = `Viewing as: ${state.role}`;
    resetSubscriptions();
    startLive();
    loadLayers();
  });
  const slider = $("month");
  slider.addEventListener("input", () => {
    const month = state.months[Number(slider.value)] ?? null;
    $("month-label").textContent = month ?? "none";
    slider.setAttribute("aria-valuetext", month ?? "none");
  });
  slider.addEventListener("change", () => {
    state.month = state.months[Number(slider.value)] ?? null;
    loadLayers();
  });
  $("crime-group").addEventListener("change", (event) => {
    state.crimeGroup = event.target.value;
    loadLayers();
  });
  for (const id of ["layer-risk", "layer-hotspots", "layer-incidents", "layer-forecast"]) {
    $(id).addEventListener("change", () => {
      addOverlays();
      const visible = $(id).checked ? "visible" : "none";
      const layers = {
        "layer-risk": ["risk-fill"],
        "layer-hotspots": ["hotspots-line"],
        "layer-incidents": ["incident-clusters", "incident-points"],
        "layer-forecast": ["forecast-fill"],
      }[id];
      for (const layer of layers) map.setLayoutProperty(layer, "visibility", visible);
      $("legend-forecast").hidden = !$("layer-forecast").checked;
      loadLayers();
    });
  }
  $("layer-areas").addEventListener("change", () => {
    addOverlays();
    if ($("layer-areas").checked && !state.areasLoaded) {
      state.areasLoaded = true;
      loadAreas();
    }
    map.setLayoutProperty("areas-line", "visibility", $("layer-areas").checked ? "visible" : "none");
  });
  $("details-close").addEventListener("click", () => {
    $("details").hidden = true;
    $("map").focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("details").hidden) $("details-close").click();
  });
  $("ramp-risk").style.background = cssGradient(VIRIDIS);
  $("ramp-forecast").style.background = cssGradient(CIVIDIS);
}

/** Mark the base layer drawn (tests and the benchmark wait for it). */
function watchBaseLayer() {
  const onData = (event) => {
    if (event.sourceId !== "forces" || !event.isSourceLoaded) return;
    map.off("sourcedata", onData);
    map.once("idle", () => {
      performance.mark("base:rendered");
      document.body.dataset.baseRendered = "1";
    });
  };
  map.on("sourcedata", onData);
}

// On style.load, not load: "load" waits for a first frame (the worker, WebGL), and the
// layers can be added and fed before that.
map.once("style.load", async () => {
  performance.mark("map:style-load");
  watchBaseLayer();
  await loadOptions(); // answered already, as a rule: early.js asked for it
  addBaseLayers();
  wireControls();
  map.on("click", "risk-fill", (event) => showCell(event.features[0].properties.id));
  map.on("mouseenter", "risk-fill", () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", "risk-fill", () => (map.getCanvas().style.cursor = ""));
  await loadLayers();
  map.on("moveend", debounce(loadLayers, 300));
  startLive();
});

map.on("error", (event) => setStatus(`Map error: ${event.error?.message ?? event}`, true));

window.crimegraph = { map, state, ApiError };
