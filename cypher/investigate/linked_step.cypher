// One hop of linked cases: the incidents of $person_ids and every party to them, each
// party with the source records (system, record id, match probability) behind the link.
UNWIND $person_ids AS pid
MATCH (:Person {person_id: pid})-[:PARTY_TO]->(i:Incident)
WITH DISTINCT i LIMIT $limit
OPTIONAL MATCH (i)-[:OCCURRED_AT]->(l:Location)
CALL (i) {
  MATCH (q:Person)-[pq:PARTY_TO]->(i)
  RETURN collect({person_id: q.person_id, name: q.name, role: pq.role,
    provenance: [(r:SourceRecord)-[rr:RESOLVED_TO]->(q) WHERE (r)-[:RECORDED_IN]->(i) |
                 {system: r.system, record_id: r.record_id,
                  match_probability: rr.match_probability}]}) AS parties
}
RETURN i {.incident_id, .month, .crime_type, .crime_group} AS incident,
       l {.location_id, .name, .latitude, .longitude, .h3} AS location,
       parties
