UNWIND $rows AS row
MATCH ()-[r:PARTY_TO {key: row.key}]->()
DELETE r
