// The steward's review page: the queue of uncertain pairs, both records side by side with
// each comparison's match weight, and a decision (with a reason) saved through decideMatch.
import { getToken, graphql, setToken } from "./api.js";
import * as Q from "./queries.js";

const $ = (id) => document.getElementById(id);
const FIELDS = [
  ["system", "System"],
  ["recordId", "Record id"],
  ["forename", "Forename(s)"],
  ["surname", "Surname"],
  ["dateOfBirth", "Date of birth"],
  ["sex", "Sex"],
  ["address", "Address"],
  ["postcode", "Postcode"],
];
const state = { pairs: [], index: -1, endCursor: null, hasNext: false };

function setStatus(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

async function loadQueue(append = false) {
  setStatus("Loading the queue…");
  try {
    const data = await graphql(Q.REVIEW_QUEUE, { first: 20, after: append ? state.endCursor : null });
    const conn = data.reviewQueue;
    const pairs = conn.edges.map((e) => e.node);
    state.pairs = append ? [...state.pairs, ...pairs] : pairs;
    state.endCursor = conn.pageInfo.endCursor;
    state.hasNext = conn.pageInfo.hasNextPage;
    state.total = conn.totalCount ?? state.pairs.length;
    renderQueue();
    setStatus(state.pairs.length ? "" : "Nothing to review.");
    if (!append && state.pairs.length) select(0, false);
  } catch (err) {
    state.pairs = [];
    renderQueue();
    setStatus(
      err.code === "FORBIDDEN" || err.code === "UNAUTHENTICATED"
        ? `A steward token is needed: ${err.message}`
        : `The queue is unavailable: ${err.message}`,
      true,
    );
  }
}

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  state.pairs.forEach((pair, i) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.pairId = pair.id;
    button.textContent = `${pairNames(pair)} · p=${Number(pair.matchProbability).toFixed(2)}${pair.status === "decided" ? " · decided" : ""}`;
    button.title = `Pair ${pair.id}`;
    button.setAttribute("aria-current", String(i === state.index));
    button.addEventListener("click", () => select(i, true));
    li.append(button);
    list.append(li);
  });
  $("queue-count").textContent = `(${state.pairs.length} of ${state.total ?? state.pairs.length} open)`;
  $("more").hidden = !state.hasNext;
}

function fullName(record) {
  return [record?.forename, record?.surname].filter(Boolean).join(" ") || "(no name)";
}

function pairNames(pair) {
  return `${fullName(pair.left)} ↔ ${fullName(pair.right)}`;
}

const DECISION_WORDS = { MATCH: "Match", NOT_A_MATCH: "Not a match", UNSURE: "Unsure" };

function renderEffects(effects) {
  const list = $("effects");
  list.replaceChildren();
  for (const e of effects ?? []) {
    const li = document.createElement("li");
    const b = document.createElement("strong");
    b.textContent = `${DECISION_WORDS[e.decision] ?? e.decision}: `;
    li.append(b, e.effect);
    list.append(li);
  }
}

// One person's records with a checkbox each, and a split that unmerges the ticked ones.
function renderPerson(formId, person, side, pairRecord) {
  const form = $(formId);
  form.replaceChildren();
  const title = document.createElement("h4");
  form.append(title);
  if (!person) {
    title.textContent = `${side}: not resolved to a person yet`;
    return;
  }
  const n = person.totalRecords;
  title.textContent = `${side}: person ${person.personId} (${n} record${n === 1 ? "" : "s"})`;
  const list = document.createElement("ul");
  for (const { key, record } of person.records) {
    const li = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "split";
    box.value = key;
    const mine = record.system === pairRecord?.system && record.recordId === pairRecord?.recordId;
    label.append(
      box,
      ` ${fullName(record)}, ${record.dateOfBirth ?? "no date of birth"}, ${record.system}${mine ? " (this pair)" : ""}`,
    );
    li.append(label);
    list.append(li);
  }
  form.append(list);
  if (person.totalRecords < 2) return;
  const reasonLabel = document.createElement("label");
  reasonLabel.textContent = "Reason for the split";
  const reason = document.createElement("input");
  reason.name = "reason";
  reason.type = "text";
  reasonLabel.append(reason);
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Split the ticked records off this person";
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "split-status";
  form.append(reasonLabel, button, status);
  form.onsubmit = (event) => split(event, form, person, status);
}

async function split(event, form, person, status) {
  event.preventDefault();
  const data = new FormData(form);
  const keys = data.getAll("split");
  const reason = String(data.get("reason") ?? "").trim();
  if (!keys.length) {
    status.textContent = "Tick the records that are someone else first.";
    return;
  }
  if (!reason) {
    status.textContent = "Give a reason: it is kept with the split.";
    return;
  }
  status.textContent = "Splitting…";
  try {
    const { unmerge } = await graphql(Q.UNMERGE, { personId: person.personId, recordKeys: keys, reason });
    status.textContent = `Split ${unmerge.splitRecords.length} record(s) off; ${unmerge.cannotLinkDecisions} cannot-link decisions written for the next run.`;
    document.body.dataset.lastSplit = person.personId;
  } catch (err) {
    status.textContent = `Not split: ${err.message}`;
  }
}

function cell(row, text, differs) {
  const td = row.insertCell();
  td.textContent = text ?? "—";
  if (differs) td.className = "differs";
}

async function select(index, focus) {
  if (index < 0 || index >= state.pairs.length) return;
  state.index = index;
  renderQueue();
  if (focus) $("queue").querySelectorAll("button")[index]?.focus();
  const pair = state.pairs[index];
  $("pair-title").textContent = pairNames(pair);
  $("pair").hidden = false;
  $("decide").reset();
  $("decide-status").textContent = "";
  $("records").replaceChildren();
  $("evidence").replaceChildren();
  $("effects").replaceChildren();
  $("left-person").replaceChildren();
  $("right-person").replaceChildren();
  try {
    const { matchEvidence: ev } = await graphql(Q.MATCH_EVIDENCE, { pairId: pair.id });
    if (state.pairs[state.index] !== pair) return;
    if (!ev) throw new Error("no evidence stored for this pair");
    const p = ev.pair;
    $("pair-summary").textContent = `Match probability ${Number(p.matchProbability).toFixed(3)}, total match weight ${Number(p.matchWeight).toFixed(2)}.${ev.decisions.length ? ` Earlier decisions: ${ev.decisions.map((d) => `${d.decision} by ${d.decidedBy} (${d.reason})`).join("; ")}.` : ""}`;
    for (const [key, name] of FIELDS) {
      const row = $("records").insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      row.append(th);
      const left = p.left?.[key];
      const right = p.right?.[key];
      const differs = (left ?? "") !== (right ?? "");
      cell(row, left, differs);
      cell(row, right, differs);
    }
    renderPerson("left-person", ev.leftPerson, "Left", p.left);
    renderPerson("right-person", ev.rightPerson, "Right", p.right);
    renderEffects(ev.effects);
    const comparisons = ev.comparisons.filter((c) => c.matchWeight !== null);
    const maxAbs = Math.max(1, ...comparisons.map((c) => Math.abs(c.matchWeight)));
    for (const c of comparisons) {
      const row = $("evidence").insertRow();
      row.insertCell().textContent = c.name;
      row.insertCell().textContent = `${c.matchWeight >= 0 ? "+" : ""}${c.matchWeight.toFixed(2)}`;
      const bar = document.createElement("span");
      bar.className = `weight-bar ${c.matchWeight >= 0 ? "pos" : "neg"}`;
      bar.style.width = `${(80 * Math.abs(c.matchWeight)) / maxAbs}px`;
      bar.setAttribute("aria-hidden", "true");
      row.insertCell().append(bar);
    }
  } catch (err) {
    $("pair-summary").textContent = `Evidence unavailable: ${err.message}`;
  }
}

async function decide(event) {
  event?.preventDefault();
  const pair = state.pairs[state.index];
  const decision = new FormData($("decide")).get("decision");
  const reason = $("reason").value.trim();
  if (!pair) return;
  if (!decision) {
    $("decide-status").textContent = "Choose match, not a match or unsure first.";
    return;
  }
  if (!reason) {
    $("decide-status").textContent = "Give a reason: it is kept with the decision.";
    $("reason").focus();
    return;
  }
  $("decide-status").textContent = "Saving…";
  try {
    const { decideMatch } = await graphql(Q.DECIDE_MATCH, { pairId: pair.id, decision, reason });
    pair.status = "decided";
    $("decide-status").textContent = `Saved: ${decideMatch.decision} by ${decideMatch.decidedBy} (${decideMatch.id}).`;
    document.body.dataset.lastDecision = pair.id;
    renderQueue();
    if (state.index + 1 < state.pairs.length) {
      const next = state.index + 1;
      setTimeout(() => select(next, true), 600);
    }
  } catch (err) {
    $("decide-status").textContent = `Not saved: ${err.message}`;
  }
}

function choose(value) {
  const radio = document.querySelector(`input[name=decision][value=${value}]`);
  if (!radio || $("pair").hidden) return;
  radio.checked = true;
  $("reason").focus();
}

function onKey(event) {
  const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(event.target.tagName) && event.target.type !== "radio";
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    if (!$("pair").hidden) decide(event);
    return;
  }
  if (typing) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const actions = {
    j: () => select(state.index + 1, true),
    k: () => select(state.index - 1, true),
    m: () => choose("MATCH"),
    n: () => choose("NOT_A_MATCH"),
    u: () => choose("UNSURE"),
  };
  const action = actions[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
}

$("token").value = getToken();
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken($("token").value.trim());
  loadQueue();
});
$("more").addEventListener("click", () => loadQueue(true));
$("decide").addEventListener("submit", decide);
document.addEventListener("keydown", onKey);
loadQueue();
