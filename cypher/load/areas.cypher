// $rows: [{lsoa, name, latitude, longitude, force_code}]
UNWIND $rows AS row
MERGE (a:Area {lsoa: row.lsoa})
SET a.name = row.name,
    a.latitude = row.latitude,
    a.longitude = row.longitude,
    a.sources = row.sources
WITH a, row
WHERE row.force_code IS NOT NULL
MATCH (f:Force {code: row.force_code})
MERGE (a)-[:IN_FORCE]->(f)
