// $rows: [{key (person id), name, date_of_birth, sex, record_count, model_version, sources,
//          load_hash}]
UNWIND $rows AS row
MERGE (p:Person {person_id: row.key})
SET p += row {.name, .date_of_birth, .sex, .record_count, .model_version, .sources, .load_hash}
