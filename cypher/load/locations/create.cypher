// $rows: [{key (location id), kind 'street', latitude, longitude, h3, name, lsoa, sources, load_hash}]
UNWIND $rows AS row
CREATE (l:Location {location_id: row.key})
SET l += row {.kind, .latitude, .longitude, .h3, .name, .sources, .load_hash},
    l.point = point({latitude: row.latitude, longitude: row.longitude})
WITH l, row WHERE row.lsoa IS NOT NULL
MATCH (a:Area {lsoa: row.lsoa})
CREATE (l)-[:IN_AREA]->(a)
