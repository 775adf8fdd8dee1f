UNWIND $rows AS row
MATCH (n:PersonLineage {key: row.key})
DETACH DELETE n
