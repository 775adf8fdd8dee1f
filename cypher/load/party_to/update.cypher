// $rows: as create (the key names both ends, so only the properties change).
UNWIND $rows AS row
MATCH ()-[r:PARTY_TO {key: row.key}]->()
SET r += row {.role, .sources, .records, .load_hash}
