UNWIND $rows AS row
MATCH (s:SourceRecord {key: row.key})
DETACH DELETE s
