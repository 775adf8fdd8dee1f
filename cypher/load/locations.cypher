// $rows: [{location_id, latitude, longitude, h3, name, lsoa}]
UNWIND $rows AS row
MERGE (l:Location {location_id: row.location_id})
SET l.latitude = row.latitude,
    l.longitude = row.longitude,
    l.point = point({latitude: row.latitude, longitude: row.longitude}),
    l.h3 = row.h3,
    l.name = row.name,
    l.sources = row.sources
WITH l, row
WHERE row.lsoa IS NOT NULL
MATCH (a:Area {lsoa: row.lsoa})
MERGE (l)-[:IN_AREA]->(a)
