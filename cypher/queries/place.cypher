// A place: its area and force, recent incidents, and (for investigators) the people
// suspected of offending there and their networks, and places sharing those offenders.
MATCH (l:Location {location_id: $location_id})
OPTIONAL MATCH (l)-[:IN_AREA]->(a:Area)
OPTIONAL MATCH (a)-[:IN_FORCE]->(f:Force)
CALL (l) {
  OPTIONAL MATCH (i:Incident)-[:OCCURRED_AT]->(l)
  WITH i ORDER BY i.month DESC, i.incident_id
  RETURN count(i) AS incident_count,
         collect(i {.incident_id, .crime_type, .crime_group, .month, .last_outcome,
                    .sources})[..$limit] AS incidents
}
CALL (l) {
  OPTIONAL MATCH (l)<-[:OCCURRED_AT]-(:Incident)<-[:PARTY_TO {role: 'suspect'}]-(o:Person)
  WITH DISTINCT o WHERE o IS NOT NULL AND $with_people
  ORDER BY o.person_id
  RETURN collect(o {.person_id, .name, .network_id, .key_actor})[..$limit] AS offenders
}
CALL (l) {
  OPTIONAL MATCH (l)-[s:SHARES_OFFENDERS_WITH]-(other:Location)
  WITH s, other WHERE other IS NOT NULL AND $with_people
  ORDER BY s.similarity DESC, other.location_id
  RETURN collect(other {.location_id, .name, similarity: s.similarity})[..$limit] AS similar
}
RETURN l {.location_id, .kind, .name, .latitude, .longitude, .h3, .network_count,
          .network_exposure, .sources} AS place,
       a.lsoa AS lsoa, a.name AS area_name, f.code AS force,
       incident_count, incidents, offenders, similar
