// Every GraphQL document the pages send, in one place, written to the API contract.
// Months and crime groups come from the API's memory (no graph query): the page asks first.
export const MAP_OPTIONS = `query MapOptions { months crimeGroups }`;

export const AREAS = `query Areas($bbox: BBox) { areas(bbox: $bbox) }`;

// H3 layers come as `geometry: NONE` (a third of the bytes); the page draws each cell's
// hexagon from its id (map.js withCellPolygons).
export const RISK_LAYER = `query RiskLayer($bbox: BBox!, $month: String, $resolution: Int,
  $crimeGroups: [String!]) {
  riskLayer(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups,
    geometry: NONE)
}`;

export const HOTSPOTS = `query Hotspots($bbox: BBox!, $month: String, $resolution: Int,
  $crimeGroups: [String!]) {
  hotspots(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups,
    geometry: NONE)
}`;

export const FORECAST = `query Forecast($bbox: BBox!, $month: String, $resolution: Int,
  $crimeGroups: [String!]) {
  forecastLayer(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups,
    geometry: NONE)
}`;

export const INCIDENTS = `query Incidents($bbox: BBox!, $from: String, $to: String, $first: Int) {
  incidents(bbox: $bbox, from: $from, to: $to, first: $first)
}`;

// A map click asks for as much as the role may see: people and networks (investigator,
// with a purpose), the incidents behind the score (analyst, investigator), the scores (all).
const CELL_BASE = "id month scores incidentCount";
const CELL_INCIDENTS = "incidents { id month crimeType crimeGroup }";
const CELL_PEOPLE = `people(purpose: $purpose) {
  personId name link incidentId locationId provenance { system recordId matchProbability } }`;

function cellQuery(fields, withPurpose) {
  return `query Cell($id: String!, $month: String, $crimeGroups: [String!]${withPurpose ? ", $purpose: String!" : ""}) {
  cell(id: $id, month: $month, crimeGroups: $crimeGroups) { ${fields} }
}`;
}

export const CELL_QUERIES = [
  { query: cellQuery(`${CELL_BASE} ${CELL_INCIDENTS} ${CELL_PEOPLE}`, true), purpose: true },
  { query: cellQuery(`${CELL_BASE} ${CELL_INCIDENTS}`, false), purpose: false },
  { query: cellQuery(CELL_BASE, false), purpose: false },
];

export const INCIDENT_ADDED = `subscription IncidentAdded($bbox: BBox) { incidentAdded(bbox: $bbox) }`;

export const RISK_CHANGED = `subscription RiskChanged($bbox: BBox!, $month: String, $resolution: Int!,
  $crimeGroups: [String!]) {
  riskChanged(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups)
}`;

const RECORD = "system recordId forename surname dateOfBirth sex address postcode";
const PERSON_TODAY = `personId totalRecords records { key record { ${RECORD} } }`;

export const REVIEW_QUEUE = `query ReviewQueue($first: Int, $after: String) {
  reviewQueue(first: $first, after: $after) {
    edges { cursor node { id matchProbability matchWeight status left { forename surname } right { forename surname } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

export const MATCH_EVIDENCE = `query MatchEvidence($pairId: ID!) {
  matchEvidence(pairId: $pairId) {
    pair { id matchProbability matchWeight status left { ${RECORD} } right { ${RECORD} } }
    comparisons { name matchWeight }
    decisions { id decision decidedBy decidedAt reason }
    leftPerson { ${PERSON_TODAY} }
    rightPerson { ${PERSON_TODAY} }
    effects { decision effect }
  }
}`;

export const UNMERGE = `mutation Unmerge($personId: ID!, $recordKeys: [String!]!, $reason: String!) {
  unmerge(personId: $personId, recordKeys: $recordKeys, reason: $reason) {
    personId splitRecords remainingRecords cannotLinkDecisions
  }
}`;

export const DECIDE_MATCH = `mutation DecideMatch($pairId: ID!, $decision: Decision!, $reason: String!) {
  decideMatch(pairId: $pairId, decision: $decision, reason: $reason) {
    id pairId decision decidedBy decidedAt reason
  }
}`;
