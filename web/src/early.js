// A small script that runs before the map bundle: it asks for the map options and the
// first risk layer (latest month, whole first view) at once, so the answers are in by the
// time MapLibre has its style. map.js takes them from window.crimegraphEarly.
import { graphql } from "./api.js";
import * as Q from "./queries.js";
import { WALES, fittedView, resolutionForZoom, widen } from "./view.js";

const el = document.getElementById("map");
const view = fittedView(el.clientWidth, el.clientHeight, WALES);
// A little wider than the fitted view: the map's own bounds may differ in the last digits.
const vars = { bbox: widen(view.bbox, 0.02), month: null, resolution: resolutionForZoom(view.zoom), crimeGroups: null };
const askedAt = performance.now();
const risk = graphql(Q.RISK_LAYER, vars);
const options = graphql(Q.MAP_OPTIONS);
risk.catch(() => null); // failures are met again by map.js's own requests
options.catch(() => null);
window.crimegraphEarly = { askedAt, vars, risk, options };
