// $rows: [{key, model_version, kind (merge|split), from_person_id, to_person_id, records,
//          load_hash}]: where a person id's records went when a run merged or split it.
UNWIND $rows AS row
CREATE (n:PersonLineage {key: row.key})
SET n += row {.model_version, .kind, .from_person_id, .to_person_id, .records, .load_hash}
WITH n, row
MATCH (p:Person {person_id: row.to_person_id})
CREATE (n)-[:TO]->(p)
