// Test data only: a person's home, an address from an agency's records, as the loader
// writes it. $person_id, $location_id, $name.
MATCH (p:Person {person_id: $person_id})
MERGE (l:Location {location_id: $location_id})
SET l.kind = 'address', l.name = $name, l.latitude = 51.7, l.longitude = -3.04
MERGE (p)-[:LIVES_AT]->(l)
