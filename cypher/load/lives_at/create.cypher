// $rows: [{key (person|place), person_id, place_id, sources, match_probability, load_hash}]
UNWIND $rows AS row
MATCH (p:Person {person_id: row.person_id})
MATCH (l:Location {location_id: row.place_id})
CREATE (p)-[r:LIVES_AT {key: row.key}]->(l)
SET r += row {.sources, .match_probability, .load_hash}
