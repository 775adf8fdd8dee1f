// Where a person lives by the records (LIVES_AT), with the systems that say so.
MATCH (p:Person {person_id: $person_id})-[r:LIVES_AT]->(l:Location)
RETURN l {.location_id, .kind, .name, .postcode, .latitude, .longitude, .h3} AS place,
       r.sources AS sources, r.match_probability AS match_probability
ORDER BY l.location_id
