UNWIND $rows AS row
MATCH (f:Force {code: row.key})
DETACH DELETE f
