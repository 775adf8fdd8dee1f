// Every GraphQL document the pages send, in one place, written to the API contract.
export const MAP_OPTIONS = `query MapOptions { months crimeGroups forces { code name } }`;

export const AREAS = `query Areas($bbox: BBox) { areas(bbox: $bbox) }`;

export const RISK_LAYER = `query RiskLayer($bbox: BBox!, $month: String, $resolution: Int,
  $crimeGroups: [String!]) {
  riskLayer(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups)
}`;

export const HOTSPOTS = `query Hotspots($bbox: BBox!, $month: String, $resolution: Int,
  $crimeGroups: [String!]) {
  hotspots(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups)
}`;

export const FORECAST = `query Forecast($bbox: BBox!, $month: String, $resolution: Int,
  $crimeGroups: [String!]) {
  forecastLayer(bbox: $bbox, month: $month, resolution: $resolution, crimeGroups: $crimeGroups)
}`;

export const INCIDENTS = `query Incidents($bbox: BBox!, $from: String, $to: String, $first: Int) {
  incidents(bbox: $bbox, from: $from, to: $to, first: $first)
}`;

// CellDetails is rendered generically (every field it has), so the selection is kept wide
// but only to the contract's words: score components, incidents, people, networks.
export const CELL = `query Cell($id: String!, $month: String, $crimeGroups: [String!]) {
  cell(id: $id, month: $month, crimeGroups: $crimeGroups) {
    id month crimeGroup score harm nearRepeat network forecast incidents
  }
}`;

export const INCIDENT_ADDED = `subscription IncidentAdded($bbox: BBox) { incidentAdded(bbox: $bbox) }`;

export const REVIEW_QUEUE = `query ReviewQueue($first: Int, $after: String) {
  reviewQueue(first: $first, after: $after) {
    edges { cursor node { pairId matchProbability matchWeight status } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const MATCH_EVIDENCE = `query MatchEvidence($pairId: ID!) {
  matchEvidence(pairId: $pairId) {
    pairId matchProbability matchWeight
    left { key system recordId forename surname dateOfBirth sex address postcode }
    right { key system recordId forename surname dateOfBirth sex address postcode }
    comparisons { name matchWeight }
  }
}`;

export const DECIDE_MATCH = `mutation DecideMatch($pairId: ID!, $decision: Decision!, $reason: String!) {
  decideMatch(pairId: $pairId, decision: $decision, reason: $reason) {
    decisionId pairId decision reason decidedAt
  }
}`;
