UNWIND $rows AS row
MERGE (n:PersonLineage {key: row.key})
SET n += row {.model_version, .kind, .from_person_id, .to_person_id, .records, .load_hash}
WITH n, row
CALL (n) { MATCH (n)-[r:TO]->() DELETE r }
MATCH (p:Person {person_id: row.to_person_id})
CREATE (n)-[:TO]->(p)
