UNWIND $rows AS row
MATCH (p:ReviewPair {pair_id: row.key})
DETACH DELETE p
