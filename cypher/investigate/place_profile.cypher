// A place: where it is, its area and force, its recent incidents, and how many people
// live there (a home is person data: api/resolvers/people.py gates it).
MATCH (l:Location {location_id: $location_id})
OPTIONAL MATCH (l)-[:IN_AREA]->(a:Area)
OPTIONAL MATCH (a)-[:IN_FORCE]->(f:Force)
RETURN l {.location_id, .name, .latitude, .longitude, .h3, .kind} AS place,
       a.lsoa AS lsoa, f.code AS force,
       COUNT { (l)<-[:OCCURRED_AT]-(:Incident) } AS incident_count,
       COUNT { (l)<-[:LIVES_AT]-(:Person) } AS residents,
       COLLECT {
         MATCH (l)<-[:OCCURRED_AT]-(i:Incident)
         RETURN i {.incident_id, .month, .crime_type, .crime_group}
         ORDER BY i.month DESC, i.incident_id LIMIT 100
       } AS incidents
