UNWIND $rows AS row
MATCH (l:Location {location_id: row.key})
DETACH DELETE l
