// $rows: [{key (force code), name, pfa_code, sources, load_hash}]
UNWIND $rows AS row
MERGE (f:Force {code: row.key})
SET f += row {.name, .pfa_code, .sources, .load_hash}
