// One person: the records resolved to them (with match probability), the incidents they
// are party to (each with the source records that say so) and their addresses.
MATCH (p:Person {person_id: $person_id})
RETURN p {.person_id, .name, .date_of_birth, .sex, .network_id, .community_id} AS person,
  [(r:SourceRecord)-[rt:RESOLVED_TO]->(p) |
    r {.system, .record_id, .forename, .surname, .date_of_birth, .sex, .address, .postcode,
       match_probability: rt.match_probability}] AS records,
  COLLECT {
    MATCH (p)-[pt:PARTY_TO]->(i:Incident)
    RETURN {incident_id: i.incident_id, month: i.month, crime_type: i.crime_type,
            crime_group: i.crime_group, role: pt.role,
            provenance: [(r:SourceRecord)-[rt:RESOLVED_TO]->(p)
                         WHERE (r)-[:RECORDED_IN]->(i) |
                         {system: r.system, record_id: r.record_id,
                          match_probability: rt.match_probability}]}
    ORDER BY i.month DESC, i.incident_id LIMIT 500
  } AS incidents,
  [(p)-[lv:LIVES_AT]->(l:Location) |
    {location_id: l.location_id, name: l.name, latitude: l.latitude, longitude: l.longitude,
     sources: lv.sources}] AS addresses
