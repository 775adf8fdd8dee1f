UNWIND $rows AS row
MATCH (a:Area {lsoa: row.key})
DETACH DELETE a
