// $rows: as create; re-links the location to its area.
UNWIND $rows AS row
MERGE (l:Location {location_id: row.key})
SET l += row {.kind, .latitude, .longitude, .h3, .name, .postcode, .uprn, .sources, .load_hash},
    l.point = point({latitude: row.latitude, longitude: row.longitude})
WITH l, row
CALL (l) { MATCH (l)-[r:IN_AREA]->() DELETE r }
WITH l, row WHERE row.lsoa IS NOT NULL
MATCH (a:Area {lsoa: row.lsoa})
CREATE (l)-[:IN_AREA]->(a)
