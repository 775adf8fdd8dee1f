// $rows: as create; re-links the area to its force.
UNWIND $rows AS row
MERGE (a:Area {lsoa: row.key})
SET a += row {.name, .latitude, .longitude, .sources, .load_hash}
WITH a, row
CALL (a) { MATCH (a)-[r:IN_FORCE]->() DELETE r }
WITH a, row WHERE row.force_code IS NOT NULL
MATCH (f:Force {code: row.force_code})
CREATE (a)-[:IN_FORCE]->(f)
