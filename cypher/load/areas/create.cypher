// $rows: [{key (LSOA code), name, latitude, longitude, force_code, sources, load_hash}]
UNWIND $rows AS row
CREATE (a:Area {lsoa: row.key})
SET a += row {.name, .latitude, .longitude, .sources, .load_hash}
WITH a, row WHERE row.force_code IS NOT NULL
MATCH (f:Force {code: row.force_code})
CREATE (a)-[:IN_FORCE]->(f)
