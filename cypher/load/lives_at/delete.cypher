UNWIND $rows AS row
MATCH ()-[r:LIVES_AT {key: row.key}]->()
DELETE r
