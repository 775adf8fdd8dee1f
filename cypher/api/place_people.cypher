// People linked to places: living there or party to an incident there, with provenance.
// $location_ids: the places (one location, or every location in a map cell).
UNWIND $location_ids AS lid
MATCH (l:Location {location_id: lid})
CALL (l) {
  MATCH (q:Person)-[pq:PARTY_TO]->(i:Incident)-[:OCCURRED_AT]->(l)
  RETURN q, pq.role AS link, i.incident_id AS incident_id,
    [(r:SourceRecord)-[rr:RESOLVED_TO]->(q) WHERE (r)-[:PARTY_TO]->(i) |
     {system: r.system, record_id: r.record_id, match_probability: rr.match_probability}]
    AS provenance
  UNION
  MATCH (q:Person)-[lv:LIVES_AT]->(l)
  RETURN q, 'lives at' AS link, null AS incident_id,
    [(r:SourceRecord)-[rr:RESOLVED_TO]->(q) |
     {system: r.system, record_id: r.record_id, match_probability: rr.match_probability}]
    AS provenance
}
RETURN q.person_id AS person_id, q.name AS name, q.network_id AS network_id,
       link, incident_id, l.location_id AS location_id, provenance
ORDER BY person_id, incident_id
LIMIT $limit
