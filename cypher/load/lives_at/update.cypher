UNWIND $rows AS row
MATCH ()-[r:LIVES_AT {key: row.key}]->()
SET r += row {.sources, .match_probability, .load_hash}
