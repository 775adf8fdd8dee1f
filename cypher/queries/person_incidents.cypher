// A person's incidents with their role, place and the source records that say so.
MATCH (p:Person {person_id: $person_id})-[pt:PARTY_TO]->(i:Incident)
OPTIONAL MATCH (i)-[:OCCURRED_AT]->(l:Location)
OPTIONAL MATCH (l)-[:IN_AREA]->(a:Area)
CALL (p, i) {
  MATCH (p)<-[r:RESOLVED_TO]-(s:SourceRecord)-[ri:RECORDED_IN]->(i)
  RETURN collect({system: s.system, record_id: s.record_id, involvement: ri.record_id,
                  role: ri.role, match_probability: r.match_probability}) AS provenance
}
RETURN i {.incident_id, .crime_id, .crime_type, .crime_group, .month, .last_outcome,
          .sources} AS incident,
       pt.role AS role, pt.sources AS sources, provenance,
       l {.location_id, .kind, .name, .latitude, .longitude, .h3} AS location,
       a.lsoa AS lsoa
ORDER BY i.month DESC, i.incident_id
LIMIT $limit
