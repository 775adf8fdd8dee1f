// Render a cell's details (score components, the incidents behind them, and for
// investigators the people and networks linked to the place) as plain accessible HTML.
const LABELS = {
  score: "Risk score",
  harm: "Harm",
  nearRepeat: "Near repeat",
  network: "Offender network",
  forecast: "Forecast",
  incidents: "Incidents",
  incidentCount: "Incidents this month",
  scores: "Scores by crime group",
  people: "People linked to the place",
  month: "Month",
  crimeGroup: "Crime group",
  id: "Cell",
};

function label(key) {
  return LABELS[key] ?? key.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase());
}

function formatValue(value) {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(formatValue).join("; ") || "—";
  if (typeof value === "object") return Object.values(value).map(formatValue).join(" · ");
  return String(value);
}

function table(rows) {
  const el = document.createElement("table");
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r ?? {})))];
  const head = el.createTHead().insertRow();
  for (const k of keys) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = label(k);
    head.append(th);
  }
  const body = el.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const k of keys) tr.insertCell().textContent = formatValue(r?.[k]);
  }
  return el;
}

/** A definition list of the scalar fields, then a table per list field. */
export function renderDetails(cell) {
  const root = document.createElement("div");
  if (!cell) {
    root.textContent = "No scores for this cell in the chosen month and crime group.";
    return root;
  }
  const dl = document.createElement("dl");
  const lists = [];
  for (const [key, value] of Object.entries(cell)) {
    if (Array.isArray(value)) {
      lists.push([key, value]);
      continue;
    }
    if (value && typeof value === "object") {
      lists.push([key, [value]]);
      continue;
    }
    const dt = document.createElement("dt");
    dt.textContent = label(key);
    const dd = document.createElement("dd");
    dd.textContent = formatValue(value);
    dl.append(dt, dd);
  }
  root.append(dl);
  for (const [key, rows] of lists) {
    const h = document.createElement("h3");
    h.textContent = `${label(key)} (${rows.length})`;
    root.append(h, rows.length ? table(rows) : document.createTextNode("None."));
  }
  return root;
}
